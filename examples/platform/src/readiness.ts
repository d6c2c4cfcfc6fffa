/**
 * Readiness: `GET /healthz` (200 while the process runs), `GET /readyz` (200 when the store and
 * the driver answer, else 503), and the gate in front of everything else, which answers 503
 * `NOT_READY` as problem+json — never an HTML page — until the platform is ready, and again once
 * it is shutting down.
 *
 * @module
 */
import { BerthError, type LifecycleDriver, type LifecycleStore } from '@berth/core';
import { PROBLEM_CONTENT_TYPE, toProblem } from '@berth/core/http';
import type { Express, NextFunction, Request, Response } from 'express';

/** Where the platform is in its life. */
export type Phase = 'starting' | 'ready' | 'closing';

/** What `/readyz` asks. */
export interface ReadinessProbe {
  readonly store: LifecycleStore;
  readonly driver: LifecycleDriver;
}

/** The platform's readiness, moved along by `startPlatform`. */
export interface Readiness {
  readonly phase: Phase;
  /** Start/stop answering: the API is mounted, the store and the driver are those to probe. */
  ready(probe: ReadinessProbe): void;
  /** Shutting down: everything but `/healthz` answers 503 again. */
  closing(): void;
}

/** An id no agent has: probing it asks the store and the driver a question that costs nothing. */
const PROBE_ID = 'readyz-probe';
/** How long `/readyz` waits for the store or the driver before calling it unreachable. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Mount `/healthz`, `/readyz` and the gate on `app`. Call it before any other route: the gate
 * must see every request first.
 */
export function mountReadiness(app: Express): Readiness {
  let phase: Phase = 'starting';
  let probe: ReadinessProbe | null = null;

  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok', phase });
  });

  app.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    if (phase !== 'ready' || probe === null) return notReady(res, notReadyDetail(phase));
    const [store, driver] = await Promise.all([
      answers(() => probe!.store.get(PROBE_ID)),
      answers(() => probe!.driver.inspect(PROBE_ID)),
    ]);
    if (store !== null) return notReady(res, `the store does not answer: ${store}`);
    if (driver !== null) return notReady(res, `the driver does not answer: ${driver}`);
    res.json({ status: 'ready', store: 'ok', driver: 'ok' });
  });

  app.use((_req: Request, res: Response, next: NextFunction) => {
    if (phase === 'ready') return next();
    notReady(res, notReadyDetail(phase));
  });

  return {
    get phase() {
      return phase;
    },
    ready(p) {
      probe = p;
      phase = 'ready';
    },
    closing() {
      phase = 'closing';
    },
  };
}

function notReadyDetail(phase: Phase): string {
  return phase === 'closing'
    ? 'the server is shutting down'
    : 'the server is starting (opening its store, resuming operations, reconciling with its driver)';
}

/** 503 NOT_READY as problem+json, with `Retry-After`. */
function notReady(res: Response, detail: string): void {
  const { problem } = toProblem(new BerthError('NOT_READY', detail));
  res.status(problem.status).set('Retry-After', '1').type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/** Null when `call` settles in time; else what went wrong (an error code rather than internals). */
async function answers(call: () => Promise<unknown>): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${PROBE_TIMEOUT_MS} ms`), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      call().then(
        () => null,
        (error: unknown) => {
          const { code, driverCode } = (error ?? {}) as { code?: unknown; driverCode?: unknown };
          const named = typeof driverCode === 'string' ? driverCode : code;
          return typeof named === 'string' ? named : 'it failed';
        },
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
