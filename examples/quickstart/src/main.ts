/**
 * Quickstart: embed the Berth lifecycle manager with the in-memory driver, walk one agent
 * through its life, and print its audit trail.
 *
 * Run: pnpm --filter @berth/example-quickstart start
 */
import { createLifecycleManager, verifyAuditChain } from '@berth/core';
import { createMemoryDriver } from '@berth/driver-memory';

const manager = createLifecycleManager({
  driver: createMemoryDriver({ latency: 20 }),
  policies: { requireReason: ['pause', 'destroy'] },
});
manager.events.on('transition', (e) =>
  console.log(`  ${e.from.padEnd(12)} → ${e.to.padEnd(12)} (${e.action})`),
);

const agent = await manager.create({ name: 'support-bot', owner: 'acme', image: 'acme/support-bot:1.0' });
console.log(`created ${agent.name} (${agent.id})`);
await manager.waitFor(agent.id, 'running', { timeout: 5_000 });

const ops = { actor: 'user:ada' };
await manager.dispatch(agent.id, 'pause', { ...ops, reason: 'reviewing the budget' });
console.log(`paused; allowed now: ${(await manager.get(agent.id)).availableActions.join(', ')}`);
await manager.dispatch(agent.id, 'resume', ops);
await manager.dispatch(agent.id, 'update', { ...ops, image: 'acme/support-bot:1.1' });
await manager.waitFor(agent.id, 'running', { timeout: 5_000 });

// A refusal is typed, changes nothing, and says what IS allowed.
try {
  await manager.dispatch(agent.id, 'destroy', { ...ops, reason: 'done', confirm: 'wrong-name' });
} catch (error) {
  const e = error as { code: string; message: string };
  console.log(`refused: ${e.code} — ${e.message}`);
}

const [first] = await manager.revisions(agent.id);
await manager.dispatch(agent.id, 'rollback', { ...ops, revision: first!.id });
await manager.waitFor(agent.id, 'running', { timeout: 5_000 });
await manager.dispatch(agent.id, 'destroy', { ...ops, reason: 'retired', confirm: 'support-bot' });
const gone = await manager.waitFor(agent.id, 'deleted', { timeout: 5_000 });
console.log(`deleted; readable until ${gone.purgeAt}`);

const trail = await manager.audit(agent.id);
console.log('\naudit trail:');
for (const e of trail) {
  const what = e.denied ? `REFUSED ${e.action} (${e.code})` : `${e.action}: ${e.from ?? '∅'} → ${e.to}`;
  console.log(
    `  #${String(e.seq).padStart(2)} ${e.actor.padEnd(14)} ${what}${e.reason ? ` — "${e.reason}"` : ''}`,
  );
}
const verdict = verifyAuditChain(trail);
console.log(
  `\nhash chain: ${verdict.ok ? `verified (${verdict.length} entries)` : `BROKEN at ${verdict.index}`}`,
);
await manager.close();
