/**
 * Help texts: `berth help`, `berth help <verb>`, `berth <verb> --help`.
 *
 * @module
 */

const COMMON = `Global flags:
  --url <url>      API base URL (env BERTH_URL, default http://127.0.0.1:3000/api)
  --key <key>      operator key, sent as a Bearer token (env BERTH_KEY)
  --json           machine-readable output (one JSON document; NDJSON for watch)
  -h, --help       show help`;

const ACTION_HELP = (
  verb: string,
  extra = '',
) => `berth ${verb} <id> [--reason <text>] [--wait] [--timeout <s>]${extra}

Asks the lifecycle to ${verb} the agent. Prints the new status; with --wait, follows the
operation until the agent settles (exit 8 if it ends failed). A reason the policy requires is
asked for on a terminal; in scripts pass --reason.`;

/** Help for each verb. */
export const VERB_HELP: Readonly<Record<string, string>> = {
  agents: `berth agents [--status <status>] [--owner <owner>] [--profile <vendor>]

Lists agents as a table (id, name, status, owner, revision, last heartbeat, updated).`,
  status: `berth status <id> [--profile agentstead|alfe|exocorp|sekuire|opstage]

Shows one agent: status (and the vendor's word for it with --profile), kind, revision,
image, last heartbeat, the operation in flight, and the actions allowed now.`,
  deploy: `berth deploy <name> [--image <ref>] [--runtime <r>] [--region <r>] [--size <s>]
             [--config <json>] [--owner <owner>] [--wait] [--timeout <s>]

Creates a managed agent; the platform provisions it asynchronously. With --wait, follows it
until it settles (running, or waitlisted/failed).`,
  start: ACTION_HELP('start'),
  stop: ACTION_HELP('stop'),
  restart: ACTION_HELP('restart'),
  redeploy: ACTION_HELP('redeploy'),
  reprovision: ACTION_HELP('reprovision'),
  pause: ACTION_HELP('pause'),
  resume: ACTION_HELP('resume'),
  disable: ACTION_HELP('disable'),
  enable: ACTION_HELP('enable'),
  rollback: ACTION_HELP('rollback', ' --revision <rev>'),
  recreate: `berth recreate <id> [--reason <text>] [--yes --confirm <name>] [--wait] [--timeout <s>]

Rebuilds the agent from scratch with new credentials (the workspace is kept). Destructive: on
a terminal you are asked to type the agent's name; in scripts pass --yes --confirm <name>.`,
  destroy: `berth destroy <id> --reason <text> [--yes --confirm <name>] [--wait] [--timeout <s>]

Destroys the agent (irreversible; the record stays readable as deleted for a grace period).
A reason is required. On a terminal you are asked to type the agent's name; in scripts pass
--yes --confirm <name>.`,
  kill: `berth kill <id> --reason <text> [--yes --confirm <name>] [--wait] [--timeout <s>]

Same as destroy (Sekuire's word for it).`,
  wait: `berth wait <id> --status <status> [--timeout <seconds>]

Waits until the agent has the status (default timeout 120 s; exit 5 on timeout).`,
  why: `berth why <id>

Explains the agent's status: since when, and the causes that put it there and keep it there
(transitions, refused actions, heartbeat age, driver errors, recovery attempts, policies).`,
  audit: `berth audit <id> [--after <seq>] [--verify]

Prints the audit trail: every transition and every refused request, oldest first.
--verify re-checks the agent's hash chain instead (exit 9 when it is broken).`,
  revisions: `berth revisions <id>

Lists the agent's revisions (image, action, outcome), oldest first.`,
  watch: `berth watch <id>

Follows the agent's status events (server-sent events) and prints each transition until the
agent is deleted or you press Ctrl-C.`,
  token: `berth token create [--expires-in <seconds>] [--code <code>] [--owner <owner>]
berth token list
berth token revoke <token-id>

create mints a one-time registration token for a self-hosted agent (shown this once; with
--code it can only register that code). list shows the tokens' ids and status (active, used,
expired, revoked), never the tokens. revoke makes an unused token worthless (exit 3 if it was
already used).`,
  backups: `berth backups [list] [<agent-id>]
berth backups create <agent-id> [--label <text>] [--wait] [--timeout <s>]
berth backups restore <backup-id> --name <name> [--owner <owner>]
berth backups delete <backup-id>

The backup catalog: list it (a destroyed agent's backups stay), back up an agent's workspace
(with --wait, until it completes; exit 8 if it fails), create a new agent from a completed
backup, delete one.`,
  services: `berth services [<agent-id>]

Lists the services agents reported: code, name, effective status (stale once the reporting
agent is degraded or gone), the reported status, the agent and when.`,
};

/** The overview printed by `berth help`. */
export const USAGE = `berth: drive the agents of a Berth platform from the command line.

Usage: berth <verb> [arguments] [flags]

Verbs:
  agents                         list agents
  status <id>                    show one agent (with --profile: the vendor's status word)
  deploy <name>                  create and provision an agent
  start|stop|restart <id>        runtime actions
  redeploy|reprovision <id>      rebuild from the current revision or configuration
  rollback <id> --revision <r>   go back to a revision
  recreate <id>                  clean-slate rebuild (asks for the agent's name)
  pause|resume <id>              close or reopen admission of new work
  disable|enable <id>            switch the agent's API access off or on
  destroy|kill <id> --reason     destroy the agent (asks for its name)
  wait <id> --status <s>         wait until the agent has a status
  watch <id>                     follow status changes live
  audit <id>                     the audit trail
  revisions <id>                 the revisions
  why <id>                       why the agent is in its status: since when, and the causes
  token create|list|revoke       registration tokens (a new one is shown once)
  backups [list|create|restore|delete]  the backup catalog
  services [<agent-id>]          the services agents reported
  help [verb]                    this text, or a verb's

${COMMON}

Exit codes: 0 ok, 1 unexpected, 2 usage, 3 refused by the lifecycle, 4 not found,
5 timeout, 6 server unreachable, 7 unauthorized/forbidden, 8 operation failed, 130 interrupted.
`;

/** Help for a verb (with the global flags), or the overview. */
export function helpFor(verb: string | undefined): string {
  const text = verb === undefined ? undefined : VERB_HELP[verb];
  return text === undefined ? USAGE : `${text}\n\n${COMMON}\n`;
}
