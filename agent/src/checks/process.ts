// The `process` check: per named process (software that is not a service) how many run, their
// CPU as % of the whole machine and their resident memory.
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatBytes, formatPercent, type Measurement, type Status } from '@vitals/shared';
import Type from 'typebox';
import { type CheckContext, type CheckOutcome, defineCheck, unknownOutcome } from './check.js';
import { readLinuxProcesses } from './process-linux.js';
import { readMacProcesses, readWindowsProcesses } from './process-listings.js';
import {
  baselineOf,
  type CpuBaseline,
  cpuPercentReported,
  cpuPercentSince,
  type ProcessSample,
} from './process-sample.js';

// Handed to Get-Process and matched against comm: no leading dash, quotes or wildcards.
export const PROCESS_NAME_PATTERN = '^[A-Za-z0-9_][^\'"`*?\\[\\]\\r\\n]*$';

export async function readProcesses(
  names: readonly string[],
  ctx: CheckContext,
): Promise<Map<string, ProcessSample[]>> {
  switch (ctx.platform) {
    case 'linux':
      return readLinuxProcesses(names);
    case 'win32':
      return readWindowsProcesses(names, ctx);
    case 'darwin':
      return readMacProcesses(names, ctx);
    default:
      throw new Error(`process checks are not supported on ${ctx.platform}`);
  }
}

// Like the cpu check: in `vitals run` the previous run of the check is the baseline, so CPU is the
// average over the whole interval; keyed by process name. Older than this, it says nothing of now.
const previous = new Map<string, CpuBaseline>();
const BASELINE_MAX_AGE_MS = 15 * 60_000;

export interface ProcessJudgement {
  name: string;
  samples: readonly ProcessSample[];
  cpuPercent: number | undefined;
  minCount: number;
  maxCount: number | undefined;
}

export function judgeProcess(j: ProcessJudgement): CheckOutcome {
  const count = j.samples.length;
  const rss = j.samples.reduce((sum, s) => sum + (s.rssBytes ?? 0), 0);
  const values: Record<string, Measurement> = { count: { value: count, unit: 'count' } };
  if (j.cpuPercent !== undefined) values.cpu_percent = { value: Math.round(j.cpuPercent * 10) / 10, unit: 'percent' };
  if (count > 0) values.rss_bytes = { value: rss, unit: 'bytes' };

  const usage = [
    `${count} process${count === 1 ? '' : 'es'}`,
    ...(j.cpuPercent !== undefined ? [`${formatPercent(j.cpuPercent)} CPU of the whole machine`] : []),
    `${formatBytes(rss)} memory`,
  ].join(', ');
  let status: Status = 'OK';
  let message: string;
  if (count === 0) {
    if (j.minCount > 0) status = 'CRITICAL';
    message = `Process ${j.name} is not running (${j.minCount > 0 ? `0 of at least ${j.minCount}` : 'none required'})`;
  } else if (count < j.minCount) {
    status = 'CRITICAL';
    message = `Process ${j.name} has only ${count} running (of at least ${j.minCount}): ${usage}`;
  } else if (j.maxCount !== undefined && count > j.maxCount) {
    status = 'WARNING';
    message = `Process ${j.name} has ${count} running (more than the ${j.maxCount} expected): ${usage}`;
  } else {
    message = `Process ${j.name} is running (${usage})`;
  }
  return { target: j.name, status, values, message };
}

export const processCheck = defineCheck({
  kind: 'process',
  summary: 'count, CPU (% of the whole machine) and memory of named processes that are not services',
  options: {
    processes: Type.Array(Type.String({ minLength: 1, maxLength: 256, pattern: PROCESS_NAME_PATTERN }), {
      minItems: 1,
      description:
        'executable names, matched exactly: Linux comm (long names are confirmed against the executable), ' +
        'Windows process name with or without .exe, macOS executable (case-insensitive on Windows and macOS)',
    }),
    min_count: Type.Integer({ minimum: 0, default: 1, description: 'CRITICAL when fewer of each are running' }),
    max_count: Type.Optional(
      Type.Integer({ minimum: 0, description: 'WARNING when more of each are running; default: no limit' }),
    ),
    sample: Type.Number({
      minimum: 0,
      maximum: 10,
      default: 1,
      description: 'seconds to measure CPU over when there is no earlier run to compare with; 0 leaves CPU out then',
    }),
  },
  validate(options) {
    if (options.max_count !== undefined && options.max_count < options.min_count) {
      return [{ path: 'max_count', message: `must be at least min_count (${options.min_count})` }];
    }
    return [];
  },
  defaultInterval: '60s',
  defaultTimeout: '20s',
  async run(options, ctx) {
    const names = [...new Set(options.processes)];
    const cores = os.cpus().length;
    let found: Map<string, ProcessSample[]>;
    let at: number;
    const baselines = new Map<string, CpuBaseline | undefined>();
    try {
      found = await readProcesses(names, ctx);
      at = ctx.now();
      for (const name of names) {
        const prev = previous.get(name);
        baselines.set(name, prev && at - prev.at <= BASELINE_MAX_AGE_MS ? prev : undefined);
      }
      // macOS ps averages by itself; elsewhere a first run measures over a short sample.
      const unmeasured = names.filter((n) => !baselines.get(n) && (found.get(n)?.length ?? 0) > 0);
      if (ctx.platform !== 'darwin' && unmeasured.length > 0 && options.sample > 0) {
        for (const name of unmeasured) baselines.set(name, baselineOf(found.get(name) ?? [], at));
        await sleep(options.sample * 1000, undefined, { signal: ctx.signal });
        found = await readProcesses(names, ctx);
        at = ctx.now();
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return names.map((name) => unknownOutcome(name, `cannot list processes to find ${name}: ${reason}`));
    }
    return names.map((name) => {
      const samples = found.get(name) ?? [];
      const baseline = baselines.get(name);
      previous.set(name, baselineOf(samples, at));
      const cpuPercent =
        ctx.platform === 'darwin'
          ? cpuPercentReported(samples, cores)
          : baseline && samples.length > 0
            ? cpuPercentSince(baseline, samples, at, cores)
            : undefined;
      return judgeProcess({ name, samples, cpuPercent, minCount: options.min_count, maxCount: options.max_count });
    });
  },
});
