// The `vitals-collector` command line: serve, tokens, agents, export, alerts, silences, maintenance
// windows and `rules test`. Exit codes: 0 ok, 1 runtime failure, 2 usage or config error.
import { ConfigError, exitQuietlyOnClosedPipe } from '@vitals/shared';
import { Command, CommanderError } from 'commander';
import { DEFAULT_DATA_DIR, DEFAULT_LISTEN, loadCollectorConfig, UsageError } from '../config.js';
import { VERSION } from '../version.js';
import { agentRetire, agentsList } from './agents-command.js';
import { alertAck, alertsList } from './alerts-command.js';
import { apikeyCreate, apikeyList, apikeyRevoke, collect } from './apikey-command.js';
import { auditList } from './audit-command.js';
import { backupCommand } from './backup-command.js';
import { collectorConfigReference } from './config-reference.js';
import { exportCommand } from './export-command.js';
import { maintenanceList } from './maintenance-command.js';
import { notifyStatus, notifyTest } from './notify-command.js';
import { rulesTest } from './rules-test-command.js';
import { serveCommand } from './serve-command.js';
import { silenceAdd, silenceExpire, silenceList } from './silence-command.js';
import { tokenCreate, tokenList, tokenRevoke } from './token-command.js';
import { userAdd, userDisable, userList, userPasswd } from './user-command.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

type Action = () => Promise<number>;

function common(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'collector config file (YAML)')
    .option(
      '-d, --data <dir>',
      `data directory holding collector.db (default: data_dir from the config, else ${DEFAULT_DATA_DIR})`,
    );
}

