/**
 * `defineDriver()`: what every driver needs around its engine logic, written once. A driver
 * author writes the engine calls (create, start, stop, remove, look); the wrapper adds:
 *
 * - refusing an operation whose signal is already aborted (nothing reaches the engine);
 * - replay per operation id: a repeat joins the first call while it runs and answers with its
 *   result once it succeeded (a failed or aborted one may be retried with the same id); an id
 *   reused for another operation or agent is refused with `OPERATION_ID_REUSED`;
 * - one operation at a time per agent, in arrival order (a waiting caller whose signal aborts is
 *   rejected at once, and its work never runs);
 * - `DriverError` messages prefixed with the driver's name (`docker driver: …`).
 *
 * After better-auth's `createAdapterFactory`: the factory owns the policy, the adapter owns the
 * engine.
 *
 * @module
 */
import { DriverError } from '../errors.js';
import type { LifecycleDriver } from '../driver.js';
import { createAgentLanes } from './agent-lanes.js';

/** Driver code of an operation id reused for another operation or agent. */
export const OPERATION_ID_REUSED = 'OPERATION_ID_REUSED';

/** Driver code of an operation refused because its signal was already aborted (the default refusal). */
export const OPERATION_ABORTED = 'ABORTED';

/** The operations `defineDriver` wraps (the per-agent ones that take a target and a context). */
export const WRAPPED_OPERATIONS = [
  'provision',
  'start',
  'stop',
  'restart',
  'redeploy',
  'recreate',
  'destroy',
  'backup',
  'restore',
] as const;

/** A per-agent operation `defineDriver` wraps. */
export type WrappedOperation = (typeof WRAPPED_OPERATIONS)[number];

/** One call as {@link DefineDriverOptions.onCall} sees it. */
export interface DriverCall {
  readonly operation: WrappedOperation;
  readonly agentId: string;
  readonly operationId: string;
  /** Answered from the replay memory: the engine is not called again. */
  readonly replayed: boolean;
}

/** How a call ended. `aborted` when it rejected with an error named `AbortError` or the aborted refusal. */
export type DriverCallOutcome = 'succeeded' | 'failed' | 'aborted';

/** Options of {@link defineDriver}. */
export interface DefineDriverOptions {
  /**
   * Who answers a repeated operation id:
   * - `remember`: the wrapper, from memory (for drivers whose resources live in the process);
   * - `engine`: the engine itself, which labels what it makes with the operation id so that a
   *   repeat in another process finds it (the wrapper then adds no memory of its own).
   * @default 'remember'
   */
  readonly replay?: 'remember' | 'engine';
  /**
   * The error a call is refused (or abandoned) with when its signal aborts before the engine
   * runs it. @default `DriverError('ABORTED', '<driver> driver: <operation> of <agent> aborted before it started')`
   */
  readonly abortError?: (operation: WrappedOperation, agentId: string, signal: AbortSignal) => Error;
  /**
   * Told of every call as it arrives (replays and refusals included); the returned function, if
   * any, is told how it ended. For call logs and metrics.
   */
  readonly onCall?: (call: DriverCall) => ((outcome: DriverCallOutcome) => void) | undefined;
  /**
   * Called when a repeat was answered from memory, before the caller sees the result: the place
   * to apply what a repeat may change (e.g. a resumed provision's rotated credentials).
   */
  readonly onReplay?: (
    operation: WrappedOperation,
    target: { readonly agentId: string },
    result: unknown,
  ) => void;
}

type Remembered = {
  readonly operation: WrappedOperation;
  readonly agentId: string;
  readonly outcome: Promise<unknown>;
};

type AnyContext = { readonly operationId: string; readonly signal: AbortSignal };
type AnyOperation = (target: { readonly agentId: string }, ctx: AnyContext) => Promise<unknown>;

function isDriverError(error: unknown): error is DriverError {
  return (
    error instanceof DriverError ||
    (error instanceof Error && (error as { code?: unknown }).code === 'DRIVER_ERROR')
  );
}

function outcomeOf(error: unknown): DriverCallOutcome {
  if (error instanceof Error && error.name === 'AbortError') return 'aborted';
  if (isDriverError(error) && error.driverCode === OPERATION_ABORTED) return 'aborted';
  return 'failed';
}

