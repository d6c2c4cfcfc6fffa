#!/usr/bin/env node
/**
 * The `berth` executable: runs {@link runCli} on the process's arguments and exits with its
 * status. Ctrl-C aborts the running verb (exit 130).
 *
 * @module
 */
import { runCli } from './cli.js';

const controller = new AbortController();
let interrupted = false;
const onSignal = () => {
  // A second Ctrl-C leaves at once.
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), process, { signal: controller.signal });
process.exitCode = code;
// Let stdout drain, then leave even if a socket is still open.
process.stdout.write('', () => process.exit(code));
