/**
 * Golden traces of the lifecycle manager: for a fixed set of scenarios (a walk per seed profile,
 * concurrency races, crash and resume, the waitlist, sweeps on a manual clock) the normalised
 * audit trails, the driver calls in order, the emitted events and each step's outcome, compared
 * with the snapshots under `golden/`. A refactor must leave every one of them unchanged.
 */
import { type AgentView, PROFILE_NAMES, PROFILES, type VendorProfile } from '@berth/core';
import { describe, expect, it } from 'vitest';
import { type GoldenContext, runGolden } from './golden-harness.js';

const file = (name: string) => `./golden/${name}.trace.txt`;

async function createRunning(g: GoldenContext, name: string, owner = 'acme'): Promise<AgentView> {
  const agent = (await g.step(`create ${name}`, () =>
    g.manager.create({ name, owner }, { actor: 'user:ada' }),
  ))!;
  g.track(agent.id);
  await g.settle();
  return agent;
}

/** Every operator action in turn, with a reason and the name typed, settling after each. */
async function walkManaged(g: GoldenContext, profile: VendorProfile): Promise<void> {
  const agent = await createRunning(g, `${profile.name}-bot`);
  const act = async (action: Parameters<GoldenContext['manager']['dispatch']>[1], extra = {}) => {
    await g.step(`${action}`, () =>
      g.manager.dispatch(agent.id, action, {
        actor: 'user:ada',
        reason: `golden ${action}`,
        confirm: agent.name,
        ...extra,
      }),
    );
    await g.settle();
  };
  // Refusals first: a missing reason and a missing confirmation, where the profile asks for them.
  await g.step('pause without reason', () => g.manager.dispatch(agent.id, 'pause', { actor: 'user:ada' }));
  await g.step('destroy without confirm', () =>
    g.manager.dispatch(agent.id, 'destroy', { actor: 'user:ada' }),
  );
  await act('pause');
  await g.step('commands while paused', () => g.manager.enqueueCommand(agent.id, { type: 'noop' }));
  await act('resume');
  await act('stop');
  await act('stop');
  await act('start');
  await act('restart');
  await act('redeploy');
  await act('update', { image: 'berth/agent:2' });
  const revisions = await g.manager.revisions(agent.id);
  await act('rollback', { revision: revisions[0]!.id });
  await act('reprovision');
  await act('recreate');
  await act('disable');
  await act('enable');
  await g.step('billing suspended', () => g.manager.setBilling(agent.id, true, { reason: 'unpaid' }));
  await g.step('billing resolved', () => g.manager.setBilling(agent.id, false));
  await g.step('crash', async () => g.driver.crash(agent.id, 137, { oom: true }));
  await g.settle();
  await g.advance(2_000);
  await g.step('tick (recovery)', () => g.manager.tick());
  await g.settle();
  await act('destroy');
  await g.step('get after destroy', () => g.manager.get(agent.id));
  await g.step(
    'view list',
    () => g.manager.list({ owner: 'acme' }),
    (l) => l.map((a) => a.status),
  );
}

