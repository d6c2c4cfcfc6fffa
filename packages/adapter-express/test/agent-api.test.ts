/** The agent-api cases of the shared HTTP suite (packages/core/test/http-cases), on the Express binding. */
import { agentApiCases } from '../../core/test/http-cases/agent-api.case.js';
import { expressBinding } from './binding.js';

agentApiCases(expressBinding);
