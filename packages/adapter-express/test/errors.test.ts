/** The errors cases of the shared HTTP suite (packages/core/test/http-cases), on the Express binding. */
import { errorCases } from '../../core/test/http-cases/errors.case.js';
import { expressBinding } from './binding.js';

errorCases(expressBinding);
