/**
 * Compiles the XState machine into a decision table: reachable configuration × event →
 * ordered candidate transitions with their data guards. State guards are resolved here, once,
 * because they depend only on the configuration.
 *
 * The compiler reads the machine's own state nodes and transition definitions (no second,
 * hand-written list) and reproduces XState's selection rule for this machine's shape: the
 * deepest candidate wins, and a region-internal transition pre-empts one defined on `agent`.
 * It refuses shapes it does not reproduce (an event handled inside two regions at once).
 */
import type { AnyStateNode } from 'xstate';
import {
  type ChartContext,
  type ChartEvent,
  DATA_GUARDS,
  type DataGuardName,
  type GuardName,
  isStateGuard,
  STATE_GUARDS,
  type StateGuardName,
} from '../guards.js';
import { guardNamesOf, lifecycleMachine } from '../machine.js';
import { ACTIONS, type LifecycleEventType, SYSTEM_EVENTS, type Status } from '../vocabulary.js';

/** The four orthogonal regions of `agent`, in document order. */
export const REGIONS = ['runtime', 'admission', 'access', 'billing'] as const;
export type Region = (typeof REGIONS)[number];

/** Every event type the chart knows, actions first. */
export const EVENT_TYPES: readonly LifecycleEventType[] = [...ACTIONS, ...SYSTEM_EVENTS];

/** A configuration: one leaf per region, or a top-level leaf (`deleting`, `deleted`). */
export type Configuration = { readonly [R in Region]: string } | 'deleting' | 'deleted';

/** A compiled transition: what fires, under which data guards, and where it goes. */
export interface CompiledTransition {
  readonly from: string;
  readonly event: LifecycleEventType;
  readonly to: string;
  /** Every guard as written in the machine, in order. */
  readonly guards: readonly GuardName[];
  /** The data guards still to check at decision time (state guards resolved). */
  readonly dataGuards: readonly DataGuardName[];
  /** The data guard functions, in the same order (hot path: no lookups). */
  readonly checks: readonly ((c: ChartContext, e: ChartEvent) => boolean)[];
  /** The first state guard that fails in this configuration; the transition can never fire here. */
  readonly blockedBy: StateGuardName | null;
  /** True when the transition keeps the configuration (e.g. a heartbeat that only refreshes). */
  readonly targetless: boolean;
}

/** The compiled table. */
export interface CompiledChart {
  readonly initial: string;
  /** Configuration keys in discovery order. */
  readonly keys: readonly string[];
  readonly configurations: ReadonlyMap<string, Configuration>;
  readonly statusOf: ReadonlyMap<string, Status>;
  /** key → event → candidates, in XState's priority order. */
  readonly table: ReadonlyMap<string, ReadonlyMap<LifecycleEventType, readonly CompiledTransition[]>>;
}

/** The key of a configuration: `running`, `running+paused+disabled`, `deleted`, … */
export function configurationKey(config: Configuration): string {
  if (typeof config === 'string') return config;
  let key = config.runtime;
  if (config.admission === 'paused') key += '+paused';
  if (config.access === 'disabled') key += '+disabled';
  if (config.billing === 'suspended') key += '+billing_suspended';
  return key;
}

/**
 * The one effective status of a configuration, by precedence:
 * deleted, deleting > billing_suspended > disabled > paused > the runtime status.
 */
export function statusOfConfiguration(config: Configuration): Status {
  if (typeof config === 'string') return config;
  if (config.billing === 'suspended') return 'billing_suspended';
  if (config.access === 'disabled') return 'disabled';
  if (config.admission === 'paused') return 'paused';
  return config.runtime as Status;
}

function leaves(node: AnyStateNode): AnyStateNode[] {
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length === 0) return [node];
  return children.flatMap(leaves);
}

function initialLeaf(node: AnyStateNode): AnyStateNode {
  let current = node;
  while (Object.keys(current.states).length > 0) {
    const target = current.initial?.target?.[0];
    if (!target) throw new Error(`berth: compound state ${current.id} has no initial state`);
    current = target as AnyStateNode;
  }
  return current;
}

function ancestors(node: AnyStateNode, stopAt: AnyStateNode | undefined): AnyStateNode[] {
  const chain: AnyStateNode[] = [];
  for (let n: AnyStateNode | undefined = node; n && n !== stopAt; n = n.parent) chain.push(n);
  return chain;
}

function isWithin(node: AnyStateNode, container: AnyStateNode): boolean {
  for (let n: AnyStateNode | undefined = node; n; n = n.parent) if (n === container) return true;
  return false;
}

