/**
 * The lifecycle contract: the whole statechart as plain JSON — statuses, actions with their
 * effects, system events, guards, the machine's state tree, the transitions at status and at
 * configuration level, and the effective-status precedence.
 *
 * Everything here is read from the XState machine and the table compiled from it; nothing is
 * a second, hand-written list of transitions. docs/statechart.md is rendered from this value
 * (`pnpm docs:gen`), and a dashboard or another language can consume it as is.
 *
 * @module
 */
import type { AnyStateNode } from 'xstate';
import { REGIONS, type Region } from './_internal/compile.js';
import { allTransitions, compiledChart, EVENT_TYPES, statusOfConfiguration } from './chart.js';
import { ACTION_EFFECTS, type ActionEffect } from './effects.js';
import {
  type ChartContext,
  type DataGuardName,
  DATA_GUARDS,
  type DenialCode,
  GUARD_EXPLANATIONS,
  type GuardEnv,
  type GuardName,
  isStateGuard,
  PERMISSIVE_ENV,
  STATE_GUARDS,
} from './guards.js';
import { guardNamesOf, lifecycleMachine } from './machine.js';
import {
  ACTIONS,
  type Action,
  type LifecycleEventType,
  STATUS_DESCRIPTIONS,
  STATUS_KINDS,
  STATUSES,
  type Status,
  type StatusKind,
  SYSTEM_EVENTS,
  type SystemEvent,
} from './vocabulary.js';

export type { Region } from './_internal/compile.js';

/** What every system event means (the runtime sends them; operators cannot). */
export const SYSTEM_EVENT_DESCRIPTIONS: Readonly<Record<SystemEvent, string>> = {
  provisioned: 'The driver created the runtime; it is booting.',
  op_succeeded: 'The operation in flight finished well.',
  op_failed: 'The operation in flight failed (the driver error code says why, e.g. NO_CAPACITY).',
  capacity_available: 'The driver has room again: a waitlisted agent is provisioned.',
  heartbeat: 'The agent reported in; a stale agent comes back to running.',
  heartbeat_stale: 'No heartbeat within the timeout: the agent is degraded.',
  health_degraded: 'The driver or a health check reported trouble.',
  health_recovered: 'The trouble is over.',
  billing_suspended: 'The owner has a billing problem: the agent is suspended.',
  billing_resolved: 'Billing is in good standing again: the agent returns to where it was.',
  purge: 'The grace period of a deleted agent is over: the record is removed (no status change).',
};

/** A status as the contract publishes it. */
export interface ContractStatus {
  readonly name: Status;
  readonly kind: StatusKind;
  readonly description: string;
  /** Where the status comes from: the top level, or the region whose state shows it. */
  readonly region: 'top' | Region;
}

/** An action as the contract publishes it: its effects and where it can be taken from. */
export interface ContractAction {
  readonly name: Action;
  readonly effects: ActionEffect;
  /** The statuses from which the chart has a transition for this action (guards may still refuse). */
  readonly from: readonly Status[];
}

/** A system event as the contract publishes it. */
export interface ContractSystemEvent {
  readonly name: SystemEvent;
  readonly description: string;
}

/** A named guard: what sort it is, how a refusal is coded and explained. */
export interface ContractGuard {
  readonly name: GuardName;
  /**
   * `state`: depends only on where the agent is in the chart (resolved ahead of time);
   * `data`: reads the agent's context, the event payload and the environment at decision time.
   */
  readonly sort: 'state' | 'data';
  /** For a state guard: the chart state it tests. */
  readonly stateId: string | null;
  /** The stable code a refusal by this guard carries. */
  readonly code: DenialCode;
  /** The refusal sentence, with `<action>`, `<name>` and `<driver>` standing for the real values. */
  readonly detail: string;
  /** What would unblock it. */
  readonly unblock: string;
}

/** A transition between effective statuses (deduplicated over configurations). */
export interface ContractTransition {
  readonly from: Status;
  readonly event: LifecycleEventType;
  readonly to: Status;
  /** The data guards checked at decision time, in order (state guards hold by construction). */
  readonly guards: readonly DataGuardName[];
  /** True when the event keeps the configuration (e.g. a heartbeat that only refreshes). */
  readonly targetless: boolean;
  /** The configurations this row stands for. */
  readonly via: readonly string[];
}

/** A configuration: one state per region, or a top-level state. */
export interface ContractConfiguration {
  readonly key: string;
  readonly status: Status;
  /** The state of each region, or `null` for the top-level `deleting` and `deleted`. */
  readonly regions: { readonly [R in Region]: string } | null;
}

/** A transition between configurations, as the compiled table holds it. */
export interface ContractConfigurationTransition {
  readonly from: string;
  readonly event: LifecycleEventType;
  readonly to: string;
  /** Every guard as written in the machine, in order. */
  readonly guards: readonly GuardName[];
  /** The data guards checked at decision time. */
  readonly dataGuards: readonly DataGuardName[];
  readonly targetless: boolean;
}

