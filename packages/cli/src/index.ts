/**
 * `@berth/cli`: the `berth` command, and the typed HTTP client it is built on.
 *
 * The client ({@link createBerthClient}) speaks the Berth HTTP API over `fetch` and runs in
 * Node.js and in browsers; the example platform's dashboard uses it too.
 *
 * @module
 */
export * from './client-index.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export { runCli, type RunCliOptions, DEFAULT_URL } from './cli.js';
export type { CliIO } from './output.js';