/** Settle like `promise`, or reject with `abortError()` first when `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, abortError: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Wrap a driver's engine logic with what every driver needs: aborted-signal refusal, replay per
 * operation id, one operation at a time per agent, errors named after the driver. Every other
 * property of `driver` (its extras, getters included) is kept as it is; `inspect` and `list`
 * only get their errors named.
 *
 * @param driver - The engine logic: a {@link LifecycleDriver} whose operations do the work once.
 * @param options - Replay policy, the refusal error, call hooks.
 * @returns A driver of the same type, with the wrapped operations.
 * @example
 * ```ts
 * export function createAcmeDriver(): LifecycleDriver {
 *   return defineDriver({
 *     name: 'acme',
 *     async provision(target, ctx) { return { resourceId: await acme.create(target) }; },
 *     async start(target) { await acme.start(target.agentId); return undefined; },
 *     async stop(target) { await acme.stop(target.agentId); return undefined; },
 *     async destroy(target) { await acme.remove(target.agentId); return undefined; },
 *     async inspect(agentId) { return acme.inspect(agentId); },
 *   });
 * }
 * ```
 */
export function defineDriver<D extends LifecycleDriver>(driver: D, options: DefineDriverOptions = {}): D {
  const name = driver.name;
  const replay = options.replay ?? 'remember';
  const lanes = createAgentLanes();
  const remembered = new Map<string, Remembered>();
  const prefix = `${name} driver`;

  const named = (error: unknown): unknown => {
    if (isDriverError(error) && !error.message.startsWith(prefix)) {
      error.message = `${prefix}: ${error.message}`;
    }
    return error;
  };
  const abortErrorOf = (operation: WrappedOperation, agentId: string, signal: AbortSignal): Error =>
    options.abortError
      ? options.abortError(operation, agentId, signal)
      : new DriverError(
          OPERATION_ABORTED,
          `${prefix}: ${operation} of ${agentId} aborted before it started`,
          {
            cause: signal.reason,
          },
        );

  function observe<T>(promise: Promise<T>, settle: ((outcome: DriverCallOutcome) => void) | undefined) {
    if (settle === undefined) return;
    promise.then(
      () => settle('succeeded'),
      (error: unknown) => settle(outcomeOf(error)),
    );
  }

  function wrap(operation: WrappedOperation, engine: AnyOperation): AnyOperation {
    return (target, ctx) => {
      const agentId = target.agentId;
      const abortError = () => abortErrorOf(operation, agentId, ctx.signal);
      const known = replay === 'remember' ? remembered.get(ctx.operationId) : undefined;
      const settle = options.onCall?.({
        operation,
        agentId,
        operationId: ctx.operationId,
        replayed: known !== undefined,
      });
      let result: Promise<unknown>;
      if (known !== undefined) {
        if (known.operation !== operation || known.agentId !== agentId) {
          result = Promise.reject(
            new DriverError(
              OPERATION_ID_REUSED,
              `operation id ${ctx.operationId} was used for ${known.operation} of ${known.agentId}, not ${operation} of ${agentId}`,
            ),
          );
        } else {
          result = raceAbort(known.outcome, ctx.signal, abortError).then((value) => {
            options.onReplay?.(operation, target, value);
            return value;
          });
        }
      } else if (ctx.signal.aborted) {
        result = Promise.reject(abortError());
      } else {
        result = lanes.run(agentId, ctx.signal, abortError, () => engine(target, ctx));
        if (replay === 'remember') {
          const entry: Remembered = { operation, agentId, outcome: result };
          remembered.set(ctx.operationId, entry);
          // Only successes are remembered: a failed or aborted operation may be retried with its id.
          result.catch(() => {
            if (remembered.get(ctx.operationId) === entry) remembered.delete(ctx.operationId);
          });
        }
      }
      observe(result, settle);
      return result.catch((error: unknown) => {
        throw named(error);
      });
    };
  }

  const wrapped = Object.defineProperties({}, Object.getOwnPropertyDescriptors(driver)) as D;
  const target = wrapped as unknown as Record<string, unknown>;
  for (const operation of WRAPPED_OPERATIONS) {
    const engine = (driver as unknown as Record<string, unknown>)[operation];
    if (typeof engine !== 'function') continue;
    Object.defineProperty(wrapped, operation, {
      value: wrap(operation, (engine as AnyOperation).bind(driver)),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  for (const look of ['inspect', 'list'] as const) {
    const engine = target[look];
    if (typeof engine !== 'function') continue;
    const bound = (engine as (...args: unknown[]) => Promise<unknown>).bind(driver);
    Object.defineProperty(wrapped, look, {
      value: (...args: unknown[]) =>
        bound(...args).catch((error: unknown) => {
          throw named(error);
        }),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  return wrapped;
}
