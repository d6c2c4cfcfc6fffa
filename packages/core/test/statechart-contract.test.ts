/**
 * `lifecycleContract()` and the action-effect manifest: plain JSON, derived from the machine,
 * and consistent with what the chart actually does.
 */
import { describe, expect, it } from 'vitest';
import {
  ACTION_EFFECTS,
  ACTIONS,
  type Action,
  type DriverOperation,
  GUARD_EXPLANATIONS,
  lifecycleContract,
  lifecycleMachine,
  STATUS_KINDS,
  STATUSES,
  type Status,
  SYSTEM_EVENTS,
  unsupportedActions,
} from '../src/index.js';
import {
  allTransitions,
  compiledChart,
  configurationOf,
  STATE_KEYS,
  statusOfConfiguration,
} from '../src/_internal/index.js';

const contract = lifecycleContract();

/** The runtime state of a configuration key, or the top-level state itself. */
function runtimeOf(key: string): string {
  const config = configurationOf(key);
  return typeof config === 'string' ? config : config.runtime;
}

/** Which driver operation entering a runtime state means. */
const OPERATION_OF_STATE: Record<string, readonly DriverOperation[]> = {
  provisioning: ['provision', 'recreate'],
  starting: ['start'],
  restarting: ['restart'],
  redeploying: ['redeploy'],
  stopping: ['stop'],
  deleting: ['destroy'],
};

describe('lifecycleContract()', () => {
  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(contract))).toEqual(contract);
  });

  it('publishes every status with its kind and description, every action, event and guard', () => {
    expect(contract.statuses.map((s) => s.name)).toEqual([...STATUSES]);
    for (const s of contract.statuses) {
      expect(s.kind).toBe(STATUS_KINDS[s.name]);
      expect(s.description).toMatch(/\S/);
    }
    expect(contract.actions.map((a) => a.name)).toEqual([...ACTIONS]);
    expect(contract.systemEvents.map((e) => e.name)).toEqual([...SYSTEM_EVENTS]);
    expect(contract.guards.map((g) => g.name).sort()).toEqual(Object.keys(GUARD_EXPLANATIONS).sort());
    expect(contract.initial).toEqual({ state: 'pending', status: 'pending' });
  });

  it('derives its tables from the compiled chart, not from a second list', () => {
    expect(contract.configurations.map((c) => c.key)).toEqual([...STATE_KEYS]);
    expect(contract.configurationTransitions).toHaveLength(allTransitions().length);
    expect(contract.machine.id).toBe(lifecycleMachine.id);
    // Every status-level row stands for configuration-level rows with those statuses.
    for (const t of contract.transitions)
      for (const via of t.via) {
        expect(compiledChart.statusOf.get(via)).toBe(t.from);
        expect(
          contract.configurationTransitions.some(
            (c) => c.from === via && c.event === t.event && compiledChart.statusOf.get(c.to) === t.to,
          ),
        ).toBe(true);
      }
  });

  it('publishes the precedence: deleted, deleting > billing_suspended > disabled > paused > runtime', () => {
    expect(contract.effectiveStatus.summary).toBe(
      'deleted, deleting > billing_suspended > disabled > paused > the runtime status',
    );
    // Check it against every combination of overlays on every runtime state.
    const rules = contract.effectiveStatus.rules.filter((r) => r.region !== 'top' && r.region !== 'runtime');
    for (const key of STATE_KEYS) {
      const config = configurationOf(key);
      if (typeof config === 'string') continue;
      for (let mask = 0; mask < 1 << rules.length; mask++) {
        const probe = { ...config };
        rules.forEach((r, i) => {
          if (mask & (1 << i)) probe[r.region as 'billing'] = r.state;
        });
        const first = rules.find((r) => probe[r.region as 'billing'] === r.state);
        expect(statusOfConfiguration(probe)).toBe(first ? first.status : config.runtime);
      }
    }
  });

  it('has no way out of a terminal status, and a way on from every transient one by an outcome', () => {
    for (const s of contract.statuses) {
      const out = contract.transitions.filter((t) => t.from === s.name && !t.targetless && t.to !== s.name);
      if (s.kind === 'terminal') expect(out).toEqual([]);
      if (s.kind === 'transient')
        expect(
          out.some((t) => ['op_succeeded', 'op_failed', 'provisioned'].includes(t.event)),
          s.name,
        ).toBe(true);
    }
  });
});

