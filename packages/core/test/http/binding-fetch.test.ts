/** The shared HTTP case suites (test/http-cases) on the fetch binding. */
import { agentApiCases } from '../http-cases/agent-api.case.js';
import { bolaCases } from '../http-cases/bola.case.js';
import { edgeCases } from '../http-cases/edge.case.js';
import { fetchBinding } from '../http-cases/bindings.js';
import { errorCases } from '../http-cases/errors.case.js';
import { fuzzCases } from '../http-cases/fuzz.case.js';
import { idempotencyCases } from '../http-cases/idempotency.case.js';
import { ifMatchCases } from '../http-cases/if-match.case.js';
import { operatorApiCases } from '../http-cases/operator-api.case.js';
import { sseCases } from '../http-cases/sse.case.js';
import { describe } from 'vitest';

describe('agent API', () => agentApiCases(fetchBinding));
describe('BOLA', () => bolaCases(fetchBinding));
describe('edge', () => edgeCases(fetchBinding));
describe('errors', () => errorCases(fetchBinding));
describe('fuzz', () => fuzzCases(fetchBinding));
describe('idempotency', () => idempotencyCases(fetchBinding));
describe('If-Match', () => ifMatchCases(fetchBinding));
describe('operator API', () => operatorApiCases(fetchBinding));
describe('SSE', () => sseCases(fetchBinding));
