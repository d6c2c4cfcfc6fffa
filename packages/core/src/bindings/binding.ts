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

/** Headers of a Web `Headers` object as the handler reads them (names lower-case). */
export function headersOf(headers: Headers): HttpHeaders {
  const out: Record<string, string> = Object.create(null);
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}
