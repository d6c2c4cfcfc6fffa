/** The bola cases of the shared HTTP suite (packages/core/test/http-cases), on the Express binding. */
import { bolaCases } from '../../core/test/http-cases/bola.case.js';
import { expressBinding } from './binding.js';

bolaCases(expressBinding);
