import { join } from 'node:path';
import { testStore } from '@berth/core/testing';
import { createSqliteStore } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
let n = 0;

testStore({
  name: 'sqlite (FULL)',
  create: () => createSqliteStore({ path: join(dir, `full-${++n}.sqlite`) }),
});
testStore({
  name: 'sqlite (NORMAL)',
  create: () => createSqliteStore({ path: join(dir, `normal-${++n}.sqlite`), synchronous: 'NORMAL' }),
});