describe('ACTION_EFFECTS', () => {
  it('has one entry per action, citing a seed or DESIGN.md', () => {
    expect(Object.keys(ACTION_EFFECTS)).toEqual([...ACTIONS]);
    for (const action of ACTIONS) {
      const e = ACTION_EFFECTS[action];
      expect(e.action).toBe(action);
      expect(e.source).toMatch(/AgentStead|Alfe|exocorp|Sekuire|Opstage|DESIGN/);
      expect(e.typicalDowntime).toMatch(/\S/);
      expect(e.instant).toBe(e.operation === null);
      if (e.reversedBy !== null) expect(e.reversible).toBe(true);
    }
  });

  it('states Berth semantics: credentials issued at provision, rotated by recreate, revoked by destroy; only destroy drops the workspace and frees a slot', () => {
    const credentials = Object.fromEntries(ACTIONS.map((a) => [a, ACTION_EFFECTS[a].credentials]));
    expect(credentials).toMatchObject({ deploy: 'issued', recreate: 'rotated', destroy: 'revoked' });
    for (const a of ACTIONS)
      if (!['deploy', 'recreate', 'destroy'].includes(a))
        expect(ACTION_EFFECTS[a].credentials, a).toBe('kept');
    expect(ACTIONS.filter((a) => !ACTION_EFFECTS[a].keepsWorkspace)).toEqual(['destroy']);
    expect(ACTIONS.filter((a) => ACTION_EFFECTS[a].freesSlot)).toEqual(['destroy']);
    expect(ACTIONS.filter((a) => ACTION_EFFECTS[a].needsSlot)).toEqual(['deploy']);
    expect(ACTIONS.filter((a) => !ACTION_EFFECTS[a].reversible)).toEqual(['recreate', 'destroy']);
  });

  it('matches the chart: an instant action keeps the runtime state, the others start their operation', () => {
    for (const t of allTransitions()) {
      if (!(ACTIONS as readonly string[]).includes(t.event)) continue;
      const effect = ACTION_EFFECTS[t.event as Action];
      const before = runtimeOf(t.from);
      const after = runtimeOf(t.to);
      if (effect.operation === null) expect(after, `${t.event} from ${t.from}`).toBe(before);
      else expect(OPERATION_OF_STATE[after], `${t.event} from ${t.from}`).toContain(effect.operation);
    }
  });

  it('names an undoing action that the chart offers once the action has settled', () => {
    const settle = (statuses: Set<Status>): Set<Status> => {
      const out = new Set<Status>();
      const queue = [...statuses];
      const seen = new Set(queue);
      while (queue.length > 0) {
        const s = queue.shift()!;
        if (STATUS_KINDS[s] !== 'transient') out.add(s);
        for (const t of contract.transitions)
          if (t.from === s && ['provisioned', 'op_succeeded'].includes(t.event) && !seen.has(t.to)) {
            seen.add(t.to);
            queue.push(t.to);
          }
      }
      return out;
    };
    for (const action of ACTIONS) {
      const undo = ACTION_EFFECTS[action].reversedBy;
      if (undo === null) continue;
      const landed = settle(
        new Set(contract.transitions.filter((t) => t.event === action).map((t) => t.to as Status)),
      );
      const undoFrom = contract.actions.find((a) => a.name === undo)!.from;
      expect(
        [...landed].some((s) => undoFrom.includes(s)),
        `${action} undone by ${undo}`,
      ).toBe(true);
    }
  });

  it('turns driver capabilities into unsupported actions', () => {
    const all = { restart: true, redeploy: true, recreate: true, watch: true, list: true };
    expect(unsupportedActions(all)).toEqual([]);
    expect(unsupportedActions({ ...all, redeploy: false })).toEqual([
      'redeploy',
      'update',
      'rollback',
      'reprovision',
    ]);
    expect(unsupportedActions({ ...all, restart: false, recreate: false })).toEqual(['restart', 'recreate']);
  });
});