async function walkSelfHosted(g: GoldenContext, profile: VendorProfile): Promise<void> {
  const reg = await g.step('registration token', () => g.manager.createRegistrationToken({ owner: 'acme' }));
  const joined = await g.step('register', () =>
    g.manager.register({ registrationToken: reg!.token, code: `${profile.name}-host`, runtime: 'node' }),
  );
  const id = joined!.agentId;
  g.track(id);
  await g.step('register again with a used token', () =>
    g.manager.register({ registrationToken: reg!.token, code: `${profile.name}-host` }),
  );
  await g.step('authenticate', () => g.manager.authenticateAgent(id, joined!.agentToken));
  await g.step('heartbeat', () => g.manager.heartbeat(id));
  await g.step('enqueue', () => g.manager.enqueueCommand(id, { type: 'run', payload: { n: 1 } }));
  await g.step('enqueue 2', () => g.manager.enqueueCommand(id, { type: 'run', payload: { n: 2 } }));
  const polled = await g.step('poll', () => g.manager.pollCommands(id, { limit: 1 }));
  await g.step('complete', () => g.manager.completeCommand(id, polled![0]!.id, { ok: true, output: 'done' }));
  await g.step('complete twice', () => g.manager.completeCommand(id, polled![0]!.id, { ok: true }));
  await g.step('commands', () => g.manager.commands(id));
  await g.advance(100_000);
  await g.step('tick (stale)', () => g.manager.tick());
  await g.step('heartbeat (back)', () => g.manager.heartbeat(id));
  const reg2 = await g.step('registration token 2', () =>
    g.manager.createRegistrationToken({ owner: 'acme' }),
  );
  const again = await g.step('re-register', () =>
    g.manager.register({ registrationToken: reg2!.token, code: `${profile.name}-host` }),
  );
  await g.step('old token', () => g.manager.authenticateAgent(id, joined!.agentToken));
  await g.step('new token', () => g.manager.authenticateAgent(id, again!.agentToken));
  await g.step('pause', () => g.manager.dispatch(id, 'pause', { reason: 'golden', confirm: id }));
  await g.step('poll while paused', () => g.manager.pollCommands(id));
  await g.step('resume', () => g.manager.dispatch(id, 'resume'));
  await g.step('destroy', () => g.manager.dispatch(id, 'destroy', { confirm: `${profile.name}-host` }));
  await g.settle();
  await g.step('authenticate destroyed', () => g.manager.authenticateAgent(id, again!.agentToken));
}

async function check(name: string, trace: Promise<string>) {
  await expect(await trace).toMatchFileSnapshot(file(name));
}