/** One rule of the effective-status precedence (earlier rules win). */
export interface EffectiveStatusRule {
  /** The top level (the agent is being or has been destroyed), an overlay region, or the runtime region. */
  readonly region: 'top' | Region;
  /** The state that triggers the rule (`*` for the runtime region: any of its states). */
  readonly state: string;
  /** The status shown, or `null` for the runtime rule (the runtime state's own status). */
  readonly status: Status | null;
}

/** A transition written on a state node of the machine. */
export interface ContractNodeTransition {
  readonly event: LifecycleEventType;
  /** The target node id, or `null` for a targetless transition. */
  readonly target: string | null;
  readonly guards: readonly GuardName[];
}

/** A state node of the machine, as written. */
export interface ContractNode {
  /** The XState id (`berth.agent.runtime.settled`). */
  readonly id: string;
  readonly key: string;
  readonly type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** The initial child's id (compound states). */
  readonly initial: string | null;
  readonly transitions: readonly ContractNodeTransition[];
  readonly states: readonly ContractNode[];
}

/** The whole lifecycle chart as JSON. */
export interface LifecycleContract {
  /** Bumped when the shape of this document changes. */
  readonly schemaVersion: 1;
  /** The configuration and status every new agent starts in. */
  readonly initial: { readonly state: string; readonly status: Status };
  readonly statuses: readonly ContractStatus[];
  readonly actions: readonly ContractAction[];
  readonly systemEvents: readonly ContractSystemEvent[];
  readonly guards: readonly ContractGuard[];
  /** Status-level transitions (what a person sees). */
  readonly transitions: readonly ContractTransition[];
  /** The effective-status precedence, highest first, and a one-line summary of it. */
  readonly effectiveStatus: { readonly rules: readonly EffectiveStatusRule[]; readonly summary: string };
  /** The reachable configurations. */
  readonly configurations: readonly ContractConfiguration[];
  /** Configuration-level transitions (the compiled table, state guards resolved). */
  readonly configurationTransitions: readonly ContractConfigurationTransition[];
  /** The machine's state tree as written. */
  readonly machine: ContractNode;
}

const statusRank = new Map<string, number>(STATUSES.map((s, i) => [s, i]));
const eventRank = new Map<string, number>(EVENT_TYPES.map((e, i) => [e, i]));

/** Placeholders used to render a guard's refusal sentence without a real agent. */
const PLACEHOLDER_CONTEXT: ChartContext = {
  name: '<name>',
  kind: 'managed',
  operationId: null,
  recoveryAttempts: 0,
};
const PLACEHOLDER_ENV: GuardEnv = { ...PERMISSIVE_ENV, driverName: '<driver>' };

