/**
 * A small typed client of the Berth HTTP API (../API.md), over `fetch`. The `berth` command
 * and the example platform's dashboard both use it; it runs in Node.js and in browsers.
 *
 * @module
 */
import type { Action, Status } from '@berth/core';
import { type CatalogClient, catalogClient } from './catalog-client.js';
import { readEventStream, type ServerSentEvent } from './event-stream.js';
import type {
  ActionBody,
  ActionResult,
  AgentResource,
  AuditEntryView,
  AuditVerificationView,
  ExplanationView,
  CreateAgentBody,
  Problem,
  RegistrationToken,
  RevisionView,
  StatusEvent,
} from './types.js';

/** Options of {@link createBerthClient}. */
export interface BerthClientOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:3000/api`. */
  readonly url: string;
  /** Operator key, sent as `Authorization: Bearer <key>`. Omit in single-owner dev mode. */
  readonly key?: string | undefined;
  /** The fetch to use. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** The server answered with an error (`application/problem+json`). */
export class BerthApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Stable error code (`ILLEGAL_TRANSITION`, `AGENT_NOT_FOUND`, …); `HTTP_<status>` if the server sent none. */
  readonly code: string;
  /** The whole problem document. */
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'BerthApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
  }
}

/** The server could not be reached (refused, reset, DNS, …). */
export class BerthConnectionError extends Error {
  /** The URL that could not be reached. */
  readonly url: string;

  constructor(url: string, cause: unknown) {
    const why = cause instanceof Error ? describeCause(cause) : String(cause);
    super(`cannot reach ${url}: ${why}`, { cause });
    this.name = 'BerthConnectionError';
    this.url = url;
  }
}

/** Per-request options. */
export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
  /** Sent as `Idempotency-Key` on mutating requests. */
  readonly idempotencyKey?: string | undefined;
  /** Sent as `If-Match: "<version>"`. */
  readonly ifMatch?: number | undefined;
}

/** A typed client of the Berth HTTP API. Every method throws {@link BerthApiError} or {@link BerthConnectionError}. */
export interface BerthClient extends CatalogClient {
  /** The API base URL, without a trailing slash. */
  readonly url: string;
  /** `GET /agents` */
  listAgents(
    filter?: { status?: Status | undefined; owner?: string | undefined; profile?: string | undefined },
    options?: RequestOptions,
  ): Promise<AgentResource[]>;
  /** `GET /agents/:id` (with `?profile=` for a vendor status) */
  getAgent(id: string, options?: RequestOptions & { profile?: string | undefined }): Promise<AgentResource>;
  /** `POST /agents` */
  createAgent(body: CreateAgentBody, options?: RequestOptions): Promise<AgentResource>;
  /** `POST /agents/:id/actions/:action` */
  act(id: string, action: Action, body?: ActionBody, options?: RequestOptions): Promise<ActionResult>;
  /** `DELETE /agents/:id` */
  destroy(
    id: string,
    body: ActionBody & { confirm: string },
    options?: RequestOptions,
  ): Promise<ActionResult>;
  /** `GET /agents/:id/wait` — resolves with the agent once it has `status`; 408 `WAIT_TIMEOUT` otherwise. */
  waitFor(
    id: string,
    status: Status,
    timeoutSeconds: number,
    options?: RequestOptions,
  ): Promise<AgentResource>;
  /** `GET /agents/:id/audit`, every page (following `next`) from `after` to the end. */
  audit(id: string, after?: number, options?: RequestOptions): Promise<AuditEntryView[]>;
  /** `GET /agents/:id/audit/verify` */
  verifyAudit(id: string, options?: RequestOptions): Promise<AuditVerificationView>;
  /** `GET /agents/:id/explain`: why the agent is in its status. */
  explain(id: string, options?: RequestOptions): Promise<ExplanationView>;
  /** `GET /agents/:id/revisions` */
  revisions(id: string, options?: RequestOptions): Promise<RevisionView[]>;
  /** `POST /registration-tokens` */
  createRegistrationToken(
    body?: { expiresInSeconds?: number | undefined; owner?: string | undefined; code?: string | undefined },
    options?: RequestOptions,
  ): Promise<RegistrationToken>;
  /**
   * `GET /agents/:id/events`: yields a snapshot, then each status transition, until the server ends the stream or
   * `signal` aborts. Resolves the first `next()` only once the stream is open, so a caller can
   * subscribe first and read the agent second without missing a transition in between.
   */
  events(
    id: string,
    options?: { signal?: AbortSignal; lastEventId?: string },
  ): Promise<AsyncGenerator<StatusEventMessage>>;
}

/** A status event with its stream id. */
export interface StatusEventMessage extends StatusEvent {
  /**
   * `status` for a transition; `snapshot` for where the agent is when the stream opens (or when
   * a resumed stream cannot replay what was missed). A snapshot has no `from` and no `action`.
   */
  readonly type: 'status' | 'snapshot';
  /** The SSE `id:` (resume with it as `Last-Event-ID`). */
  readonly eventId: string | undefined;
}

/**
 * Create a client for a Berth API.
 *
 * @param options - Where the API is and how to authenticate.
 * @example
 * ```ts
 * const berth = createBerthClient({ url: 'http://127.0.0.1:3000/api', key: process.env.BERTH_KEY });
 * const agent = await berth.createAgent({ name: 'support-bot' });
 * await berth.waitFor(agent.id, 'running', 60);
 * ```
 */
export function createBerthClient(options: BerthClientOptions): BerthClient {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  function headers(extra: Record<string, string> = {}, request: RequestOptions = {}): Record<string, string> {
    const out: Record<string, string> = { accept: 'application/json', ...extra };
    if (options.key) out.authorization = `Bearer ${options.key}`;
    if (request.idempotencyKey) out['idempotency-key'] = request.idempotencyKey;
    if (request.ifMatch !== undefined) out['if-match'] = `"${request.ifMatch}"`;
    return out;
  }

  async function send(
    method: string,
    path: string,
    body: unknown,
    request: RequestOptions = {},
  ): Promise<Response> {
    const url = base + path;
    const init: RequestInit = {
      method,
      headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }, request),
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    return fetchOk(url, init, request.signal);
  }

  /** Fetch `url`: a network failure is a BerthConnectionError, an error status a BerthApiError. */
  async function fetchOk(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    if (signal) init.signal = signal;
    let response: Response;
    try {
      response = await doFetch(url, init);
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new BerthConnectionError(url, error);
    }
    if (!response.ok) throw new BerthApiError(await readProblem(response));
    return response;
  }

  async function json<T>(method: string, path: string, body?: unknown, request?: RequestOptions): Promise<T> {
    const response = await send(method, path, body, request);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  const agentPath = (id: string) => `/agents/${encodeURIComponent(id)}`;

  return {
    url: base,
    ...catalogClient(json),
    async listAgents(filter = {}, request) {
      const query = new URLSearchParams();
      if (filter.status) query.set('status', filter.status);
      if (filter.owner) query.set('owner', filter.owner);
      if (filter.profile) query.set('profile', filter.profile);
      const qs = query.size > 0 ? `?${query}` : '';
      return (await json<{ agents: AgentResource[] }>('GET', `/agents${qs}`, undefined, request)).agents;
    },
    getAgent(id, request = {}) {
      const qs = request.profile ? `?profile=${encodeURIComponent(request.profile)}` : '';
      return json<AgentResource>('GET', agentPath(id) + qs, undefined, request);
    },
    createAgent(body, request) {
      return json<AgentResource>('POST', '/agents', body, request);
    },
    act(id, action, body = {}, request) {
      return json<ActionResult>('POST', `${agentPath(id)}/actions/${action}`, body, request);
    },
    destroy(id, body, request) {
      return json<ActionResult>('DELETE', agentPath(id), body, request);
    },
    waitFor(id, status, timeoutSeconds, request) {
      const qs = new URLSearchParams({ status, timeout: String(timeoutSeconds) });
      return json<AgentResource>('GET', `${agentPath(id)}/wait?${qs}`, undefined, request);
    },
    async audit(id, after, request) {
      const entries: AuditEntryView[] = [];
      let from: number | null | undefined = after;
      // Pages of at most 1000 entries; `next` is the `after` of the following page (absent or null: done).
      for (;;) {
        const qs = new URLSearchParams({ limit: '1000' });
        if (from !== undefined && from !== null) qs.set('after', String(from));
        const page: { entries: AuditEntryView[]; next?: number | null } = await json(
          'GET',
          `${agentPath(id)}/audit?${qs}`,
          undefined,
          request,
        );
        entries.push(...page.entries);
        if (typeof page.next !== 'number' || page.entries.length === 0) return entries;
        from = page.next;
      }
    },
    verifyAudit(id, request) {
      return json<AuditVerificationView>('GET', `${agentPath(id)}/audit/verify`, undefined, request);
    },
    explain(id, request) {
      return json<ExplanationView>('GET', `${agentPath(id)}/explain`, undefined, request);
    },
    async revisions(id, request) {
      return (
        await json<{ revisions: RevisionView[] }>('GET', `${agentPath(id)}/revisions`, undefined, request)
      ).revisions;
    },
    createRegistrationToken(body = {}, request) {
      return json<RegistrationToken>('POST', '/registration-tokens', body, request);
    },
    async events(id, request = {}) {
      const url = `${base}${agentPath(id)}/events`;
      const extra: Record<string, string> = { accept: 'text/event-stream' };
      if (request.lastEventId) extra['last-event-id'] = request.lastEventId;
      const response = await fetchOk(url, { headers: headers(extra) }, request.signal);
      if (!response.body) throw new BerthConnectionError(url, new Error('the event stream has no body'));
      return statusEvents(readEventStream(response.body, request.signal));
    },
  };
}

async function* statusEvents(stream: AsyncGenerator<ServerSentEvent>): AsyncGenerator<StatusEventMessage> {
  for await (const message of stream) {
    if (message.event !== 'status' && message.event !== 'snapshot') continue;
    let data: StatusEvent;
    try {
      data = JSON.parse(message.data) as StatusEvent;
    } catch {
      continue;
    }
    yield {
      ...data,
      from: data.from ?? null,
      action: data.action ?? '',
      type: message.event,
      eventId: message.id,
    };
  }
}

async function readProblem(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body === 'object' && typeof body.code === 'string') {
      return { ...body, status: response.status, code: body.code };
    }
  } catch {
    // not JSON: fall through
  }
  return {
    status: response.status,
    code: `HTTP_${response.status}`,
    title: response.statusText,
    detail: text.trim().slice(0, 200) || `HTTP ${response.status} ${response.statusText}`,
  };
}

function describeCause(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
  }
  return error.message;
}
