/**
 * What the fetch and `node:http` bindings share: their options, the mount point, the query
 * string as the handler reads it, and reading the body only when the handler asks for it.
 *
 * @module
 */
import type { BerthHandlerOptions, HttpHeaders } from '../http/index.js';

/**
 * Options of the fetch and `node:http` bindings: everything `createBerthHandler` takes
 * (`authenticate(req)`, `authorize`, `profiles`, `sseHeartbeatMs`, `idempotencyStore`,
 * `idempotencyTtlMs`, `now`, `problemType`, `onError(error, req)`, `openApiServers`,
 * `authFailureLimit`, `registerRateLimit`) with the binding's native request, plus these —
 * the names and meanings of the Express binding's `BerthRouterOptions`.
 *
 * @typeParam N - The native request: the Web `Request`, or Node.js's `IncomingMessage`.
 */
export interface BerthBindingOptions<N> extends BerthHandlerOptions<N> {
  /** Largest accepted JSON body (bytes or a string such as `'100kb'`); 413 beyond it. @default '100kb' */
  readonly bodyLimit?: number | string;
  /**
   * Where the API is mounted (`/api`): requests under it are served with the prefix removed.
   * @default '' (the root)
   */
  readonly basePath?: string;
}

/** `'/api/'` → `'/api'`; `''` and `'/'` → `''`. */
export function normaliseBasePath(basePath: string | undefined): string {
  const trimmed = (basePath ?? '').replace(/\/+$/, '');
  return trimmed === '' ? '' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** The path below `basePath`, or null when the request is not under it. */
export function pathBelow(basePath: string, pathname: string): string | null {
  if (basePath === '') return pathname;
  if (pathname === basePath) return '/';
  return pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : null;
}

/**
 * A query string as the handler reads it (Express's simple parser): each value a string, or
 * an array of strings when the name repeats. The record has no prototype, so a parameter
 * named `__proto__` is only a parameter.
 */
export function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(search)) {
    const seen = query[name];
    if (seen === undefined) query[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else query[name] = [seen, value];
  }
  return query;
}

/** The query of a request without a query string: no names, no prototype. */
export const NO_QUERY: Readonly<Record<string, string | string[]>> = Object.freeze(Object.create(null));

/** A `readBody` that remembers whether the body was read to its end (not refused half-way). */
export function trackedReader(read: () => Promise<unknown>): {
  readonly readBody: () => Promise<unknown>;
  readonly wasRead: () => boolean;
} {
  let done = false;
  return {
    readBody: async () => {
      const body = await read();
      done = true;
      return body;
    },
    wasRead: () => done,
  };
}

/**
 * Headers of a Web `Headers` object as the handler reads them (names lower-case). Each name is
 * looked up when read: a host's lightweight `Headers` (e.g. `@hono/node-server`'s, over the
 * Node.js request) is never copied, and the handler reads only the few it needs. Listing the
 * names (`Object.keys`) copies them once.
 */
export function headersOf(headers: Headers): HttpHeaders {
  let all: Record<string, string> | undefined;
  const snapshot = () => {
    if (all === undefined) {
      all = Object.create(null) as Record<string, string>;
      headers.forEach((value, name) => {
        all![name] = value;
      });
    }
    return all;
  };
  const lookup = (name: string | symbol): string | undefined => {
    if (typeof name !== 'string') return undefined;
    try {
      return headers.get(name) ?? undefined;
    } catch {
      return undefined; // not a valid header name: no such header
    }
  };
  return new Proxy(Object.create(null) as Record<string, string>, {
    get: (_target, name) => lookup(name),
    has: (_target, name) => lookup(name) !== undefined,
    ownKeys: () => Object.keys(snapshot()),
    getOwnPropertyDescriptor: (_target, name) => {
      const value = typeof name === 'string' ? snapshot()[name] : undefined;
      return value === undefined
        ? undefined
        : { value, enumerable: true, configurable: true, writable: false };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}

/**
 * The path and the query string (with its `?`) of an absolute URL, as `new URL(href)` gives
 * them for a URL a `Request` already normalised, without parsing it again.
 */
export function pathAndSearch(href: string): { pathname: string; search: string } {
  const hash = href.indexOf('#');
  const url = hash === -1 ? href : href.slice(0, hash);
  const scheme = url.indexOf('://');
  const start = url.indexOf('/', scheme === -1 ? 0 : scheme + 3);
  if (start === -1) return { pathname: '/', search: '' };
  const q = url.indexOf('?', start);
  if (q === -1) return { pathname: url.slice(start), search: '' };
  const search = url.slice(q);
  return { pathname: url.slice(start, q), search: search === '?' ? '' : search };
}