describe('golden traces', () => {
  for (const name of PROFILE_NAMES) {
    const profile = PROFILES[name];
    it(`walks the ${name} profile`, async () => {
      await check(
        `profile-${name}`,
        runGolden(
          async (g) => {
            if (profile.agentKinds.includes('managed')) await walkManaged(g, profile);
            if (profile.agentKinds.includes('self_hosted')) await walkSelfHosted(g, profile);
          },
          { policies: profile.policies },
        ),
      );
    });
  }

  it('races: concurrent actions on one version, the last slot, destroy during provisioning', async () => {
    await check(
      'races',
      runGolden(
        async (g) => {
          const a = await createRunning(g, 'racer');
          await g.step('stop ‖ restart ‖ pause', async () => {
            const all = await Promise.allSettled([
              g.manager.dispatch(a.id, 'stop', { actor: 'user:1' }),
              g.manager.dispatch(a.id, 'restart', { actor: 'user:2' }),
              g.manager.dispatch(a.id, 'pause', { actor: 'user:3', reason: 'race' }),
            ]);
            return all.map((r) => (r.status === 'fulfilled' ? r.value.agent.status : r.reason));
          });
          await g.settle();
          await g.step('If-Match stale', () => g.manager.dispatch(a.id, 'start', { expectedVersion: 1 }));
          await g.step('slot race', async () => {
            const all = await Promise.allSettled([
              g.manager.create({ name: 'slot-a', owner: 'tight' }),
              g.manager.create({ name: 'slot-b', owner: 'tight' }),
            ]);
            return all.map((r) => (r.status === 'fulfilled' ? r.value.status : r.reason));
          });
          await g.settle();
          for (const x of await g.manager.list({ owner: 'tight' })) g.track(x.id);
          g.driver.hangNext('provision');
          const slow = (await g.step('create slow', () =>
            g.manager.create({ name: 'slow', owner: 'slowco' }),
          ))!;
          g.track(slow.id);
          await g.flush();
          await g.step('destroy while provisioning', () =>
            g.manager.dispatch(slow.id, 'destroy', { confirm: 'slow' }),
          );
          await g.settle();
          await g.step('idempotent create', async () => {
            const one = await g.manager.create({ name: 'same', owner: 'idem' }, { idempotencyKey: 'k1' });
            const two = await g.manager.create({ name: 'same', owner: 'idem' }, { idempotencyKey: 'k1' });
            g.track(one.id);
            return one.id === two.id;
          });
          await g.step('idempotent key reused', () =>
            g.manager.create({ name: 'other', owner: 'idem' }, { idempotencyKey: 'k1' }),
          );
          await g.step('idempotent dispatch', async () => {
            const one = await g.manager.dispatch(a.id, 'stop', { idempotencyKey: 'd1' });
            const two = await g.manager.dispatch(a.id, 'stop', { idempotencyKey: 'd1' });
            return [one.agent.version, two.agent.version];
          });
          await g.settle();
        },
        { policies: { slotsPerOwner: 1 } },
      ),
    );
  });

  it('crash and resume: a second manager over the same store re-drives what was in flight', async () => {
    await check(
      'crash-resume',
      runGolden(async (g) => {
        const a = await createRunning(g, 'steady');
        g.driver.hangNext('provision');
        const b = (await g.step('create (hangs)', () => g.manager.create({ name: 'hung', owner: 'acme' })))!;
        g.track(b.id);
        g.driver.hangNext('restart');
        await g.step('restart (hangs)', () => g.manager.dispatch(a.id, 'restart'));
        await g.flush();
        // The first manager "dies": it is never closed, and its driver never answers.
        g.retire(g.manager);
        const second = g.spawn();
        await g.step('resume', () => second.manager.resume());
        await g.settle();
        await g.step('get steady', () => second.manager.get(a.id));
        await g.step('get hung', () => second.manager.get(b.id));
        await g.step('resume again', () => second.manager.resume());
        await g.step('reconcile', () => second.manager.reconcile());
        await g.settle();
      }),
    );
  });

  it('waitlist: no capacity, strict order, room freed by destroy', async () => {
    await check(
      'waitlist',
      runGolden(
        async (g) => {
          const first = await createRunning(g, 'first');
          const queued: AgentView[] = [];
          for (const name of ['second', 'third']) {
            const a = (await g.step(`create ${name}`, () => g.manager.create({ name, owner: 'acme' })))!;
            g.track(a.id);
            queued.push(a);
            await g.settle();
          }
          await g.step(
            'positions',
            () => g.manager.list({ status: 'waitlisted' }),
            (l) => l.map((a) => [a.name, a.waitlist]),
          );
          await g.advance(5_000);
          await g.step('tick (still full)', () => g.manager.tick());
          await g.settle();
          await g.step('destroy first', () => g.manager.dispatch(first.id, 'destroy', { confirm: 'first' }));
          await g.settle();
          await g.advance(1_000);
          await g.step('tick', () => g.manager.tick());
          await g.settle();
          await g.step(
            'list',
            () => g.manager.list(),
            (l) => l.map((a) => [a.name, a.status]),
          );
        },
        { driver: { capacity: 1 } },
      ),
    );
  });

  it('sweeps on a manual clock: deadlines, recovery giving up, destroy retries, purge', async () => {
    await check(
      'sweeps',
      runGolden(
        async (g) => {
          g.driver.hangNext('provision');
          const late = (await g.step('create (hangs)', () =>
            g.manager.create({ name: 'late', owner: 'acme' }),
          ))!;
          g.track(late.id);
          await g.clock.advance(10 * 60_000);
          await g.step('tick (deadline)', () => g.manager.tick());
          await g.settle();
          const sick = await createRunning(g, 'sick');
          g.driver.failNext('restart');
          g.driver.failNext('restart');
          g.driver.failNext('restart');
          g.driver.failNext('restart');
          await g.step('crash', async () => g.driver.crash(sick.id, 1));
          await g.settle();
          for (let i = 0; i < 6; i++) {
            await g.advance(60_000);
            await g.step(`tick recovery ${i}`, () => g.manager.tick());
            await g.settle();
          }
          const gone = await createRunning(g, 'gone');
          g.driver.failNext('destroy');
          await g.step('destroy (fails once)', () =>
            g.manager.dispatch(gone.id, 'destroy', { confirm: 'gone' }),
          );
          await g.settle();
          await g.advance(1_000);
          await g.step('tick (destroy retry)', () => g.manager.tick());
          await g.settle();
          await g.advance(7 * 24 * 3_600_000);
          await g.step('tick (purge)', () => g.manager.tick());
          await g.step('get purged', () => g.manager.get(gone.id));
          await g.step(
            'audit outlives',
            () => g.manager.audit(gone.id),
            (e) => e.length,
          );
        },
        { policies: { maxRecoveryAttempts: 2 } },
      ),
    );
  });
});
