/**
 * The Berth platform dashboard: agents with live status, their actions (allowed or refused
 * with the reason), an operation's progress, the audit trail, revisions, and the statechart
 * with the current status highlighted. Plain DOM; bundled by esbuild when the platform starts.
 *
 * Live updates: one `/platform/feed` stream keeps the list current; the selected agent also
 * follows its own `/api/agents/:id/events` stream (the HTTP contract's SSE).
 *
 * @module
 */
import {
  type AgentActionView,
  type AgentResource,
  type AuditEntryView,
  BerthApiError,
  type BerthClient,
  createBerthClient,
  type RevisionView,
} from '@berth/cli/client';
import type { Action } from '@berth/core';
import type { PlatformInfo } from '../platform.js';
import { createCatalog } from './catalog.js';
import { ago, byId, clock, h, replaceChildren } from './dom.js';
import { follow } from './live.js';

const KEY_STORAGE = 'berth.operatorKey';
/** Actions that always open the dialog, whatever the policy (they need more than a click). */
const DIALOG_ACTIONS: ReadonlySet<Action> = new Set(['rollback', 'update']);

interface State {
  info: PlatformInfo | null;
  key: string | null;
  client: BerthClient | null;
  agents: Map<string, AgentResource>;
  filter: string;
  selected: string | null;
  audit: AuditEntryView[];
  revisions: RevisionView[];
  /** Actions whose HTTP request is still on its way, per agent. */
  sending: Map<string, Action>;
  stopFeed: (() => void) | null;
  stopAgentStream: (() => void) | null;
}

const state: State = {
  info: null,
  key: sessionStorage.getItem(KEY_STORAGE),
  client: null,
  agents: new Map(),
  filter: '',
  selected: null,
  audit: [],
  revisions: [],
  sending: new Map(),
  stopFeed: null,
  stopAgentStream: null,
};

const catalog = createCatalog({
  client: () => state.client,
  selected: () => (state.selected ? state.agents.get(state.selected) : undefined),
  select: (id) => select(id),
  announce: (text) => announce(text),
  errorText: (error) => errorText(error),
});

const kindOf = (status: string) => state.info?.statuses.find((s) => s.name === status)?.kind ?? 'persistent';
const describe = (status: string) => state.info?.statuses.find((s) => s.name === status)?.description ?? '';
const authHeaders = (): Record<string, string> => (state.key ? { authorization: `Bearer ${state.key}` } : {});

function announce(text: string): void {
  const el = byId('announcer');
  el.textContent = '';
  // A fresh text node after a tick makes screen readers repeat identical messages too.
  setTimeout(() => {
    el.textContent = text;
  }, 30);
}

function errorText(error: unknown): string {
  if (error instanceof BerthApiError) {
    const fields = (error.problem.errors ?? []).map((e) => `${e.path || 'body'}: ${e.message}`).join('; ');
    return `${error.message}${fields ? ` (${fields})` : ''} [${error.code}]`;
  }
  return error instanceof Error ? error.message : String(error);
}

function statusBadge(status: string): HTMLElement {
  return h(
    'span',
    { class: `badge status-${status} kind-${kindOf(status)}`, title: describe(status) },
    status,
  );
}

// --- boot -----------------------------------------------------------------------------------

async function boot(): Promise<void> {
  const response = await fetch('/platform/info');
  state.info = (await response.json()) as PlatformInfo;
  const info = state.info;
  byId('platform-meta').textContent =
    `${info.driver} driver · ${info.authRequired ? 'operator keys' : `dev mode (owner ${info.devOwner})`}` +
    ` · reasons required for: ${info.requireReason.join(', ') || 'nothing'}`;
  const filter = byId<HTMLSelectElement>('status-filter');
  for (const s of info.statuses) filter.append(h('option', { value: s.name }, s.name));
  filter.addEventListener('change', () => {
    state.filter = filter.value;
    renderList();
  });
  byId<HTMLInputElement>('deploy-image').placeholder = info.defaultImage;
  byId('deploy-form').addEventListener('submit', onDeploy);
  byId('token-form').addEventListener('submit', onToken);
  byId('key-form').addEventListener('submit', onKey);
  setupDialog();
  void loadChart();
  setInterval(renderFacts, 5000);
  if (info.authRequired && !state.key) {
    showKeyForm('Enter an operator key to see your agents.');
    return;
  }
  await connect();
}