export function buildProgram(run: (action: Action) => Promise<void>): Command {
  const program = new Command('vitals-collector')
    .description('Vitals collector: ingest API for agents, storage, and the admin commands')
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  common(program.command('serve'))
    .description('run the HTTP server (ingest, enroll, healthz, metrics) until SIGINT/SIGTERM')
    .option('-l, --listen <host:port>', `address to listen on; port 0 picks a free one (default: ${DEFAULT_LISTEN})`)
    .action((opts) => run(() => serveCommand(opts)));

  const token = program.command('token').description('enrollment tokens (one per site; shown once, stored hashed)');
  common(token.command('create'))
    .description('create a token for a site, creating client and site if needed; prints the token')
    .requiredOption('--client <name>', 'client (practice) name')
    .requiredOption('--site <name>', 'site name within the client')
    .option('--expires <duration>', 'lifetime, e.g. 12h or 30d', '7d')
    .option('--json', 'print {id, token, client, site, expires_at}')
    .action((opts) => run(() => tokenCreate(opts)));
  common(token.command('list'))
    .description('list tokens with their status (active, expired, revoked)')
    .option('--json', 'print a JSON array')
    .action((opts) => run(() => tokenList(opts)));
  common(token.command('revoke <id>'))
    .description('revoke a token by its public id (tk_…); enrolled agents keep working')
    .option('--json', 'print {id, revoked}')
    .action((id: string, opts) => run(() => tokenRevoke(id, opts)));

  const apikey = program.command('apikey').description('API keys for the HTTP API (shown once, stored hashed)');
  common(apikey.command('create'))
    .description('create an API key with a role, optionally limited to clients; prints the key')
    .requiredOption('--name <name>', 'what the key is for; it signs acknowledgements and silences')
    .requiredOption('--role <role>', 'admin, technician (acknowledge, silence) or viewer (read only)')
    .option('--client <name>', 'limit the key to this client (repeat for more); default: every client', collect)
    .option('--json', 'print {id, secret, name, role, clients, …}')
    .action((opts) => run(() => apikeyCreate(opts)));
  common(apikey.command('list'))
    .description('list API keys: role, clients, status, last use')
    .option('--json', 'print a JSON array')
    .action((opts) => run(() => apikeyList(opts)));
  common(apikey.command('revoke <id>'))
    .description('revoke an API key by its id (ak_…): requests with it get 401 from now on')
    .option('--json', 'print {id, revoked}')
    .action((id: string, opts) => run(() => apikeyRevoke(id, opts)));

  const user = program
    .command('user')
    .description('dashboard logins (passwords from a file, stdin or generated; stored as scrypt hashes)');
  const passwordOptions = (cmd: Command) =>
    cmd
      .option('--password-file <file>', 'read the password from the first line of this file')
      .option('--generate-password', 'generate a password and print it once')
      .addHelpText(
        'after',
        '\nWithout either, the password is read from stdin (never from an argument: `ps` shows those).',
      );
  passwordOptions(common(user.command('add <email>')))
    .description('add a user with a role, optionally limited to clients')
    .requiredOption('--role <role>', 'admin, technician (acknowledge, silence) or viewer (read only)')
    .option('--client <name>', 'limit the user to this client (repeat for more); default: every client', collect)
    .option('--name <name>', 'shown name; it signs acknowledgements and silences (default: the part before @)')
    .option('--json', 'print the user (and a generated password)')
    .action((email: string, opts) => run(() => userAdd(email, opts)));
  common(user.command('list'))
    .description('list users: role, clients, status, last login')
    .option('--json', 'print a JSON array')
    .action((opts) => run(() => userList(opts)));
  common(user.command('disable <email>'))
    .description('disable a user: their sessions end and they cannot log in')
    .option('--json', 'print {email, id, disabled}')
    .action((email: string, opts) => run(() => userDisable(email, opts)));
  passwordOptions(common(user.command('passwd <email>')))
    .description("set a user's password; their sessions end")
    .option('--json', 'print {email, id} (and a generated password)')
    .action((email: string, opts) => run(() => userPasswd(email, opts)));

  const auditCmd = program.command('audit').description('the audit log: who did what, and when');
  common(auditCmd.command('list'))
    .description('acknowledgements, silences, users, tokens, API keys and logins, oldest first')
    .option('--since <time>', 'only entries at or after: ISO time, epoch ms, or a duration ago (24h)')
    .option('--limit <n>', 'at most the newest n entries', '1000')
    .option('--json', 'print a JSON array')
    .action((opts) => run(() => auditList(opts)));

  common(program.command('agents'))
    .description('list enrolled agents: client, site, hostname, id, status, last seen, buffer, dropped')
    .option('--json', 'print a JSON array')
    .action((opts) => run(() => agentsList(opts)));
  const agent = program.command('agent').description('act on one agent');
  common(agent.command('retire <agent-id>'))
    .description('retire an agent: its secret is refused (401) from now on; its data stays')
    .option('--json', 'print {agent_id, retired}')
    .action((id: string, opts) => run(() => agentRetire(id, opts)));

  common(program.command('export'))
    .description('print every stored report of a host in seq order, one per line')
    .requiredOption('--host <host>', 'hostname (case-insensitive) or agent id')
    .option('--since <time>', 'only reports with ts at or after: ISO time, epoch ms, or a duration ago (24h)')
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .action((opts) => run(() => exportCommand(opts)));

  common(program.command('backup'))
    .description(
      'write a consistent snapshot of collector.db to a new file, also while serve runs (restore: see docs/api.md)',
    )
    .requiredOption('--to <file>', 'the backup file to create (never overwritten)')
    .option('--json', 'print {from, to, ms, integrity}')
    .action((opts) => run(() => backupCommand(opts)));

  common(program.command('alerts'))
    .description('open alerts (pending and firing), worst first then oldest; silenced and acknowledged ones too')
    .option('--all', 'also list resolved alerts')
    .option('--client <name>', 'only alerts of this client')
    .option('--since <time>', 'only alerts open at or after: ISO time, epoch ms, or a duration ago (24h)')
    .option('--json', 'print a JSON array')
    .action((opts) => run(() => alertsList(opts)));
  const alert = program.command('alert').description('act on one alert');
  common(alert.command('ack <id>'))
    .description('acknowledge a firing alert: its reminders and escalation stop; it stays listed until resolved')
    .requiredOption('--by <name>', 'who acknowledges')
    .option('--comment <text>', 'a note for the others (what is being done)')
    .option('--json', 'print the acknowledged alert')
    .action((id: string, opts) => run(() => alertAck(id, opts)));

  const silence = program.command('silence').description('ad-hoc silences: alerts stay visible, notifications wait');
  common(silence.command('add'))
    .description('silence the alerts matching every --match until an end; prints the silence id')
    .requiredOption(
      '--match <matcher...>',
      'LABEL OP VALUE, e.g. host=EMR-SRV01 or rule=~"disk_.*" (labels: client, site, host, rule, target, severity)',
    )
    .option('--for <duration>', 'how long from now, e.g. 2h or 3d')
    .option('--until <time>', 'when it ends: ISO time (no zone = UTC) or epoch ms')
    .requiredOption('--reason <text>', 'why (shown with the silence)')
    .requiredOption('--author <name>', 'who silences')
    .option('--json', 'print the silence')
    .action((opts) => run(() => silenceAdd(opts)));
  common(silence.command('list'))
    .description('silences in force or scheduled (with --all, ended and expired ones too), newest first')
    .option('--all', 'also list ended and expired silences')
    .option('--json', 'print a JSON array')
    .action((opts) => run(() => silenceList(opts)));
  common(silence.command('expire <id>'))
    .description('end a silence now: its alerts notify again')
    .option('--json', 'print {id, expired}')
    .action((id: string, opts) => run(() => silenceExpire(id, opts)));

  const maintenance = program.command('maintenance').description('recurring maintenance windows (from the config)');
  common(maintenance.command('list'))
    .description('the configured maintenance windows: open now or not, and when that next changes (local time)')
    .option('--json', 'print a JSON array')
    .action((opts) => run(() => maintenanceList(opts)));

  const rules = program.command('rules').description('alert rules');
  common(rules.command('test <file>'))
    .description(
      'replay results from a .csv or .jsonl file through the rules of the config and print when alerts would fire, change and resolve',
    )
    .option('--host <name>', 'hostname whose overrides apply (default: the host an export file names)')
    .option('--client <name>', 'client whose overrides apply')
    .option('--site <name>', 'site whose overrides apply')
    .option('--tick <duration>', 'time-driven rules are evaluated this often between results', '1m')
    .option('--until <time>', 'keep the clock running until: ISO time or epoch ms (default: the last result)')
    .option('--json', 'print one JSON object per event')
    .action((file: string, opts) => run(() => rulesTest(file, opts)));

  const config = program.command('config').description('the collector config file');
  config
    .command('reference')
    .description('print the config reference (every key, channel type and alert rule option with its default)')
    .action(() =>
      run(async () => {
        process.stdout.write(collectorConfigReference());
        return EXIT_OK;
      }),
    );
  common(config.command('validate'))
    .description('validate a config file (--config F): every problem as file:line: key.path: what is wrong')
    .action((opts: { config?: string }) =>
      run(async () => {
        if (!opts.config) throw new UsageError('config validate needs --config FILE');
        loadCollectorConfig({ config: opts.config });
        process.stdout.write(`${opts.config}: valid\n`);
        return EXIT_OK;
      }),
    );

  const notify = program.command('notify').description('notification channels: test one, see the outbox');
  common(notify.command('test'))
    .description('send a test message through a channel of the config and print what the server answered')
    .requiredOption('--channel <name>', 'channel name under notifications.channels')
    .option('--json', 'print {channel, type, ok, response | error, permanent}')
    .action((opts) => run(() => notifyTest(opts)));
  common(notify.command('status'))
    .description('per channel: queued, sending, failed and delivered notifications, and whether it is failing')
    .option('--json', 'print a JSON array')
    .action((opts) => run(() => notifyStatus(opts)));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(async (action) => {
    code = await action();
  });
  // `export … | head` ends quietly with 0; the server (`serve`) keeps its usual handling.
  program.hook('preAction', (_program, action) => {
    if (action.name() !== 'serve') exitQuietlyOnClosedPipe();
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`vitals-collector: ${error.message}\n`);
      return EXIT_USAGE;
    }
    // The stack only helps a developer; VITALS_DEBUG=1 shows it.
    const detail = error instanceof Error ? (process.env.VITALS_DEBUG ? error.stack : error.message) : String(error);
    process.stderr.write(`vitals-collector: ${detail}\n`);
    return EXIT_FAILURE;
  }
}
