import { testDriver } from '@berth/core/testing';
import { expect, it } from 'vitest';
import { createMemoryDriver, type MemoryDriver } from '../src/index.js';

testDriver({
  name: 'memory',
  image: 'berth/agent:test',
  createDriver: () => createMemoryDriver(),
  createDriverWithCapacity: (capacity) => createMemoryDriver({ capacity }),
  additionalTests(kit) {
    it('watch reports an out-of-band crash, and not after unsubscribe', async () => {
      const driver = kit.driver() as MemoryDriver;
      const target = kit.target();
      await driver.provision(target, kit.op('provision'));
      const seen: unknown[] = [];
      const unsubscribe = driver.watch((event) => seen.push(event));
      driver.crash(target.agentId, 137);
      unsubscribe();
      driver.setHealth(target.agentId, 'unhealthy');
      expect(seen).toEqual([{ type: 'exited', agentId: target.agentId, exitCode: 137 }]);
      expect((await driver.inspect(target.agentId)).state).toBe('exited');
    });
  },
});
