/** The Express binding as the shared HTTP case suites (packages/core/test/http-cases) run it. */
import { createServer } from 'node:http';
import { berthServerOptions, hardenServer } from '@berth/core/node';
import express from 'express';
import { type BindingUnderTest, listenApi } from '../../core/test/http-cases/harness.js';
import { type BerthRouterOptions, createBerthRouter } from '../src/index.js';

export const expressBinding: BindingUnderTest = {
  name: 'express',
  listen(manager, { authenticate, onError, edge, native, ...options }) {
    const app = express();
    app.use(
      '/api',
      createBerthRouter(manager, {
        ...options,
        ...(authenticate ? { authenticate: (req) => authenticate(req.headers.authorization) } : {}),
        ...(onError ? { onError: (e) => onError(e) } : {}),
        ...(native as BerthRouterOptions | undefined),
      }),
    );
    return listenApi(hardenServer(createServer(berthServerOptions(edge), app), edge));
  },
};
