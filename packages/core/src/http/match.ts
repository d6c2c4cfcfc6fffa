/**
 * Matching a request's method and path against the route table.
 *
 * @module
 */
import { ValidationError } from '../index.js';
import { type OperationId, ROUTES, type RouteSpec } from './routes.js';

/** A route matched against a request: the route and its raw path parameters. */
export interface RouteMatch {
  readonly route: RouteSpec & { readonly operationId: OperationId };
  readonly params: Readonly<Record<string, string>>;
}

const compiled = ROUTES.map((route) => {
  const names: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, names, pattern: new RegExp(`^${source}/?$`) };
});

/**
 * The route serving `method` and `path` (below the mount point), or null. Path parameters are
 * percent-decoded; one that is not valid percent-encoding throws a 400.
 */
export function matchRoute(method: string, path: string): RouteMatch | null {
  for (const { route, names, pattern } of compiled) {
    if (route.method !== method) continue;
    const m = pattern.exec(path);
    if (m === null) continue;
    const params: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) params[names[i]!] = decoded(names[i]!, m[i + 1]!);
    return { route, params };
  }
  return null;
}

/** A path parameter, percent-decoded; 400 when it is not valid percent-encoding. */
function decoded(name: string, raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ValidationError('the request is malformed', [
      { path: name, message: 'not valid percent-encoding' },
    ]);
  }
}

/** The route of an operation id, or undefined. */
export function routeOf(
  operationId: string,
): (RouteSpec & { readonly operationId: OperationId }) | undefined {
  return ROUTES.find((r) => r.operationId === operationId);
}
