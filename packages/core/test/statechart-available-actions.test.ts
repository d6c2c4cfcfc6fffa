/**
 * `availableActions`: every action either allowed or refused with a typed, explained denial —
 * what a dashboard uses to decide which buttons to show and what to say about the others.
 */
import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  type Action,
  type ActionAvailability,
  type Denial,
  type GuardEnv,
  unsupportedActions,
} from '../src/index.js';
import {
  allowedActions,
  allTransitions,
  availableActions,
  type ChartContext,
  INITIAL_STATE,
  PERMISSIVE_ENV,
  STATE_KEYS,
} from '../src/_internal/index.js';
import { ChartAgent } from './statechart-harness.js';

const NAME = 'billing-bot';
const managed: ChartContext = { name: NAME, kind: 'managed', operationId: null, recoveryAttempts: 0 };
const selfHosted: ChartContext = { ...managed, kind: 'self_hosted' };
const defaults: GuardEnv = {
  ...PERMISSIVE_ENV,
  requireReason: ['pause'],
  requireConfirm: ['recreate', 'destroy'],
};

function byAction(list: readonly ActionAvailability[]): Map<Action, ActionAvailability> {
  return new Map(list.map((a) => [a.action, a]));
}

function denialOf(key: string, action: Action, context: ChartContext, env: GuardEnv = defaults): Denial {
  const entry = byAction(availableActions(key, context, env)).get(action)!;
  if (entry.allowed) throw new Error(`${action} is allowed from ${key}`);
  return entry.denial;
}

function allowedIn(list: readonly ActionAvailability[]): Action[] {
  return list.filter((a) => a.allowed).map((a) => a.action);
}

