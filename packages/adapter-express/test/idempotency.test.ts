/** The idempotency cases of the shared HTTP suite (packages/core/test/http-cases), on the Express binding. */
import { idempotencyCases } from '../../core/test/http-cases/idempotency.case.js';
import { expressBinding } from './binding.js';

idempotencyCases(expressBinding);
