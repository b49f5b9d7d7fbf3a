// Runs a local script Nagios-plugin style: exit 0/1/2/3 is OK/WARNING/CRITICAL/UNKNOWN and the first
// line of output is the message. Defined only in the local config file, never pushed from the collector.
import { type Measurement, type Status, statusFromExitCode } from '@vitals/shared';
import Type from 'typebox';
import { describeSpawnError, type ExecResult, execFile } from '../exec.js';
import { type CheckOutcome, defineCheck } from './check.js';
import { cleanText, firstLine, parsePluginOutput } from './plugin-output.js';

// Enough for any first line; a script that prints megabytes is drained and the rest dropped.
const MAX_OUTPUT_BYTES = 64 * 1024;

export const commandCheck = defineCheck({
  kind: 'command',
  summary: 'runs a local script; exit 0/1/2/3 = OK/WARNING/CRITICAL/UNKNOWN, first line of output = message',
  options: {
    command: Type.String({ minLength: 1, description: 'program to run (full path recommended); run without a shell' }),
    args: Type.Array(Type.String(), { default: [], description: 'arguments, one list item each (no shell quoting)' }),
    cwd: Type.Optional(Type.String({ minLength: 1, description: 'working directory; default: the agent’s' })),
  },
  defaultInterval: '5m',
  defaultTimeout: '30s',
  async run(options, ctx) {
    const result = await execFile(options.command, options.args, {
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
      cwd: options.cwd,
      maxOutputBytes: MAX_OUTPUT_BYTES,
    });
    return [judgePluginRun(options.command, result, ctx.timeoutMs)];
  },
});

/** Turns a finished (or killed) plugin run into a result. Pure: the tests feed it ExecResults. */
export function judgePluginRun(command: string, run: ExecResult, timeoutMs: number): CheckOutcome {
  const target = command;
  if (run.spawnError) return unknown(target, describeSpawnError(command, run.spawnError));
  if (run.timedOut) return unknown(target, `did not finish within ${formatSeconds(timeoutMs)} and was killed`);
  if (run.code === null) return unknown(target, `was killed by ${run.signal ?? 'a signal'} before it finished`);

  const { text, values: perf } = parsePluginOutput(run.stdout);
  const values: Record<string, Measurement> = { ...perf, exit_code: { value: run.code } };
  const said = text !== '' ? text : firstLine(run.stderr);
  if (run.code < 0 || run.code > 3) {
    const reason = `exited with code ${run.code}, which is not a plugin status (0–3)`;
    return { target, status: 'UNKNOWN', values, message: said === '' ? reason : cleanText(`${reason}: ${said}`) };
  }
  const status: Status = statusFromExitCode(run.code);
  return { target, status, values, message: said === '' ? `exited with ${run.code} and printed nothing` : said };
}

function unknown(target: string, message: string): CheckOutcome {
  return { target, status: 'UNKNOWN', values: {}, message };
}

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
