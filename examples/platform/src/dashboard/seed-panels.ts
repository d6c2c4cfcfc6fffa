/**
 * Dashboard panels for what issue 13 added to the agent: the credentials an operator sees once
 * (after deploy and recreate), the spec fields and endpoints among the facts (endpoints as
 * links), and the "why?" panel (`GET /agents/:id/explain`).
 *
 * @module
 */
import type { AgentCredentialsView, AgentResource, BerthClient, ExplanationView } from '@berth/cli/client';
import { byId, clock, h } from './dom.js';

/**
 * Show credentials once: they live only in this panel's DOM, for the agent they belong to, and
 * are dropped when another agent is selected (the server never answers them again).
 */
export function showCredentials(agent: AgentResource, credentials: AgentCredentialsView): void {
  const panel = byId('agent-credentials');
  panel.dataset.agent = agent.id;
  byId('credentials-agent').textContent = agent.name;
  byId<HTMLInputElement>('credentials-username').value = credentials.username;
  byId<HTMLInputElement>('credentials-password').value = credentials.password;
  byId<HTMLInputElement>('credentials-token').value = credentials.runtimeToken;
  panel.hidden = false;
}

/** Forget shown credentials unless they belong to `agentId`. */
export function dropCredentials(agentId: string | null = null): void {
  const panel = byId('agent-credentials');
  if (agentId !== null && panel.dataset.agent === agentId) return;
  panel.hidden = true;
  delete panel.dataset.agent;
  for (const id of ['credentials-username', 'credentials-password', 'credentials-token'])
    byId<HTMLInputElement>(id).value = '';
}

/** Fact rows for the spec fields and endpoints (endpoints as links). */
export function specFacts(agent: AgentResource): [string, Node | string][] {
  const rows: [string, Node | string][] = [];
  if (agent.runtime) rows.push(['Runtime', agent.runtime]);
  if (agent.region) rows.push(['Region', agent.region]);
  if (agent.size) rows.push(['Size', agent.size]);
  const endpoints = agent.endpoints ?? [];
  if (endpoints.length > 0) {
    rows.push([
      'Endpoints',
      h(
        'span',
        { class: 'endpoints' },
        ...endpoints.map((e) =>
          h(
            'a',
            { href: safeUrl(e.url), target: '_blank', rel: 'noopener noreferrer', class: 'endpoint' },
            `${e.name}: ${e.url}`,
          ),
        ),
      ),
    ]);
  }
  return rows;
}

/** Only http(s) URLs become links (anything else would be a script injection waiting to happen). */
function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : '#';
  } catch {
    return '#';
  }
}

/** Ask why the agent is in its status and show the answer in the "why?" panel. */
export async function showWhy(client: BerthClient, agentId: string): Promise<void> {
  const summary = byId('why-summary');
  const list = byId('why-causes');
  try {
    const why: ExplanationView = await client.explain(agentId);
    summary.textContent = why.summary;
    list.replaceChildren(
      ...why.causes.map((c) =>
        h(
          'li',
          { class: `cause cause-${c.kind}` },
          h('time', { datetime: c.at }, clock(c.at)),
          ' ',
          h('span', { class: 'kind' }, c.kind),
          ' ',
          c.detail,
        ),
      ),
    );
  } catch (error) {
    summary.textContent = `Could not explain: ${error instanceof Error ? error.message : String(error)}`;
    list.replaceChildren();
  }
  byId('agent-why').hidden = false;
}

/** Hide the "why?" answer (another agent was selected). */
export function hideWhy(): void {
  byId('agent-why').hidden = true;
  byId('why-summary').textContent = '';
  byId('why-causes').replaceChildren();
}
