/**
 * `pnpm start`: read the environment, start the platform, print its URL and its store once it is
 * ready, and shut down cleanly on SIGINT or SIGTERM (operations in flight stay recorded and are
 * resumed by the next start). A bad environment variable prints what is wrong and exits with
 * status 2; a store another process holds, with status 1.
 *
 * @module
 */
import { ConfigError, loadConfig } from './config.js';
import { startPlatform } from './platform.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`berth platform: bad configuration: ${error.message}`);
    console.error('See docs/getting-started.md for the environment variables and their values.');
    process.exit(2);
  }
  throw error;
}

if (config.operatorKeys === null) {
  console.warn(
    'Warning: BERTH_OPERATOR_KEYS is not set. Running in single-owner dev mode: anyone who can reach ' +
      'this port acts as owner "default" without a key.',
  );
}

let platform: Awaited<ReturnType<typeof startPlatform>> | undefined;
let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down…`);
  // A signal during start-up is handled once the platform is up (see below).
  if (platform === undefined) return;
  platform.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(
        `berth platform: error while shutting down: ${error instanceof Error ? error.message : error}`,
      );
      process.exit(1);
    },
  );
};
// Registered before anything is printed: whoever reads the URL may signal right away.
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

try {
  platform = await startPlatform(config);
} catch (error) {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ConfigError) {
    console.error(`berth platform: bad configuration: ${error.message}`);
    process.exit(2);
  }
  if (code === 'EADDRINUSE')
    console.error(`berth platform: port ${config.port} is in use (set PORT to another one)`);
  else if (code === 'EACCES')
    console.error(`berth platform: not allowed to listen on ${config.host}:${config.port}`);
  else console.error(`berth platform: cannot start: ${message}`);
  process.exit(1);
}

if (stopping) {
  await platform.close();
  process.exit(0);
}

const driverNote =
  config.driver === 'memory'
    ? `memory driver, ${config.memoryLatencyMs.min}–${config.memoryLatencyMs.max} ms per operation`
    : 'Docker driver';
console.log(`Berth platform listening on ${platform.url} (${driverNote})`);
console.log(`  store      ${platform.storeDescription}`);
console.log(`  dashboard  ${platform.url}/`);
console.log(`  API        ${platform.apiUrl}  (OpenAPI: ${platform.apiUrl}/openapi.json)`);
