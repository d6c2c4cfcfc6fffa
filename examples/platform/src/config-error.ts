/**
 * The error a bad environment variable raises: `main.ts` prints it and exits with status 2.
 *
 * @module
 */

/** A bad environment variable. */
export class ConfigError extends Error {
  /** The variable at fault. */
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}
