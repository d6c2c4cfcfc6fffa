/** The operator-api cases of the shared HTTP suite (packages/core/test/http-cases), on the Express binding. */
import { operatorApiCases } from '../../core/test/http-cases/operator-api.case.js';
import { expressBinding } from './binding.js';

operatorApiCases(expressBinding);
