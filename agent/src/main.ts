#!/usr/bin/env node
// The `vitals` command line: the local health check, the long-running agent and its admin verbs.
// First, before any other module is evaluated: V8 settings for a small resident agent.
import './v8-flags.js';
import { ConfigError, exitQuietlyOnClosedPipe } from '@vitals/shared';
import { Command, CommanderError, Option } from 'commander';
import { checkCommand, UsageError } from './cli/check-command.js';
import { validateCommand } from './cli/config-command.js';
import { configReference } from './cli/config-reference.js';
import { EnrollError, enrollCommand } from './cli/enroll-command.js';
import { runCommand } from './cli/run-command.js';
import { statusCommand } from './cli/status-command.js';
import { TransportConfigError } from './delivery/transport.js';
import { IdentityError } from './identity.js';
import { VERSION } from './version.js';

// Exit codes follow the Nagios plugin convention throughout: 3 means "could not judge".
const EXIT_UNKNOWN = 3;
// Outside `check`, 1 means the command could not do its job (collector refused, network, TLS).
const EXIT_FAILURE = 1;

export function buildProgram(): Command {
  const program = new Command('vitals')
    .description('Vitals endpoint agent: local health checks, buffered delivery to the collector')
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('check')
    .description(
      'run every configured check once, locally, and print the result; exit code = worst status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)',
    )
    .option('-c, --config <file>', 'agent config file (default: the OS location if present, else built-in checks)')
    .option('--json', 'print one JSON document instead of the table')
    .addOption(new Option('--only <ids...>', 'run only these checks (ids or kinds; space or comma separated)'))
    .action(async (opts: { config?: string; json?: boolean; only?: string[] }) => {
      process.exitCode = await checkCommand(opts);
    });

  program
    .command('run')
    .description('run the agent: schedule checks, buffer every result, ship to the collector; stops on SIGINT/SIGTERM')
    .option('-c, --config <file>', 'agent config file')
    .action(async (opts: { config?: string }) => {
      process.exitCode = await runCommand(opts);
    });

  program
    .command('enroll')
    .description("exchange a site enrollment token for this agent's own identity and secret (stored owner-only)")
    .requiredOption('--url <url>', 'collector base URL, e.g. https://vitals.example-msp.com')
    .requiredOption('--token <token>', 'site enrollment token from `vitals-collector token create`')
    .option('-c, --config <file>', 'agent config file (for state_dir and TLS settings)')
    .option('--force', 'enroll again even if this agent already has an identity')
    .option('--json', 'print the outcome as JSON')
    .action(async (opts: { url: string; token: string; config?: string; force?: boolean; json?: boolean }) => {
      process.exitCode = await enrollCommand(opts);
    });

  program
    .command('status')
    .description(
      'identity, collector, last delivery, buffer depth, dropped count, last error (exit 1 when not enrolled or failing)',
    )
    .option('-c, --config <file>', 'agent config file')
    .option('--json', 'print one JSON document')
    .action((opts: { config?: string; json?: boolean }) => {
      process.exitCode = statusCommand(opts);
    });

  const config = program.command('config').description('work with the agent config file');
  config
    .command('validate [file]')
    .description('validate a config file; errors name the line, the key path and what is wrong (exit 3)')
    .option('--json', 'print the verdict as JSON')
    .action((file: string | undefined, opts: { json?: boolean }) => {
      process.exitCode = validateCommand(file, Boolean(opts.json));
    });

  config
    .command('reference')
    .description('print the reference of every config key and check option (Markdown), generated from the schemas')
    .action(() => {
      process.stdout.write(configReference());
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // `vitals check | head` ends quietly; the agent itself (`run`) keeps its usual handling.
  program.hook('preAction', (_program, action) => {
    if (action.name() !== 'run') exitQuietlyOnClosedPipe();
  });
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with code 0.
      return error.exitCode === 0 ? 0 : EXIT_UNKNOWN;
    }
    if (error instanceof ConfigError || error instanceof UsageError || error instanceof IdentityError) {
      process.stderr.write(`vitals: ${error.message}\n`);
      return EXIT_UNKNOWN;
    }
    if (error instanceof EnrollError || error instanceof TransportConfigError) {
      process.stderr.write(`vitals: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    process.stderr.write(
      `vitals: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT_UNKNOWN;
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
