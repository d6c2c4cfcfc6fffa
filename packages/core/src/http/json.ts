/**
 * Serialising a response body fast, with exactly `JSON.stringify`'s output. An agent view
 * carries its `actions` and `availableActions` as arrays the manager builds once per
 * configuration and freezes; their JSON is cached per array, and the rest of the body is
 * serialised field by field around them (two levels: the body, and an `agent` inside it).
 *
 * @module
 */

const cache = new WeakMap<object, string>();

/** The JSON of a frozen array of frozen (or primitive) items, computed once per array. */
function frozenArrayJson(value: readonly unknown[]): string | undefined {
  let json = cache.get(value);
  if (json !== undefined) return json;
  for (const item of value)
    if (typeof item === 'object' && item !== null && !Object.isFrozen(item)) return undefined;
  json = JSON.stringify(value);
  cache.set(value, json);
  return json;
}

function valueJson(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? `${value}` : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value) && Object.isFrozen(value))
        return frozenArrayJson(value) ?? JSON.stringify(value);
      if (depth > 0 && isPlainObject(value)) return objectJson(value, depth - 1);
      return JSON.stringify(value);
    default:
      return JSON.stringify(value); // undefined, functions and symbols: undefined; bigint throws
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.getPrototypeOf(value) === Object.prototype &&
  typeof (value as { toJSON?: unknown }).toJSON !== 'function';

/** `"key":` for each key met, computed once. */
const keyPrefixes = new Map<string, string>();

function keyPrefix(key: string): string {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `${JSON.stringify(key)}:`;
    // Bodies have a few dozen distinct keys; a map of free-form keys stays bounded.
    if (keyPrefixes.size < 1024) keyPrefixes.set(key, prefix);
  }
  return prefix;
}

function objectJson(value: Record<string, unknown>, depth: number): string {
  let out = '';
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const json = valueJson(value[key], depth);
    if (json === undefined) continue; // undefined and functions are left out, as JSON.stringify does
    out += out === '' ? `{${keyPrefix(key)}${json}` : `,${keyPrefix(key)}${json}`;
  }
  return out === '' ? '{}' : `${out}}`;
}

/**
 * `JSON.stringify(body)`, faster for agent views (their frozen `actions` arrays are serialised
 * once).
 *
 * @param body - A response body.
 */
export function serializeBody(body: unknown): string {
  return isPlainObject(body) ? objectJson(body, 1) : JSON.stringify(body);
}
