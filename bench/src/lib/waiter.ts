/**
 * Wait for an agent to reach a status, using the manager's `transition` events (registered
 * before the action that causes it, so an instant driver cannot finish first).
 *
 * @module
 */
import type { LifecycleManager, Status } from '@berth/core';

/** Waits keyed by agent id: `expect(id, 'running')` before dispatching, then await it. */
export function createWaiter(manager: LifecycleManager) {
  const waits = new Map<string, { status: Status; resolve: () => void }>();
  manager.events.on('transition', (e) => {
    const w = waits.get(e.agentId);
    if (w && w.status === e.to) {
      waits.delete(e.agentId);
      w.resolve();
    }
  });
  return {
    /** A promise that resolves when `agentId` next reaches `status`. */
    expect(agentId: string, status: Status): Promise<void> {
      return new Promise<void>((resolve) => waits.set(agentId, { status, resolve }));
    },
  };
}
