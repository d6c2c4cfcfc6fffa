import { createMemoryStore } from '@berth/core';
import { testStore } from '@berth/core/testing';

testStore({ name: 'memory', create: () => createMemoryStore() });