describe('availableActions', () => {
  it('lists all 14 actions, each allowed or with a coded denial, a detail and an unblock hint', () => {
    for (const key of STATE_KEYS) {
      const list = availableActions(key, managed, defaults);
      expect(list.map((a) => a.action)).toEqual([...ACTIONS]);
      for (const a of list) {
        if (a.allowed) continue;
        expect(a.denial.code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
        expect(a.denial.detail.length).toBeGreaterThan(5);
        expect(a.denial.unblock.length).toBeGreaterThan(3);
      }
    }
  });

  it('agrees with allowedActions (the names API.md puts in availableActions)', () => {
    for (const key of STATE_KEYS)
      for (const context of [managed, selfHosted, { ...managed, operationId: 'op-1' }])
        expect(allowedIn(availableActions(key, context, defaults))).toEqual(
          allowedActions(key, context, defaults),
        );
  });

  it('refuses operations while one is in flight: OPERATION_IN_PROGRESS, "already provisioning"', () => {
    const busy = { ...managed, operationId: 'op-1' };
    const list = byAction(availableActions('provisioning', busy, defaults));
    for (const action of ['restart', 'stop', 'start', 'redeploy', 'recreate', 'rollback'] as const) {
      const entry = list.get(action)!;
      expect(entry.allowed).toBe(false);
      if (!entry.allowed) {
        expect(entry.denial.code).toBe('OPERATION_IN_PROGRESS');
        expect(entry.denial.detail).toContain('already provisioning');
      }
    }
    // Destroy and disable stay possible mid-operation.
    expect(list.get('destroy')!.allowed).toBe(true);
    expect(list.get('disable')!.allowed).toBe(true);
  });

  it('refuses an operator action on a settled agent whose operation has not settled yet', () => {
    const denial = denialOf('running', 'restart', { ...managed, operationId: 'op-9' });
    expect(denial.code).toBe('OPERATION_IN_PROGRESS');
    expect(denial.guard).toBe('noOperationInFlight');
  });

  it('refuses resume when the agent is not paused: "already running"', () => {
    const denial = denialOf('running', 'resume', managed);
    expect(denial.code).toBe('ILLEGAL_TRANSITION');
    expect(denial.detail).toContain('already running');
    expect(denial.guard).toBe('isPaused');
    expect(byAction(availableActions('running+paused', managed, defaults)).get('resume')!.allowed).toBe(true);
  });

  it('refuses deploy without a free slot: QUOTA_EXCEEDED', () => {
    const denial = denialOf('pending', 'deploy', managed, { ...defaults, slotAvailable: false });
    expect(denial.code).toBe('QUOTA_EXCEEDED');
    expect(denial.guard).toBe('slotAvailable');
    expect(denial.unblock).toMatch(/destroy/i);
    // A stopped agent keeps its slot: starting it needs no free one.
    const start = byAction(availableActions('stopped', managed, { ...defaults, slotAvailable: false })).get(
      'start',
    )!;
    expect(start.allowed).toBe(true);
  });

  it('asks for a reason instead of hiding the action (needsReason), and refuses without one: REASON_REQUIRED', () => {
    const pause = byAction(availableActions('running', managed, defaults)).get('pause')!;
    expect(pause).toMatchObject({
      allowed: true,
      needsReason: true,
      needsConfirmation: false,
      next: 'paused',
    });
    const agent = new ChartAgent(NAME, 'managed', defaults);
    agent.send('deploy');
    agent.send('provisioned');
    agent.send('op_succeeded');
    expect(agent.refuse('pause').code).toBe('REASON_REQUIRED');
    expect(agent.refuse('pause', { reason: '  ' }).code).toBe('REASON_REQUIRED');
    expect(agent.send('pause', { reason: 'budget review' })).toBe('paused');
  });

  it('asks for the typed name (needsConfirmation) and refuses a wrong one: CONFIRMATION_REQUIRED', () => {
    const list = byAction(availableActions('running', managed, defaults));
    expect(list.get('destroy')).toMatchObject({ allowed: true, needsConfirmation: true, next: 'deleting' });
    expect(list.get('recreate')).toMatchObject({
      allowed: true,
      needsConfirmation: true,
      next: 'provisioning',
    });
    const agent = new ChartAgent(NAME, 'managed', defaults);
    const denial = agent.refuse('destroy', { confirm: 'billing-bot2' });
    expect(denial.code).toBe('CONFIRMATION_REQUIRED');
    expect(denial.detail).toContain(`"${NAME}"`);
    expect(agent.send('destroy', { confirm: NAME })).toBe('deleting');
  });

  it('makes an action the driver cannot do unavailable, naming the driver', () => {
    const env: GuardEnv = {
      ...defaults,
      driverName: 'docker',
      unsupported: unsupportedActions({
        restart: false,
        redeploy: true,
        recreate: true,
        watch: false,
        list: false,
      }),
    };
    expect(env.unsupported).toEqual(['restart']);
    const denial = denialOf('running', 'restart', managed, env);
    expect(denial.code).toBe('ILLEGAL_TRANSITION');
    expect(denial.guard).toBe('driverSupports');
    expect(denial.detail).toBe("driver 'docker' cannot restart");
    expect(byAction(availableActions('running', managed, env)).get('redeploy')!.allowed).toBe(true);
  });

  it('refuses runtime actions on a paused agent and on a disabled one (ILLEGAL_TRANSITION, naming why)', () => {
    const paused = denialOf('running+paused', 'stop', managed);
    expect(paused.code).toBe('ILLEGAL_TRANSITION');
    expect(paused.guard).toBe('isAdmitting');
    expect(paused.detail).toMatch(/paused/);
    expect(paused.unblock).toMatch(/resume/i);
    const disabled = denialOf('running+disabled', 'restart', managed);
    expect(disabled.guard).toBe('isEnabled');
    expect(disabled.unblock).toMatch(/enable/i);
  });

  it('gives a self-hosted agent only disable, enable and destroy', () => {
    const agent = new ChartAgent('edge-agent', 'self_hosted', defaults);
    expect(allowedIn(availableActions(agent.key, agent.context, defaults))).toEqual(['disable', 'destroy']);
    agent.send('heartbeat');
    expect(agent.status).toBe('running');
    expect(allowedIn(availableActions(agent.key, agent.context, defaults))).toEqual(['disable', 'destroy']);
    const pause = denialOf(agent.key, 'pause', agent.context);
    expect(pause.detail).toContain('self-hosted');
    agent.send('disable');
    expect(allowedIn(availableActions(agent.key, agent.context, defaults))).toEqual(['enable', 'destroy']);
    // Wherever a self-hosted agent can get to, nothing else is ever offered to it.
    const reachable = new Set([INITIAL_STATE]);
    const edges = allTransitions().filter((t) => !t.guards.includes('isManaged'));
    for (let grew = true; grew; ) {
      grew = false;
      for (const t of edges)
        if (reachable.has(t.from) && !reachable.has(t.to)) {
          reachable.add(t.to);
          grew = true;
        }
    }
    expect(reachable.has('running+disabled+billing_suspended')).toBe(true);
    expect(reachable.has('running+paused')).toBe(false);
    for (const key of reachable)
      for (const action of allowedActions(key, selfHosted, defaults))
        expect(['disable', 'enable', 'destroy']).toContain(action);
  });

  it('offers nothing once the agent is deleted, and says why', () => {
    const list = availableActions('deleted', managed, defaults);
    expect(allowedIn(list)).toEqual([]);
    for (const a of list) if (!a.allowed) expect(a.denial.detail).toContain('deleted');
  });

  it('lists the allowed actions in the denial of an illegal one', () => {
    const denial = denialOf('stopped', 'stop', managed);
    expect(denial.code).toBe('ILLEGAL_TRANSITION');
    expect(denial.unblock).toContain('start');
    expect(denial.unblock).toContain('destroy');
  });
});
