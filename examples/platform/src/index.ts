/**
 * The example platform as a library, so tests (and the CLI's end-to-end tests) can start it
 * in-process on an ephemeral port.
 *
 * @module
 */
export {
  CONFIG_DEFAULTS,
  CONFIG_VARIABLES,
  ConfigError,
  type LatencyRange,
  loadConfig,
  type PlatformConfig,
} from './config.js';
export {
  memoryLatency,
  type Platform,
  type PlatformInfo,
  type StartPlatformOptions,
  startPlatform,
} from './platform.js';
export { renderStatechart, type StatechartDiagram } from './statechart-svg.js';
