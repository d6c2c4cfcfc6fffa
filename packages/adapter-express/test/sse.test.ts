/** The sse cases of the shared HTTP suite (packages/core/test/http-cases), on the Express binding. */
import { sseCases } from '../../core/test/http-cases/sse.case.js';
import { expressBinding } from './binding.js';

sseCases(expressBinding);
