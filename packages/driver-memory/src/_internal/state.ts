/**
 * What one memory driver holds, shared by its three parts (contract, faults, introspection):
 * the resources and workspaces, the fault queues, the call log, the listeners, and the helpers
 * that build, boot and describe a resource.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import {
  type Clock,
  DriverError,
  type DriverEvent,
  type DriverInspection,
  type DriverResult,
  type DriverTarget,
  type Endpoint,
  NO_CAPACITY,
} from '@berth/core';
import type { MemoryCall, MemoryOperation, MemoryResource, MemoryWorkspace } from '../types.js';
import type { LatencyTable } from './options.js';
import { createPortPool, givePort, type PortPool, takePort } from './ports.js';

/** A type with its `readonly` modifiers removed (the driver's own copy of what it hands out). */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** An injected fault, queued per operation. */
export type Fault = { readonly kind: 'fail'; readonly error: Error } | { readonly kind: 'hang' };

/** The state of one memory driver. */
export interface MemoryState {
  readonly clock: Clock;
  readonly latency: LatencyTable;
  readonly maxCalls: number;
  capacity: number;
  readonly resources: Map<string, Mutable<MemoryResource>>;
  readonly workspaces: Map<string, MemoryWorkspace>;
  /** Files of each workspace (path → text), by workspace id. */
  readonly files: Map<string, Map<string, string>>;
  /** Backup archives (copies of a workspace's files), by backup id. */
  readonly archives: Map<string, Map<string, string>>;
  /** Provisions in flight for agents that have no resource yet: inspect says `creating`. */
  readonly creating: Map<string, { operationId: string; owner: string }>;
  /** How many resources were built per agent. */
  readonly built: Map<string, number>;
  readonly faults: Map<MemoryOperation, Fault[]>;
  readonly calls: Mutable<MemoryCall>[];
  readonly watchers: Set<(event: DriverEvent) => void>;
  readonly roomWatchers: Set<(free: number) => void>;
  /** Controllers of the calls in flight (dispose aborts them). */
  readonly inFlight: Set<AbortController>;
  /** The simulated ports resources hold. */
  readonly ports: PortPool;
  resourceSeq: number;
  callSeq: number;
  dropping: number;
  duplicating: number;
}

/** A fresh, empty state. */
export function createState(
  clock: Clock,
  latency: LatencyTable,
  maxCalls: number,
  capacity: number,
): MemoryState {
  return {
    clock,
    latency,
    maxCalls,
    capacity,
    resources: new Map(),
    workspaces: new Map(),
    files: new Map(),
    archives: new Map(),
    creating: new Map(),
    built: new Map(),
    faults: new Map(),
    calls: [],
    watchers: new Set(),
    roomWatchers: new Set(),
    inFlight: new Set(),
    ports: createPortPool(),
    resourceSeq: 0,
    callSeq: 0,
    dropping: 0,
    duplicating: 0,
  };
}

/** Add an entry to the call log (bounded by `maxCalls`, oldest first out). */
export function logCall(
  state: MemoryState,
  op: MemoryOperation,
  agentId: string | null,
  operationId: string | null,
  replayed: boolean,
): Mutable<MemoryCall> {
  state.callSeq += 1;
  const call: Mutable<MemoryCall> = {
    seq: state.callSeq,
    op,
    agentId,
    operationId,
    at: state.clock.now(),
    outcome: 'pending',
    replayed,
  };
  state.calls.push(call);
  if (state.calls.length > state.maxCalls) state.calls.splice(0, state.calls.length - state.maxCalls);
  return call;
}

/** Build a new resource for the agent (replacing any), checking capacity when it is a new one. */
export function build(
  state: MemoryState,
  target: DriverTarget,
  operationId: string,
  credentials: MemoryResource['credentials'],
): Mutable<MemoryResource> {
  const { resources, workspaces, clock, capacity } = state;
  const replaced = resources.get(target.agentId);
  if (replaced === undefined && resources.size >= capacity) {
    throw new DriverError(
      NO_CAPACITY,
      `memory driver is full: ${resources.size} of ${capacity} agent(s) hosted, no room for ${target.agentId}`,
      { meta: { capacity, hosted: resources.size } },
    );
  }
  const workspaceId = replaced?.workspaceId ?? target.workspaceId;
  if (!workspaces.has(workspaceId)) {
    workspaces.set(workspaceId, { id: workspaceId, agentId: target.agentId, createdAt: clock.now() });
  }
  state.resourceSeq += 1;
  const image = target.revision.image;
  const resource: Mutable<MemoryResource> = {
    agentId: target.agentId,
    resourceId: `mem_${state.resourceSeq}`,
    owner: target.owner,
    name: target.name,
    workspaceId,
    state: 'running',
    health: null,
    exitCode: null,
    image,
    resolvedImage: `sha256:${createHash('sha256').update(image).digest('hex')}`,
    revisionId: target.revision.id,
    config: structuredClone(target.revision.config),
    credentials: credentials && { ...credentials },
    // Served on the port it had (redeploy, recreate), or on the lowest one no other resource holds.
    port: replaced?.port ?? takePort(state.ports),
    secrets: {},
    env: {},
    operationId,
    createdAt: clock.now(),
  };
  inject(resource, target);
  resources.set(target.agentId, resource);
  state.built.set(target.agentId, (state.built.get(target.agentId) ?? 0) + 1);
  return resource;
}

