// The `backup` check: when the last backup succeeded, its result, its age and size, from one of four
// providers — the newest file under a folder, the Windows Server Backup or Veeam event log, or a command.
import { DURATION_PATTERN, parseDuration, parseSize, type SchemaIssue, SIZE_PATTERN } from '@vitals/shared';
import Type, { type Static } from 'typebox';
import { describeSpawnError, execFile } from '../exec.js';
import { runPowerShell } from '../platform/powershell.js';
import type { AgeThresholds } from './backup-age.js';
import {
  type BackupEvent,
  type EventSource,
  judgeEventOutput,
  logExistsScript,
  parseVeeamEvents,
  parseWsbEvents,
  veeamScript,
  WSB_LOG_NAME,
  wsbScript,
} from './backup-events.js';
import { judgeFileScan, scanBackupFolder } from './backup-file.js';
import { type CheckContext, type CheckOutcome, defineCheck } from './check.js';
import { formatSeconds } from './command.js';
import { firstLine } from './plugin-output.js';

// Event log names go into a single-quoted PowerShell string; this keeps quotes and `$(...)` out.
const LOG_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9 ._/-]*$';

const options = {
  provider: Type.Union(
    [Type.Literal('file'), Type.Literal('windows-server-backup'), Type.Literal('veeam'), Type.Literal('command')],
    { description: 'where the backup status comes from' },
  ),
  warn_age: Type.String({
    pattern: DURATION_PATTERN,
    default: '26h',
    description: 'WARNING when the last successful backup is older than this',
  }),
  crit_age: Type.String({
    pattern: DURATION_PATTERN,
    default: '30h',
    description: 'CRITICAL when the last successful backup is older than this',
  }),
  path: Type.Optional(Type.String({ minLength: 1, description: 'file: the backup folder (or one backup file)' })),
  pattern: Type.String({
    minLength: 1,
    default: '*',
    description: 'file: which file names count as backups; * = any characters, ? = one character',
  }),
  max_depth: Type.Integer({ minimum: 0, maximum: 10, default: 3, description: 'file: levels of subfolders searched' }),
  max_files: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: 20_000,
    description: 'file: folder entries examined at most, so a huge share cannot stall the check',
  }),
  min_size: Type.String({
    pattern: SIZE_PATTERN,
    default: '1B',
    description: 'file: a newest backup smaller than this is CRITICAL (0 bytes always is)',
  }),
  lookback_days: Type.Integer({
    minimum: 1,
    maximum: 90,
    default: 7,
    description: 'windows-server-backup, veeam: days of event log searched',
  }),
  log: Type.String({
    pattern: LOG_NAME_PATTERN,
    default: 'Veeam Agent',
    description: 'veeam: event log name ("Veeam Agent", or "Veeam Backup" on a Backup & Replication server)',
  }),
  job: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'veeam: only events naming this job; default: all jobs' }),
  ),
  command: Type.Optional(
    Type.String({ minLength: 1, description: 'command: program whose exit code 0 means the last backup succeeded' }),
  ),
  args: Type.Array(Type.String(), { default: [], description: 'command: its arguments (no shell)' }),
};

const OptionsSchema = Type.Object(options);
type Options = Static<typeof OptionsSchema>;

export const backupCheck = defineCheck({
  kind: 'backup',
  summary: 'last successful backup: when, its result, its age and size (file, Windows Server Backup, Veeam, command)',
  options,
  validate: backupIssues,
  defaultInterval: '15m',
  defaultTimeout: '60s',
  async run(opts, ctx) {
    return [await runProvider(opts, ctx)];
  },
});

/** What the schema cannot say: each provider's own required key, and warn_age below crit_age. */
export function backupIssues(o: Options): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  if (o.provider === 'file' && o.path === undefined)
    issues.push({ path: 'path', message: 'the file provider needs `path`: the folder the backups are written to' });
  if (o.provider === 'command' && o.command === undefined)
    issues.push({ path: 'command', message: 'the command provider needs `command`: the program to run' });
  const { warnMs, critMs } = thresholdsOf(o);
  if (warnMs >= critMs) issues.push({ path: 'warn_age', message: `must be shorter than crit_age (${o.crit_age})` });
  return issues;
}

function thresholdsOf(o: Options): AgeThresholds {
  return { warnMs: parseDuration(o.warn_age) ?? 26 * 3_600_000, critMs: parseDuration(o.crit_age) ?? 30 * 3_600_000 };
}