function guardsOf(): ContractGuard[] {
  const names = [...Object.keys(DATA_GUARDS), ...Object.keys(STATE_GUARDS)] as GuardName[];
  return names.map((name) => {
    const why = GUARD_EXPLANATIONS[name];
    const state = isStateGuard(name);
    return {
      name,
      sort: state ? 'state' : 'data',
      stateId: state ? STATE_GUARDS[name].replace(/^#/, '') : null,
      code: why.code,
      detail: why.detail('<action>', PLACEHOLDER_CONTEXT, PLACEHOLDER_ENV),
      unblock: why.unblock,
    };
  });
}

function configurationsOf(): ContractConfiguration[] {
  return compiledChart.keys.map((key) => {
    const config = compiledChart.configurations.get(key)!;
    return {
      key,
      status: compiledChart.statusOf.get(key)!,
      regions: typeof config === 'string' ? null : { ...config },
    };
  });
}

/**
 * The precedence, derived by probing `statusOfConfiguration`: which state of each overlay
 * region changes the status shown, and which overlay wins when two are on together.
 */
function effectiveStatusRules(): EffectiveStatusRule[] {
  const configs = [...compiledChart.configurations.values()];
  const top: EffectiveStatusRule[] = configs
    .filter((c): c is 'deleting' | 'deleted' => typeof c === 'string')
    .sort((a, b) => statusRank.get(b)! - statusRank.get(a)!)
    .map((c) => ({ region: 'top', state: c, status: statusOfConfiguration(c) }));
  const regional = configs.filter((c) => typeof c !== 'string');
  const base = compiledChart.configurations.get(compiledChart.initial)!;
  if (typeof base === 'string') throw new Error('berth: the initial configuration is not inside agent');
  const baseStatus = statusOfConfiguration(base);
  const overlays: { region: Region; state: string; status: Status }[] = [];
  for (const region of REGIONS) {
    if (region === 'runtime') continue;
    const states = new Set(regional.map((c) => c[region]));
    for (const state of states) {
      const status = statusOfConfiguration({ ...base, [region]: state });
      if (status !== baseStatus) overlays.push({ region, state, status });
    }
  }
  const wins = (a: (typeof overlays)[number], b: (typeof overlays)[number]) =>
    statusOfConfiguration({ ...base, [a.region]: a.state, [b.region]: b.state }) === a.status;
  overlays.sort((a, b) => {
    const ab = wins(a, b);
    if (ab === wins(b, a)) throw new Error(`berth: no precedence between ${a.status} and ${b.status}`);
    return ab ? -1 : 1;
  });
  return [...top, ...overlays, { region: 'runtime', state: '*', status: null }];
}

function nodeOf(node: AnyStateNode): ContractNode {
  const transitions: ContractNodeTransition[] = [];
  for (const [event, defs] of node.transitions) {
    for (const def of defs as readonly { target?: readonly AnyStateNode[]; guard?: unknown }[]) {
      transitions.push({
        event: event as LifecycleEventType,
        target: def.target?.[0]?.id ?? null,
        guards: guardNamesOf(def.guard),
      });
    }
  }
  const initial = node.initial?.target?.[0] as AnyStateNode | undefined;
  return {
    id: node.id,
    key: node.key,
    type: node.type,
    initial: initial?.id ?? null,
    transitions,
    states: (Object.values(node.states) as AnyStateNode[]).map(nodeOf),
  };
}

function statusTransitions(): ContractTransition[] {
  const rows = new Map<string, { row: Omit<ContractTransition, 'via'>; via: string[] }>();
  for (const t of allTransitions()) {
    const from = compiledChart.statusOf.get(t.from)!;
    const to = compiledChart.statusOf.get(t.to)!;
    const id = [from, t.event, to, t.targetless, ...t.dataGuards].join(' ');
    const existing = rows.get(id);
    if (existing) existing.via.push(t.from);
    else
      rows.set(id, {
        row: { from, event: t.event, to, guards: t.dataGuards, targetless: t.targetless },
        via: [t.from],
      });
  }
  return [...rows.values()]
    .map(({ row, via }) => ({ ...row, via }))
    .sort(
      (a, b) =>
        statusRank.get(a.from)! - statusRank.get(b.from)! ||
        eventRank.get(a.event)! - eventRank.get(b.event)! ||
        statusRank.get(a.to)! - statusRank.get(b.to)! ||
        a.guards.length - b.guards.length,
    );
}

/**
 * The whole lifecycle chart as JSON, derived from the machine and its compiled table.
 *
 * @returns A plain, JSON-serialisable description of every status, action (with its effects),
 * system event, guard and transition, and the effective-status precedence.
 * @example
 * ```ts
 * import { lifecycleContract } from '@berth/core';
 *
 * const contract = lifecycleContract();
 * contract.transitions.filter((t) => t.from === 'stopped').map((t) => t.event);
 * // ['start', 'restart', 'redeploy', …, 'destroy', …]
 * ```
 */
export function lifecycleContract(): LifecycleContract {
  const transitions = statusTransitions();
  const rules = effectiveStatusRules();
  const regionOf = new Map<Status, 'top' | Region>();
  for (const rule of rules) if (rule.status !== null) regionOf.set(rule.status, rule.region);
  return {
    schemaVersion: 1,
    initial: { state: compiledChart.initial, status: compiledChart.statusOf.get(compiledChart.initial)! },
    statuses: STATUSES.map((name) => ({
      name,
      kind: STATUS_KINDS[name],
      description: STATUS_DESCRIPTIONS[name],
      region: regionOf.get(name) ?? 'runtime',
    })),
    actions: ACTIONS.map((name) => ({
      name,
      effects: ACTION_EFFECTS[name],
      from: STATUSES.filter((s) => transitions.some((t) => t.event === name && t.from === s)),
    })),
    systemEvents: SYSTEM_EVENTS.map((name) => ({ name, description: SYSTEM_EVENT_DESCRIPTIONS[name] })),
    guards: guardsOf(),
    transitions,
    effectiveStatus: {
      rules,
      // Top-level states exclude each other, so they share a rank.
      summary: [
        rules
          .filter((r) => r.region === 'top')
          .map((r) => r.status)
          .join(', '),
        ...rules.filter((r) => r.region !== 'top').map((r) => r.status ?? 'the runtime status'),
      ].join(' > '),
    },
    configurations: configurationsOf(),
    configurationTransitions: allTransitions().map((t) => ({
      from: t.from,
      event: t.event,
      to: t.to,
      guards: t.guards,
      dataGuards: t.dataGuards,
      targetless: t.targetless,
    })),
    machine: nodeOf(lifecycleMachine.root as AnyStateNode),
  };
}