/** (Re)start the process of a resource: running, fresh health, secrets re-injected. */
export function boot(resource: Mutable<MemoryResource>, target: DriverTarget): void {
  resource.state = 'running';
  resource.exitCode = null;
  resource.health = null;
  inject(resource, target);
}

/** Set the resource's secrets and environment from the target (and its own credentials). */
export function inject(resource: Mutable<MemoryResource>, target: DriverTarget): void {
  resource.secrets = { ...target.secrets };
  const env: Record<string, string> = {};
  const configEnv = resource.config.env;
  if (typeof configEnv === 'object' && configEnv !== null && !Array.isArray(configEnv)) {
    for (const [key, value] of Object.entries(configEnv)) if (typeof value === 'string') env[key] = value;
  }
  Object.assign(env, target.secrets);
  if (resource.credentials) {
    env.BERTH_AGENT_ID = resource.credentials.agentId;
    env.BERTH_AGENT_TOKEN = resource.credentials.agentToken;
    if (resource.credentials.username !== undefined) env.BERTH_AGENT_USERNAME = resource.credentials.username;
    if (resource.credentials.password !== undefined) env.BERTH_AGENT_PASSWORD = resource.credentials.password;
  }
  resource.env = env;
}

/** What an operation reports about a resource. */
export function resultOf(resource: MemoryResource): DriverResult {
  return {
    resourceId: resource.resourceId,
    resolvedImage: resource.resolvedImage,
    endpoints: endpointsOf(resource),
  };
}

/** Where a resource is "served" (nothing listens: the memory driver runs no processes). */
export function endpointsOf(resource: MemoryResource | undefined): readonly Endpoint[] {
  return resource ? [{ name: 'http', url: `http://127.0.0.1:${resource.port}/` }] : [];
}

/** Remove an agent's resource and free its port; the resource, or undefined when it had none. */
export function dropResource(state: MemoryState, agentId: string): MemoryResource | undefined {
  const resource = state.resources.get(agentId);
  if (resource === undefined) return undefined;
  state.resources.delete(agentId);
  givePort(state.ports, resource.port);
  return resource;
}

/** What `inspect` shows of an agent. */
export function inspectionOf(state: MemoryState, agentId: string): DriverInspection {
  const resource = state.resources.get(agentId);
  if (resource !== undefined) {
    return {
      agentId,
      state: resource.state,
      health: resource.health,
      exitCode: resource.exitCode,
      resourceId: resource.resourceId,
      operationId: resource.operationId,
      owner: resource.owner,
    };
  }
  const pending = state.creating.get(agentId);
  return {
    agentId,
    state: pending ? 'creating' : 'missing',
    health: null,
    exitCode: null,
    resourceId: null,
    operationId: pending?.operationId ?? null,
    owner: pending?.owner ?? null,
  };
}

/** Tell room listeners when at least one agent fits. */
export function roomFreed(state: MemoryState): void {
  const free = state.capacity - state.resources.size;
  if (free <= 0) return;
  for (const listener of [...state.roomWatchers]) listener(free);
}

/** Deliver an event to every listener (unless dropped; twice when duplicated). */
export function emit(state: MemoryState, event: DriverEvent): void {
  if (state.dropping > 0) {
    state.dropping -= 1;
    return;
  }
  let times = 1;
  if (state.duplicating > 0) {
    state.duplicating -= 1;
    times = 2;
  }
  const errors: unknown[] = [];
  for (let i = 0; i < times; i += 1) {
    for (const listener of [...state.watchers]) {
      try {
        listener(event);
      } catch (error) {
        errors.push(error);
      }
    }
  }
  // A throwing listener must not silence the others; its error still surfaces to the caller.
  if (errors.length > 0) throw errors[0];
}
