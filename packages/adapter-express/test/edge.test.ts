/** The edge cases of the shared HTTP suite (packages/core/test/http-cases), on the Express binding. */
import { edgeCases } from '../../core/test/http-cases/edge.case.js';
import { expressBinding } from './binding.js';

edgeCases(expressBinding);
