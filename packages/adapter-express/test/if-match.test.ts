/** The if-match cases of the shared HTTP suite (packages/core/test/http-cases), on the Express binding. */
import { ifMatchCases } from '../../core/test/http-cases/if-match.case.js';
import { expressBinding } from './binding.js';

ifMatchCases(expressBinding);
