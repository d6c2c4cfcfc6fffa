/** The Express binding as the shared HTTP case suites (packages/core/test/http-cases) run it. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { berthServerOptions, hardenServer } from '@berth/core/node';
import express from 'express';
import type { BindingUnderTest } from '../../core/test/http-cases/harness.js';
import { createBerthRouter } from '../src/index.js';

export const expressBinding: BindingUnderTest = {
  name: 'express',
  async listen(manager, { authenticate, onError, edge, ...options }) {
    const app = express();
    app.use(
      '/api',
      createBerthRouter(manager, {
        ...options,
        ...(authenticate ? { authenticate: (req) => authenticate(req.headers.authorization) } : {}),
        ...(onError ? { onError: (e) => onError(e) } : {}),
      }),
    );
    const server = hardenServer(createServer(berthServerOptions(edge), app), edge);
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/api`,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  },
};
