/**
 * Text from elsewhere made harmless for a terminal. Whatever the server (or the command line)
 * sends — an agent's name, a reason, a problem's detail, a command's output — may hold control
 * characters: `ESC[2K\r` erases a line and rewrites it, a bidi override reorders what is shown.
 * The CLI writes only the control characters it means to (colours, newlines, the spinner), so
 * every foreign string is escaped into visible text before it is printed.
 *
 * @module
 */

/**
 * What is escaped: C0 controls (newline and tab included: a newline inside a table cell forges
 * a row), DEL, C1 controls (U+009B is a one-byte CSI on some terminals), the line and paragraph
 * separators, and the bidi embedding, override and isolate marks.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const UNSAFE_ANY = new RegExp(UNSAFE.source);

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** True when `text` holds a character {@link escapeControl} would escape. */
export function hasControl(text: string): boolean {
  return UNSAFE_ANY.test(text);
}

/**
 * Escape every control character of `text` into visible text (`ESC` → `\x1b`, newline → `\n`,
 * U+202E → `\u202e`); anything else is kept as is.
 *
 * @example
 * ```ts
 * escapeControl('\u001b[2K\rprod-db'); // '\\x1b[2K\\rprod-db'
 * ```
 */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** Remember, for each made-safe object, the object it was made from. */
const ORIGINALS = new WeakMap<object, object>();

/**
 * A deep copy of `value` in which every string (object keys included) went through
 * {@link escapeControl}. The original of any copied object is kept: see {@link originalOf}.
 */
export function displaySafe<T>(value: T): T {
  if (typeof value === 'string') return escapeControl(value) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy: unknown = Array.isArray(value)
    ? value.map((v: unknown) => displaySafe(v))
    : Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [escapeControl(k), displaySafe(v)]),
      );
  ORIGINALS.set(copy as object, value as object);
  return copy as T;
}

/** The object {@link displaySafe} copied `value` from (`value` itself if it is no such copy). */
export function originalOf<T extends object>(value: T): T {
  return (ORIGINALS.get(value) as T | undefined) ?? value;
}

/**
 * `JSON.stringify` for a terminal: JSON already escapes C0 controls; this also writes C1
 * controls, DEL, the separators and the bidi marks as `\uXXXX`, so the document parses to the
 * same value and shows no control character.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
