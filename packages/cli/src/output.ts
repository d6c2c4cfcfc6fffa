/**
 * Human output: aligned tables, status colours, relative times, and a spinner that only
 * appears on a terminal. `--json` output never goes through here.
 *
 * @module
 */
import type { Writable } from 'node:stream';
import { styleText } from 'node:util';
import yoctoSpinner from 'yocto-spinner';
import { escapeControl } from './terminal-text.js';

/** Where the CLI writes, and what it knows about the terminal. */
export interface CliIO {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

type Style = Parameters<typeof styleText>[0];

/** Colour only on a terminal, and never when `NO_COLOR` is set. */
export function colorEnabled(io: CliIO): boolean {
  return io.stdout.isTTY === true && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}

/** A painter bound to whether colour is on. */
export type Paint = (style: Style, text: string) => string;

/** Returns a painter that styles text only when colour is enabled. */
export function painter(io: CliIO): Paint {
  const on = colorEnabled(io);
  return (style, text) => (on ? styleText(style, text) : text);
}

const STATUS_STYLE: Record<string, Style> = {
  running: 'green',
  degraded: 'yellow',
  paused: 'cyan',
  disabled: 'magenta',
  stopped: 'gray',
  failed: 'red',
  billing_suspended: 'magenta',
  waitlisted: 'yellow',
  deleted: 'gray',
  deleting: 'red',
};

/** A status in its colour (transient statuses in blue). */
export function paintStatus(paint: Paint, status: string): string {
  return paint(STATUS_STYLE[status] ?? 'blue', status);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes needs the ESC character
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (text: string) => text.replace(ANSI, '').length;

/** An aligned table with a header row; cells may contain colour escapes. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  paint: Paint,
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell))))
      .join('  ')
      .trimEnd();
  return [paint('bold', line(headers)), ...rows.map(line)].join('\n') + '\n';
}

/** `12s ago`, `3m ago`, `in 2h`, from an ISO string or epoch milliseconds. */
export function relativeTime(at: string | number | null | undefined, now = Date.now()): string {
  if (at === null || at === undefined) return 'never';
  const t = typeof at === 'number' ? at : Date.parse(at);
  if (Number.isNaN(t)) return String(at);
  const seconds = Math.round((now - t) / 1000);
  const abs = Math.abs(seconds);
  const unit =
    abs < 60
      ? `${abs}s`
      : abs < 3600
        ? `${Math.round(abs / 60)}m`
        : abs < 86_400
          ? `${Math.round(abs / 3600)}h`
          : `${Math.round(abs / 86_400)}d`;
  return seconds >= 0 ? `${unit} ago` : `in ${unit}`;
}

/** ISO time from an ISO string or epoch milliseconds. */
export function isoTime(at: string | number): string {
  return typeof at === 'number' ? new Date(at).toISOString() : at;
}

/** A progress indicator: animated on a terminal, silent otherwise. */
export interface Progress {
  update(text: string): void;
  /** Stop and leave a final line (on a terminal). */
  succeed(text: string): void;
  fail(text: string): void;
  stop(): void;
}

/** Start a spinner on stderr when it is a terminal; otherwise return a no-op. */
export function startProgress(io: CliIO, text: string): Progress {
  if (io.stderr.isTTY !== true) return { update() {}, succeed() {}, fail() {}, stop() {} };
  // The spinner's text holds names: nothing in it is ours to style, so all of it is escaped.
  const e = escapeControl;
  const spinner = yoctoSpinner({ text: e(text), stream: io.stderr, handleSignals: false }).start();
  return {
    update(next) {
      spinner.text = e(next);
    },
    succeed(final) {
      spinner.success(e(final));
    },
    fail(final) {
      spinner.error(e(final));
    },
    stop() {
      spinner.stop();
    },
  };
}

/** Credentials as printed once (after deploy and recreate), with a warning that they will not be shown again. */
export function credentialsText(
  ctx: { readonly paint: Paint },
  credentials: { readonly username: string; readonly password: string; readonly runtimeToken: string },
): string {
  return [
    ctx.paint('yellow', 'Credentials (shown once; store them now):'),
    `  username:      ${credentials.username}`,
    `  password:      ${credentials.password}`,
    `  runtime token: ${credentials.runtimeToken}`,
  ].join('\n');
}
