/**
 * The dashboard's catalogs beside the agents: the backup catalog (back up the selected agent,
 * restore a backup into a new agent, delete one), the services agents report with their
 * effective status, and the registration tokens with revoke. Kept current by a short poll
 * (backups and services change without a status transition) and after every change made here.
 *
 * @module
 */
import type {
  AgentResource,
  BackupView,
  BerthClient,
  RegistrationTokenInfo,
  ServiceView,
} from '@berth/cli/client';
import { ago, byId, h, replaceChildren } from './dom.js';

/** What the catalogs need from the rest of the dashboard. */
export interface CatalogDeps {
  client(): BerthClient | null;
  /** The agent shown in the detail panel, if any. */
  selected(): AgentResource | undefined;
  /** Select (and show) an agent. */
  select(id: string): Promise<void>;
  announce(text: string): void;
  errorText(error: unknown): string;
}

interface CatalogState {
  backups: BackupView[];
  services: ServiceView[];
  tokens: RegistrationTokenInfo[];
  /** The backup whose restore form is open. */
  restoring: string | null;
  timer: ReturnType<typeof setInterval> | null;
}

const POLL_MS = 1500;

/** `4.0 KB`. */
function size(n: number | null): string {
  if (n === null) return '';
  if (n < 1024) return `${n} B`;
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The catalogs' panels: call `start()` once connected, `refresh()` after a change elsewhere. */
export function createCatalog(deps: CatalogDeps) {
  const state: CatalogState = { backups: [], services: [], tokens: [], restoring: null, timer: null };

  async function refresh(): Promise<void> {
    const client = deps.client();
    if (!client) return;
    try {
      const [backups, services, tokens] = await Promise.all([
        client.listBackups(),
        client.listServices(),
        client.listRegistrationTokens(),
      ]);
      Object.assign(state, { backups, services, tokens });
      render();
    } catch {
      // The connection line already says when the platform is unreachable.
    }
  }

  function render(): void {
    renderCatalog();
    renderAgentBackups();
    renderServices();
    renderTokens();
  }

  function badge(status: string): HTMLElement {
    return h('span', { class: `badge catalog-${status}` }, status);
  }

  function backupLabel(b: BackupView): string {
    return `${b.label ?? b.id} (${b.agentName})`;
  }

  function renderCatalog(): void {
    byId('backups-empty').hidden = state.backups.length > 0;
    replaceChildren(
      byId('backups'),
      state.backups.map((b) =>
        h(
          'li',
          { class: 'catalog-row', 'data-backup-id': b.id },
          h('span', { class: 'catalog-name' }, b.label ?? b.id),
          h('span', { class: 'muted small' }, `${b.agentName} · ${ago(b.createdAt)} ${size(b.sizeBytes)}`),
          badge(b.status),
          h(
            'button',
            {
              type: 'button',
              'data-focus-key': `restore:${b.id}`,
              disabled: b.status !== 'completed',
              'aria-expanded': state.restoring === b.id ? 'true' : 'false',
              onclick: () => {
                state.restoring = state.restoring === b.id ? null : b.id;
                renderCatalog();
                if (state.restoring) byId<HTMLInputElement>(`restore-name-${b.id}`).focus();
              },
            },
            'Restore…',
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              'data-focus-key': `delete:${b.id}`,
              disabled: b.status === 'pending',
              'aria-label': `Delete backup ${backupLabel(b)}`,
              onclick: () => void remove(b),
            },
            'Delete',
          ),
          state.restoring === b.id ? restoreForm(b) : null,
        ),
      ),
    );
  }

  function restoreForm(b: BackupView): HTMLElement {
    const input = h('input', {
      id: `restore-name-${b.id}`,
      required: true,
      maxlength: 63,
      autocomplete: 'off',
      placeholder: `${b.agentName}-restored`,
    });
    return h(
      'form',
      {
        class: 'restore-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void restore(b, input.value.trim() || `${b.agentName}-restored`);
        },
      },
      h('label', { for: input.id }, 'New agent name'),
      input,
      h('button', { type: 'submit' }, 'Restore into a new agent'),
    );
  }

  function renderAgentBackups(): void {
    const agent = deps.selected();
    const mine = agent ? state.backups.filter((b) => b.agentId === agent.id) : [];
    replaceChildren(
      byId('agent-backups'),
      mine.map((b) =>
        h(
          'li',
          { 'data-backup-id': b.id },
          `${b.label ?? b.id} · ${ago(b.createdAt)} `,
          badge(b.status),
          ` ${size(b.sizeBytes)}`,
        ),
      ),
    );
  }

  function renderServices(): void {
    byId('services-empty').hidden = state.services.length > 0;
    replaceChildren(
      byId('services'),
      state.services.map((s) =>
        h(
          'tr',
          { 'data-service-code': s.code },
          h('td', {}, s.name),
          h('td', {}, h('code', {}, s.code)),
          h('td', {}, badge(s.effectiveStatus)),
          h('td', { class: 'muted small' }, s.agentId),
          h('td', { class: 'muted small' }, ago(s.reportedAt)),
        ),
      ),
    );
  }

  function renderTokens(): void {
    byId('tokens-empty').hidden = state.tokens.length > 0;
    replaceChildren(
      byId('tokens'),
      state.tokens.map((t) =>
        h(
          'li',
          { class: 'token-row', 'data-token-id': t.id },
          h('code', {}, t.id),
          badge(t.status),
          h('span', { class: 'muted small' }, t.code ? `code ${t.code}` : 'any code'),
          t.status === 'active' || t.status === 'expired'
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  'data-focus-key': `revoke:${t.id}`,
                  'aria-label': `Revoke token ${t.id}`,
                  onclick: () => void revoke(t),
                },
                'Revoke',
              )
            : null,
        ),
      ),
    );
  }

  /**
   * Run one change with the client: its refusal goes to the `errorId` line (cleared first), and
   * the catalogs are read again afterwards either way.
   */
  async function change(errorId: string, verb: string, work: (client: BerthClient) => Promise<void>) {
    const client = deps.client();
    if (!client) return;
    const error = byId(errorId);
    error.textContent = '';
    try {
      await work(client);
    } catch (e) {
      error.textContent = `${verb} refused: ${deps.errorText(e)}`;
    }
    await refresh();
  }

  function backup(event: Event): Promise<void> {
    event.preventDefault();
    const agent = deps.selected();
    if (!agent) return Promise.resolve();
    return change('backup-error', 'backup', async (client) => {
      const field = byId<HTMLInputElement>('backup-label');
      const label = field.value.trim();
      const { backup: started } = await client.createBackup(agent.id, label ? { label } : {});
      field.value = '';
      deps.announce(`Backing up ${agent.name}`);
      state.backups = [...state.backups, started];
      render();
    });
  }

  function restore(b: BackupView, name: string): Promise<void> {
    return change('backups-error', 'restore', async (client) => {
      const agent = await client.createAgent({ name, restoreFrom: b.id });
      state.restoring = null;
      deps.announce(`Restoring ${backupLabel(b)} into ${agent.name}`);
      await deps.select(agent.id);
    });
  }

  function remove(b: BackupView): Promise<void> {
    return change('backups-error', 'delete', async (client) => {
      await client.deleteBackup(b.id);
      state.backups = state.backups.filter((x) => x.id !== b.id);
      deps.announce(`Deleted backup ${backupLabel(b)}`);
      render();
    });
  }

  function revoke(t: RegistrationTokenInfo): Promise<void> {
    return change('tokens-error', 'revoke', async (client) => {
      await client.revokeRegistrationToken(t.id);
      deps.announce(`Revoked token ${t.id}`);
    });
  }

  return {
    /** Wire the forms and start polling (idempotent). */
    start(): void {
      if (state.timer !== null) return;
      byId('backup-form').addEventListener('submit', (event) => void backup(event));
      state.timer = setInterval(() => void refresh(), POLL_MS);
      void refresh();
    },
    refresh,
    /** Re-render what depends on the selected agent. */
    renderSelected: renderAgentBackups,
  };
}