function showKeyForm(message: string): void {
  const form = byId('key-form');
  form.hidden = false;
  byId('connection').textContent = message;
  byId<HTMLInputElement>('key-input').focus();
}

async function onKey(event: Event): Promise<void> {
  event.preventDefault();
  const key = byId<HTMLInputElement>('key-input').value.trim();
  if (!key) return;
  state.key = key;
  sessionStorage.setItem(KEY_STORAGE, key);
  byId('key-form').hidden = true;
  await connect();
}

async function connect(): Promise<void> {
  state.client = createBerthClient({
    url: `${location.origin}/api`,
    ...(state.key ? { key: state.key } : {}),
  });
  try {
    const agents = await state.client.listAgents();
    state.agents = new Map(agents.map((a) => [a.id, a]));
  } catch (error) {
    if (error instanceof BerthApiError && error.status === 401) {
      sessionStorage.removeItem(KEY_STORAGE);
      state.key = null;
      showKeyForm('That key was refused. Enter a valid operator key.');
      return;
    }
    byId('connection').textContent = `Cannot load agents: ${errorText(error)}`;
    return;
  }
  renderList();
  catalog.start();
  state.stopFeed?.();
  state.stopFeed = follow({
    url: '/platform/feed',
    headers: authHeaders,
    onState: (open) => {
      byId('connection').textContent = open ? 'Live' : 'Reconnecting…';
      byId('connection').className = `connection ${open ? 'live' : 'down'}`;
      // After a gap, catch up with whatever changed meanwhile.
      if (open) void refreshList();
    },
    onRefused: () => showKeyForm('The live feed refused the key.'),
    onEvent: (event) => {
      if (event.event !== 'transition') return;
      const data = JSON.parse(event.data) as { agentId: string; status: string; from: string };
      void refreshAgent(data.agentId, data.from);
    },
  });
}

async function refreshList(): Promise<void> {
  if (!state.client) return;
  try {
    const agents = await state.client.listAgents();
    state.agents = new Map(agents.map((a) => [a.id, a]));
    renderList();
  } catch {
    // The feed reconnecting says enough.
  }
}

async function refreshAgent(id: string, from?: string): Promise<void> {
  if (!state.client) return;
  try {
    const agent = await state.client.getAgent(id);
    const before = state.agents.get(id);
    if (before && before.version > agent.version) return;
    state.agents.set(id, agent);
    if (before?.status !== agent.status && id !== state.selected) {
      announce(`${agent.name} is now ${agent.status}${from ? ` (was ${from})` : ''}`);
    }
    renderList();
  } catch (error) {
    if (error instanceof BerthApiError && error.status === 404) {
      state.agents.delete(id);
      renderList();
    }
  }
}

// --- agent list -----------------------------------------------------------------------------

