/** The shared HTTP case suites (test/http-cases) on the node binding. */
import { agentApiCases } from '../http-cases/agent-api.case.js';
import { bolaCases } from '../http-cases/bola.case.js';
import { edgeCases } from '../http-cases/edge.case.js';
import { nodeBinding } from '../http-cases/bindings.js';
import { errorCases } from '../http-cases/errors.case.js';
import { fuzzCases } from '../http-cases/fuzz.case.js';
import { idempotencyCases } from '../http-cases/idempotency.case.js';
import { ifMatchCases } from '../http-cases/if-match.case.js';
import { operatorApiCases } from '../http-cases/operator-api.case.js';
import { sseCases } from '../http-cases/sse.case.js';
import { describe } from 'vitest';

describe('agent API', () => agentApiCases(nodeBinding));
describe('BOLA', () => bolaCases(nodeBinding));
describe('edge', () => edgeCases(nodeBinding));
describe('errors', () => errorCases(nodeBinding));
describe('fuzz', () => fuzzCases(nodeBinding));
describe('idempotency', () => idempotencyCases(nodeBinding));
describe('If-Match', () => ifMatchCases(nodeBinding));
describe('operator API', () => operatorApiCases(nodeBinding));
describe('SSE', () => sseCases(nodeBinding));