/** Compile the lifecycle machine. Runs once at module load; throws on shapes it cannot reproduce. */
export function compileChart(): CompiledChart {
  const root = lifecycleMachine.root as AnyStateNode;
  const agent = root.states.agent as AnyStateNode;
  const regionNodes = REGIONS.map((r) => agent.states[r] as AnyStateNode);
  const leafByKey = new Map<string, AnyStateNode>();
  const regionLeafByKey = REGIONS.map(() => new Map<string, AnyStateNode>());
  regionNodes.forEach((regionNode, i) => {
    for (const leaf of leaves(regionNode)) {
      if (regionLeafByKey[i]!.has(leaf.key)) throw new Error(`berth: duplicate leaf ${leaf.key}`);
      regionLeafByKey[i]!.set(leaf.key, leaf);
    }
  });
  for (const top of Object.values(root.states) as AnyStateNode[])
    if (top !== agent) leafByKey.set(top.key, top);

  const transitionsOn = (node: AnyStateNode, event: LifecycleEventType) =>
    (node.transitions.get(event) ?? []) as readonly { target?: readonly AnyStateNode[]; guard?: unknown }[];

  const activeNodes = (config: Configuration): Set<AnyStateNode> => {
    const set = new Set<AnyStateNode>([root]);
    if (typeof config === 'string') {
      set.add(leafByKey.get(config)!);
      return set;
    }
    REGIONS.forEach((r, i) => {
      for (const n of ancestors(regionLeafByKey[i]!.get(config[r])!, undefined)) set.add(n);
    });
    return set;
  };

  const stateGuardHolds = (name: StateGuardName, active: Set<AnyStateNode>) =>
    active.has(lifecycleMachine.getStateNodeById(STATE_GUARDS[name]) as AnyStateNode);

  const targetOf = (config: Configuration, target: readonly AnyStateNode[] | undefined): Configuration => {
    if (!target || target.length === 0) return config;
    if (target.length !== 1) throw new Error('berth: multi-target transitions are not compiled');
    const t = target[0]!;
    const regionIndex = regionNodes.findIndex((rn) => isWithin(t, rn));
    if (regionIndex < 0) {
      if (t === agent) throw new Error('berth: transitions into agent itself are not compiled');
      return initialLeaf(t).key as Configuration;
    }
    if (typeof config === 'string')
      throw new Error('berth: no transition re-enters agent from the top level');
    return { ...config, [REGIONS[regionIndex]!]: initialLeaf(t).key };
  };

  const initial: Configuration = {
    runtime: initialLeaf(regionNodes[0]!).key,
    admission: initialLeaf(regionNodes[1]!).key,
    access: initialLeaf(regionNodes[2]!).key,
    billing: initialLeaf(regionNodes[3]!).key,
  };

  const configurations = new Map<string, Configuration>();
  const statusOf = new Map<string, Status>();
  const table = new Map<string, Map<LifecycleEventType, CompiledTransition[]>>();
  const queue: Configuration[] = [initial];
  configurations.set(configurationKey(initial), initial);

  while (queue.length > 0) {
    const config = queue.shift()!;
    const key = configurationKey(config);
    const active = activeNodes(config);
    statusOf.set(key, statusOfConfiguration(config));
    const byEvent = new Map<LifecycleEventType, CompiledTransition[]>();
    for (const event of EVENT_TYPES) {
      const defs: { target?: readonly AnyStateNode[]; guard?: unknown }[] = [];
      if (typeof config === 'string') {
        for (const n of ancestors(leafByKey.get(config)!, undefined)) defs.push(...transitionsOn(n, event));
      } else {
        let handlingRegion = -1;
        REGIONS.forEach((r, i) => {
          const internal = ancestors(regionLeafByKey[i]!.get(config[r])!, agent).flatMap((n) =>
            transitionsOn(n, event),
          );
          if (internal.length === 0) return;
          if (handlingRegion >= 0) throw new Error(`berth: '${event}' is handled inside two regions`);
          handlingRegion = i;
          defs.push(...internal);
        });
        for (const n of ancestors(agent, undefined)) defs.push(...transitionsOn(n, event));
      }
      if (defs.length === 0) continue;
      const compiled = defs.map((def): CompiledTransition => {
        const guards = guardNamesOf(def.guard);
        const blockedBy =
          (guards.find((g) => isStateGuard(g) && !stateGuardHolds(g, active)) as
            | StateGuardName
            | undefined) ?? null;
        const dataGuards = guards.filter((g): g is DataGuardName => !isStateGuard(g));
        const next = targetOf(config, def.target);
        const to = configurationKey(next);
        if (blockedBy === null && !configurations.has(to)) {
          configurations.set(to, next);
          queue.push(next);
        }
        return {
          from: key,
          event,
          to,
          guards,
          dataGuards,
          checks: dataGuards.map((g) => DATA_GUARDS[g]),
          blockedBy,
          targetless: !def.target || def.target.length === 0,
        };
      });
      byEvent.set(event, compiled);
    }
    table.set(key, byEvent);
  }

  return {
    initial: configurationKey(initial),
    keys: [...configurations.keys()],
    configurations,
    statusOf,
    table,
  };
}
