/**
 * `kill -9` mid-provision with the Docker driver: an instance process creates an agent and dies
 * while its provision runs (its lease taken); another instance process takes the operation over
 * and re-drives it with the same operation id. The engine ends with ONE container for the agent
 * (the re-drive adopts what the first attempt made), and the trail with one `provisioned` entry.
 * Needs PostgreSQL and a Docker engine (skipped with the reason, unless BERTH_REQUIRE_INFRA=1).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  buildTestImage,
  cleanupRun,
  dockerClient,
  dockerDescribe,
  GRACEFUL_CMD,
  RUN_LABEL,
  runId,
} from '../../driver-docker/test/support/docker-env.js';
import { createPostgresStore, type PostgresStore } from '../src/index.js';
import { eventually, type Instance, startInstance } from './support/instances.js';
import { freshSchema, pgDescribe } from './support/pg-env.js';

const { describePg, url } = await pgDescribe();
const describeDocker = await dockerDescribe();
const LEASE_MS = 1_000;
const IMAGE = `berth-test/pg-takeover:${runId}`;

describePg('kill -9 mid-provision, Docker driver', () => {
  describeDocker('over a real engine', () => {
    const schema = freshSchema('docker');
    let store: PostgresStore;
    const nodes: Instance[] = [];
    const start = () =>
      startInstance({
        BERTH_PG_URL: url,
        BERTH_PG_SCHEMA: schema,
        BERTH_LEASE_MS: String(LEASE_MS),
        BERTH_TEST_DRIVER: 'docker',
        BERTH_TEST_IMAGE: IMAGE,
        BERTH_TEST_LABELS: JSON.stringify({ [RUN_LABEL]: runId }),
      });

    beforeAll(async () => {
      await buildTestImage(IMAGE, { cmd: GRACEFUL_CMD });
      store = await createPostgresStore({ connection: url, schema, poolSize: 2 });
    }, 120_000);
    afterAll(async () => {
      for (const n of nodes) await n.kill9();
      await store?.close();
      await cleanupRun();
    });

    it('another instance finishes it: one container, one provisioned entry', async () => {
      const [doomed, survivor] = [await start(), await start()];
      nodes.push(doomed, survivor);
      const created = await doomed.call('POST', '/agents', { name: 'docker-orphan' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.id as string;
      const op = (await store.get(id))!.operation!.id;
      // The moment the doomed instance holds the provision's lease, it dies.
      await eventually(
        async () => {
          const { rows } = await store.pool.query(
            `SELECT 1 FROM "${schema}".operation_leases WHERE operation_id = $1 AND holder IS NOT NULL`,
            [op],
          );
          return rows.length === 1 ? true : undefined;
        },
        'the lease',
        20_000,
      );
      await doomed.kill9();
      await eventually(
        async () => ((await store.get(id))?.status === 'running' ? true : undefined),
        'the survivor to finish the provision',
        60_000,
      );
      const containers = await dockerClient().listContainers({
        all: true,
        filters: { label: [`berth.agent-id=${id}`] },
      });
      expect(containers).toHaveLength(1);
      expect(containers[0]!.Labels['berth.operation-id']).toBe(op);
      const trail = await store.audit(id);
      const provisioned = trail.filter((e) => e.action === 'provisioned' && !e.denied);
      expect(provisioned).toHaveLength(1);
      expect(provisioned[0]!.operationId).toBe(op);
    }, 120_000);
  });
});