function unknown(target: string, message: string): CheckOutcome {
  return { target, status: 'UNKNOWN', values: {}, message };
}

async function runProvider(o: Options, ctx: CheckContext): Promise<CheckOutcome> {
  switch (o.provider) {
    case 'file':
      return fileProvider(o, ctx);
    case 'command':
      return commandProvider(o, ctx);
    case 'windows-server-backup':
      return eventProvider(ctx, wsbScript(o.lookback_days), WSB_LOG_NAME, parseWsbEvents, thresholdsOf(o), {
        name: 'Windows Server Backup',
        lookbackDays: o.lookback_days,
      });
    case 'veeam':
      return eventProvider(
        ctx,
        veeamScript(o.log, o.lookback_days, o.job !== undefined),
        o.log,
        (text) => parseVeeamEvents(text, o.job),
        thresholdsOf(o),
        { name: o.job !== undefined ? `${o.log} job ${o.job}` : o.log, lookbackDays: o.lookback_days },
      );
  }
}

async function fileProvider(o: Options, ctx: CheckContext): Promise<CheckOutcome> {
  if (o.path === undefined) return unknown('', 'the file provider needs `path`: the folder the backups are written to');
  const scan = await scanBackupFolder({
    path: o.path,
    pattern: o.pattern,
    maxDepth: o.max_depth,
    maxEntries: o.max_files,
    // NTFS and APFS compare names case-insensitively; "*.VBK" must find "job.vbk".
    caseInsensitive: ctx.platform === 'win32' || ctx.platform === 'darwin',
    signal: ctx.signal,
  });
  return judgeFileScan(scan, {
    path: o.path,
    pattern: o.pattern,
    minSize: Math.max(1, parseSize(o.min_size) ?? 1),
    thresholds: thresholdsOf(o),
    now: ctx.now(),
  });
}

async function commandProvider(o: Options, ctx: CheckContext): Promise<CheckOutcome> {
  if (o.command === undefined) return unknown('', 'the command provider needs `command`: the program to run');
  const target = o.command;
  const run = await execFile(o.command, o.args, {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    maxOutputBytes: 64 * 1024,
  });
  if (run.spawnError) return unknown(target, describeSpawnError(o.command, run.spawnError));
  if (run.timedOut) return unknown(target, `did not finish within ${formatSeconds(ctx.timeoutMs)} and was killed`);
  if (run.code === null) return unknown(target, `was killed by ${run.signal ?? 'a signal'} before it finished`);
  const said = firstLine(run.stdout) || firstLine(run.stderr);
  const values = { last_result: { value: run.code === 0 ? 'success' : 'failure' }, exit_code: { value: run.code } };
  if (run.code === 0)
    return { target, status: 'OK', values, message: `the backup command reports success${said ? `: ${said}` : ''}` };
  // A failed run is a WARNING at once (SPEC §4.3); the collector escalates when it persists.
  return {
    target,
    status: 'WARNING',
    values,
    message: `the backup command reports a failure (exit code ${run.code})${said ? `: ${said}` : ''}`,
  };
}

async function eventProvider(
  ctx: CheckContext,
  script: string,
  log: string,
  parse: (text: string) => BackupEvent[],
  thresholds: AgeThresholds,
  source: EventSource,
): Promise<CheckOutcome> {
  if (ctx.platform !== 'win32')
    return unknown(source.name, `${source.name} is read from the Windows event log; this is not Windows`);
  const query = (text: string) => runPowerShell(text, { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  let text: string;
  try {
    text = await query(script);
  } catch (error) {
    return unknown(source.name, `could not query the ${log} event log: ${(error as Error).message}`);
  }
  const outcome = judgeEventOutput(text, parse, ctx.now(), thresholds, source);
  // "No events" from a log that does not exist means the product is not there at all: say so.
  if (outcome.status === 'CRITICAL' && text.trim() === '') {
    const exists = await query(logExistsScript(log)).catch(() => 'unknown');
    const product = log === WSB_LOG_NAME ? 'Windows Server Backup' : log;
    if (exists.trim() === '')
      return {
        ...outcome,
        message: `the event log "${log}" does not exist on this machine — is ${product} installed? (no backup recorded in ${source.lookbackDays} days)`,
      };
  }
  return outcome;
}