function renderList(): void {
  const all = [...state.agents.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const shown = state.filter ? all.filter((a) => a.status === state.filter) : all;
  const counts = new Map<string, number>();
  for (const a of all) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  for (const option of Array.from(byId<HTMLSelectElement>('status-filter').options)) {
    if (option.value === '') option.textContent = `all (${all.length})`;
    else
      option.textContent = `${option.value}${counts.has(option.value) ? ` (${counts.get(option.value)})` : ''}`;
  }
  const empty = byId('agents-empty');
  empty.hidden = shown.length > 0;
  empty.textContent =
    all.length === 0 ? 'No agents yet: deploy one above.' : `No agents are ${state.filter}.`;
  replaceChildren(
    byId('agents'),
    shown.map((agent) =>
      h(
        'li',
        { class: agent.id === state.selected ? 'selected' : '' },
        h(
          'button',
          {
            type: 'button',
            class: 'agent-row',
            'data-agent-id': agent.id,
            'data-focus-key': `agent:${agent.id}`,
            'aria-current': agent.id === state.selected ? 'true' : null,
            onclick: () => void select(agent.id),
          },
          h('span', { class: 'agent-name' }, agent.name),
          statusBadge(agent.status),
          agent.operation ? h('span', { class: 'spinner small', 'aria-hidden': 'true' }) : null,
          h('span', { class: 'agent-id muted' }, agent.id),
        ),
      ),
    ),
  );
  if (state.selected) {
    renderDetail();
  }
}

// --- selected agent -------------------------------------------------------------------------

async function select(id: string): Promise<void> {
  if (state.selected !== id) {
    state.selected = id;
    state.audit = [];
    state.revisions = [];
    byId('action-error').textContent = '';
    state.stopAgentStream?.();
    state.stopAgentStream = follow({
      url: `/api/agents/${encodeURIComponent(id)}/events`,
      headers: authHeaders,
      onEvent: (event) => {
        if (event.event !== 'status') return;
        const data = JSON.parse(event.data) as { status: string };
        const agent = state.agents.get(id);
        if (agent && agent.status !== data.status) announce(`${agent.name} is now ${data.status}`);
        void refreshSelected();
      },
      onRefused: () => {
        state.stopAgentStream = null;
      },
    });
  }
  renderList();
  await refreshSelected();
}

async function refreshSelected(): Promise<void> {
  const id = state.selected;
  if (!id || !state.client) return;
  try {
    const [agent, audit, revisions] = await Promise.all([
      state.client.getAgent(id),
      state.client.audit(id),
      state.client.revisions(id),
    ]);
    if (state.selected !== id) return;
    const before = state.agents.get(id);
    if (before && before.version > agent.version) return;
    state.agents.set(id, agent);
    state.audit = audit;
    state.revisions = revisions;
    renderList();
  } catch (error) {
    if (error instanceof BerthApiError && error.status === 404) {
      state.agents.delete(id);
      state.selected = null;
      state.stopAgentStream?.();
      renderList();
      renderDetail();
      announce('The agent is gone (purged).');
    }
  }
}

function renderDetail(): void {
  const agent = state.selected ? state.agents.get(state.selected) : undefined;
  byId('agent-placeholder').hidden = agent !== undefined;
  byId('agent-detail').hidden = agent === undefined;
  byId('agent-heading').textContent = agent ? agent.name : 'Select an agent';
  highlightChart(agent?.status ?? null);
  if (!agent) return;
  renderFacts();
  renderProgress(agent);
  renderActions(agent);
  renderAudit();
  renderRevisions();
  catalog.renderSelected();
}

function renderFacts(): void {
  const agent = state.selected ? state.agents.get(state.selected) : undefined;
  if (!agent) return;
  const rows: [string, Node | string][] = [
    [
      'Status',
      h(
        'span',
        {},
        statusBadge(agent.status),
        agent.state && agent.state !== agent.status ? h('span', { class: 'muted' }, ` ${agent.state}`) : null,
      ),
    ],
    ['ID', h('code', {}, agent.id)],
    ['Owner', agent.owner],
    ['Kind', agent.kind === 'self_hosted' ? 'self-hosted' : (agent.kind ?? 'managed')],
    ['Image', agent.image ?? '-'],
    ['Revision', agent.revision ?? '-'],
    ['Heartbeat', agent.lastHeartbeatAt ? ago(agent.lastHeartbeatAt) : 'never'],
    ['Version', String(agent.version)],
  ];
  if (agent.waitlist)
    rows.push([
      'Waitlist',
      `position ${agent.waitlist.position}, next try ${clock(agent.waitlist.nextAttemptAt)}`,
    ]);
  if (agent.purgeAt) rows.push(['Purged', `at ${new Date(agent.purgeAt).toLocaleString()}`]);
  byId('agent-facts').replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function inFlight(agent: AgentResource): string | null {
  const sending = state.sending.get(agent.id);
  if (sending) return `Sending ${sending}…`;
  if (agent.operation) {
    const since = agent.operation.startedAt ? `, started ${ago(agent.operation.startedAt)}` : '';
    return `${agent.operation.action} in progress: ${agent.status}… (operation ${agent.operation.id}${since})`;
  }
  if (kindOf(agent.status) === 'transient') return `${agent.status}…`;
  return null;
}

function renderProgress(agent: AgentResource): void {
  const text = inFlight(agent);
  const box = byId('agent-progress');
  box.hidden = text === null;
  byId('agent-progress-text').textContent = text ?? '';
  byId('agent-card').setAttribute('aria-busy', text === null ? 'false' : 'true');
}

function actionViews(agent: AgentResource): AgentActionView[] {
  if (agent.actions) return [...agent.actions];
  // A server without the structured view: allowed ones from availableActions only.
  return agent.availableActions.map((action) => ({ action, allowed: true }) as AgentActionView);
}

function renderActions(agent: AgentResource): void {
  const sending = state.sending.get(agent.id);
  const items = actionViews(agent).map((view) => {
    const reasonId = `why-${view.action}`;
    let why: string | null = null;
    if (!view.allowed) why = view.denial.detail;
    else if (sending) why = `waiting for the ${sending} request`;
    const disabled = why !== null;
    const destructive = view.allowed && view.needsConfirmation;
    return h(
      'li',
      { class: disabled ? 'denied' : '' },
      h(
        'button',
        {
          type: 'button',
          class: `action${destructive ? ' danger' : ''}`,
          'data-action': view.action,
          'data-focus-key': `action:${view.action}`,
          disabled,
          title: view.allowed
            ? (why ?? (view.next ? `${view.action} → ${view.next}` : null))
            : `${view.denial.detail}. ${view.denial.unblock ?? ''}`.trim(),
          'aria-describedby': why ? reasonId : null,
          onclick: (event: Event) => onAction(agent.id, view, event.currentTarget as HTMLButtonElement),
        },
        view.action,
        view.allowed && (view.needsReason || view.needsConfirmation) ? '…' : '',
      ),
      why ? h('span', { class: 'why', id: reasonId }, why) : null,
    );
  });
  replaceChildren(byId('agent-actions'), items);
}

function renderAudit(): void {
  const entries = [...state.audit].reverse();
  byId('agent-audit').replaceChildren(
    ...entries.map((e) =>
      h(
        'li',
        { class: e.denied ? 'denied' : '' },
        h('time', { datetime: typeof e.at === 'string' ? e.at : new Date(e.at).toISOString() }, clock(e.at)),
        ' ',
        h('strong', {}, e.action),
        e.denied ? h('span', { class: 'denied-tag' }, ` denied${e.code ? ` (${e.code})` : ''}`) : null,
        ' ',
        e.from && e.to && e.from !== e.to
          ? h('span', {}, statusBadge(e.from), ' → ', statusBadge(e.to))
          : e.to
            ? statusBadge(e.to)
            : null,
        h('span', { class: 'muted' }, ` by ${e.actor}`),
        e.reason ? h('q', {}, e.reason) : null,
      ),
    ),
  );
}

function renderRevisions(): void {
  byId('agent-revisions').replaceChildren(
    ...[...state.revisions]
      .reverse()
      .map((r) =>
        h(
          'tr',
          {},
          h('td', {}, r.number === undefined ? '' : String(r.number)),
          h('td', {}, h('code', {}, r.image)),
          h('td', {}, r.action ?? ''),
          h('td', { class: `outcome-${r.outcome}` }, r.outcome),
          h('td', {}, clock(r.createdAt)),
        ),
      ),
  );
}

// --- actions and the dialog ----------------------------------------------------------------

interface DialogRequest {
  agent: AgentResource;
  view: Extract<AgentActionView, { allowed: true }>;
  opener: HTMLElement;
}

let dialogRequest: DialogRequest | null = null;

function onAction(id: string, view: AgentActionView, opener: HTMLButtonElement): void {
  const agent = state.agents.get(id);
  if (!agent || !view.allowed) return;
  if (view.needsReason || view.needsConfirmation || DIALOG_ACTIONS.has(view.action)) {
    openDialog({ agent, view, opener });
    return;
  }
  void dispatch(agent, view.action, {});
}

function setupDialog(): void {
  const dialog = byId<HTMLDialogElement>('action-dialog');
  byId('dialog-cancel').addEventListener('click', () => dialog.close('cancel'));
  byId('dialog-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void submitDialog();
  });
  byId('dialog-confirm').addEventListener('input', validateDialog);
  byId('dialog-reason').addEventListener('input', validateDialog);
  dialog.addEventListener('close', () => {
    const opener = dialogRequest?.opener;
    dialogRequest = null;
    // Back to where the person was; if that button is gone or disabled, to the agent panel.
    if (opener?.isConnected && !(opener as HTMLButtonElement).disabled) opener.focus();
    else {
      const again = opener?.dataset.focusKey
        ? document.querySelector<HTMLButtonElement>(`[data-focus-key="${opener.dataset.focusKey}"]`)
        : null;
      if (again && !again.disabled) again.focus();
      else byId('agent-panel').focus();
    }
  });
}

function openDialog(request: DialogRequest): void {
  dialogRequest = request;
  const { agent, view } = request;
  const dialog = byId<HTMLDialogElement>('action-dialog');
  const destructive = view.needsConfirmation === true;
  byId('dialog-title').textContent = `${view.action[0]!.toUpperCase()}${view.action.slice(1)} ${agent.name}?`;
  byId('dialog-text').textContent = dialogText(view.action, agent);
  dialog.classList.toggle('danger', destructive);

  const reasonField = byId('dialog-reason-field');
  const reason = byId<HTMLTextAreaElement>('dialog-reason');
  reason.value = '';
  reason.required = view.needsReason === true;
  byId('dialog-reason-hint').textContent = view.needsReason
    ? '(required: it goes to the audit trail)'
    : '(optional)';
  reasonField.hidden = false;

  const revisionField = byId('dialog-revision-field');
  const revision = byId<HTMLSelectElement>('dialog-revision');
  revisionField.hidden = view.action !== 'rollback';
  if (view.action === 'rollback') {
    revision.replaceChildren(
      ...[...state.revisions]
        .reverse()
        .filter((r) => r.outcome === 'succeeded')
        .map((r) =>
          h(
            'option',
            { value: r.id },
            `#${r.number ?? '?'} ${r.image} (${r.action ?? 'revision'}, ${clock(r.createdAt)})`,
          ),
        ),
    );
  }

  const confirmField = byId('dialog-confirm-field');
  const confirm = byId<HTMLInputElement>('dialog-confirm');
  confirm.value = '';
  confirmField.hidden = !destructive;
  byId('dialog-name').textContent = agent.name;

  const submit = byId<HTMLButtonElement>('dialog-submit');
  submit.textContent = view.action;
  submit.className = destructive ? 'danger' : '';
  byId('dialog-error').textContent = '';
  validateDialog();
  dialog.showModal();
  (destructive ? confirm : view.action === 'rollback' ? revision : reason).focus();
}

function dialogText(action: Action, agent: AgentResource): string {
  switch (action) {
    case 'destroy':
      return `This destroys ${agent.name}, its runtime and its workspace. It cannot be undone; the record stays readable as deleted for a grace period.`;
    case 'recreate':
      return `This rebuilds ${agent.name} from scratch with new credentials. The workspace is kept.`;
    case 'pause':
      return 'In-flight work finishes; no new work is handed out until you resume.';
    case 'rollback':
      return 'The runtime is rebuilt from the revision you pick; the workspace is kept.';
    case 'update':
      return 'The runtime is rebuilt with this configuration; the workspace is kept.';
    default:
      return `Ask the lifecycle to ${action} ${agent.name}.`;
  }
}

function validateDialog(): void {
  if (!dialogRequest) return;
  const { agent, view } = dialogRequest;
  const confirmOk = !view.needsConfirmation || byId<HTMLInputElement>('dialog-confirm').value === agent.name;
  const reasonOk = !view.needsReason || byId<HTMLTextAreaElement>('dialog-reason').value.trim() !== '';
  const revisionOk = view.action !== 'rollback' || byId<HTMLSelectElement>('dialog-revision').value !== '';
  byId<HTMLButtonElement>('dialog-submit').disabled = !(confirmOk && reasonOk && revisionOk);
}

async function submitDialog(): Promise<void> {
  if (!dialogRequest) return;
  const { agent, view } = dialogRequest;
  const reason = byId<HTMLTextAreaElement>('dialog-reason').value.trim();
  const body: { reason?: string; confirm?: string; revision?: string } = {};
  if (reason) body.reason = reason;
  if (view.needsConfirmation) body.confirm = byId<HTMLInputElement>('dialog-confirm').value;
  if (view.action === 'rollback') body.revision = byId<HTMLSelectElement>('dialog-revision').value;
  byId<HTMLDialogElement>('action-dialog').close('confirm');
  await dispatch(agent, view.action, body);
}

async function dispatch(
  agent: AgentResource,
  action: Action,
  body: { reason?: string; confirm?: string; revision?: string },
): Promise<void> {
  if (!state.client) return;
  byId('action-error').textContent = '';
  state.sending.set(agent.id, action);
  renderDetail();
  try {
    const result =
      action === 'destroy'
        ? await state.client.destroy(agent.id, { ...body, confirm: body.confirm ?? '' })
        : await state.client.act(agent.id, action, body);
    const current = state.agents.get(agent.id);
    if (!current || current.version <= result.agent.version) state.agents.set(agent.id, result.agent);
    announce(
      result.operation
        ? `${action} accepted: ${agent.name} is ${result.agent.status}`
        : `${agent.name} is ${result.agent.status}`,
    );
  } catch (error) {
    byId('action-error').textContent = `${action} refused: ${errorText(error)}`;
  } finally {
    state.sending.delete(agent.id);
    renderList();
    void refreshSelected();
  }
}

// --- forms ----------------------------------------------------------------------------------

async function onDeploy(event: Event): Promise<void> {
  event.preventDefault();
  if (!state.client) return;
  const form = event.currentTarget as HTMLFormElement;
  const name = byId<HTMLInputElement>('deploy-name').value.trim();
  const image = byId<HTMLInputElement>('deploy-image').value.trim();
  const error = byId('deploy-error');
  error.textContent = '';
  const button = form.querySelector('button')!;
  button.disabled = true;
  try {
    const agent = await state.client.createAgent({ name, ...(image ? { image } : {}) });
    state.agents.set(agent.id, agent);
    form.reset();
    announce(`Deployed ${agent.name}: ${agent.status}`);
    await select(agent.id);
  } catch (e) {
    error.textContent = errorText(e);
  } finally {
    button.disabled = false;
  }
}

async function onToken(event: Event): Promise<void> {
  event.preventDefault();
  if (!state.client) return;
  const seconds = Number(byId<HTMLInputElement>('token-expires').value);
  const error = byId('token-error');
  error.textContent = '';
  try {
    const code = byId<HTMLInputElement>('token-code').value.trim();
    const token = await state.client.createRegistrationToken({
      ...(Number.isFinite(seconds) && seconds > 0 ? { expiresInSeconds: seconds } : {}),
      ...(code ? { code } : {}),
    });
    void catalog.refresh();
    byId('token-out').hidden = false;
    const field = byId<HTMLInputElement>('token-value');
    field.value = token.token;
    byId('token-expiry').textContent =
      `Expires ${new Date(token.expiresAt).toLocaleString()}. Works for one registration.`;
    field.focus();
    field.select();
    announce('Registration token minted. It is shown this once.');
  } catch (e) {
    error.textContent = errorText(e);
  }
}

// --- statechart -----------------------------------------------------------------------------

async function loadChart(): Promise<void> {
  const response = await fetch('/assets/statechart.svg');
  // Our own server's SVG, generated from the lifecycle contract at start-up.
  byId('chart').innerHTML = await response.text();
  const groups = state.info?.groups ?? [];
  byId('chart-legend').textContent =
    groups.map((g) => `${g.label} ▸ = any of ${g.statuses.join(', ')}`).join(' · ') +
    (groups.length > 0 ? ' · dashed boxes are transient statuses (an operation is in flight)' : '');
  const agent = state.selected ? state.agents.get(state.selected) : undefined;
  highlightChart(agent?.status ?? null);
}

function highlightChart(status: string | null): void {
  const chart = byId('chart');
  chart.classList.toggle('has-current', status !== null);
  for (const node of Array.from(chart.querySelectorAll<SVGGElement>('g.node'))) {
    const id = node.dataset.status ?? '';
    const group = state.info?.groups.find((g) => `handle:${g.label}` === id);
    node.classList.toggle('current', id === status);
    node.classList.toggle('current-group', status !== null && group?.statuses.includes(status) === true);
    if (id === status) node.setAttribute('aria-current', 'true');
    else node.removeAttribute('aria-current');
  }
  for (const edge of Array.from(chart.querySelectorAll<SVGGElement>('g.edge'))) {
    const sources = (edge.dataset.sources ?? '').split(' ');
    edge.classList.toggle('next', status !== null && sources.includes(status));
  }
  byId('chart-caption').textContent = status
    ? `The agent is ${status}: highlighted arrows are the transitions that can leave it.`
    : 'Every status and transition of the lifecycle, drawn from the machine itself.';
}

void boot().catch((error: unknown) => {
  byId('connection').textContent = `The dashboard failed to start: ${errorText(error)}`;
});
