/** The fuzz cases of the shared HTTP suite (packages/core/test/http-cases), on the Express binding. */
import { fuzzCases } from '../../core/test/http-cases/fuzz.case.js';
import { expressBinding } from './binding.js';

fuzzCases(expressBinding);
