#!/usr/bin/env node
import { ConfigError } from '@vitals/shared';
// The `vitals` command line: the local health check, the long-running agent and its admin verbs.
import { Command, CommanderError, Option } from 'commander';
import { checkCommand, UsageError } from './cli/check-command.js';
import { validateCommand } from './cli/config-command.js';
import { VERSION } from './version.js';

// Exit codes follow the Nagios plugin convention throughout: 3 means "could not judge".
const EXIT_UNKNOWN = 3;

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

  const config = program.command('config').description('work with the agent config file');
  config
    .command('validate [file]')
    .description('validate a config file; errors name the line, the key path and what is wrong (exit 3)')
    .option('--json', 'print the verdict as JSON')
    .action((file: string | undefined, opts: { json?: boolean }) => {
      process.exitCode = validateCommand(file, Boolean(opts.json));
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with code 0.
      return error.exitCode === 0 ? 0 : EXIT_UNKNOWN;
    }
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`vitals: ${error.message}\n`);
      return EXIT_UNKNOWN;
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
