// CPU utilisation as % of the whole machine (all cores together = 100 %, so 4 busy cores of 8
// read 50 %, never 400 %), plus the 1/5/15-minute load where the OS has one.
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatPercent } from '@vitals/shared';
import Type from 'typebox';
import { defineCheck, statusAbove } from './check.js';

export interface CpuTimes {
  idle: number;
  total: number;
}

export function readCpuTimes(cpus: os.CpuInfo[] = os.cpus()): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/** Busy share between two samples of cumulative CPU times, 0–100. */
export function utilisationBetween(before: CpuTimes, after: CpuTimes): number | undefined {
  const total = after.total - before.total;
  if (total <= 0) return undefined;
  const busy = total - (after.idle - before.idle);
  return Math.min(100, Math.max(0, (busy / total) * 100));
}

// In `vitals run` the previous run's sample makes each result the average over the whole
// interval, not a 1-second glimpse that misses or exaggerates spikes.
let previous: { at: number; times: CpuTimes } | undefined;

export const cpuCheck = defineCheck({
  kind: 'cpu',
  summary: 'CPU utilisation of the whole machine (all cores = 100 %) and load average',
  options: {
    warn_percent: Type.Number({ minimum: 0, maximum: 100, default: 90, description: 'WARNING above this utilisation' }),
    crit_percent: Type.Number({
      minimum: 0,
      maximum: 100,
      default: 98,
      description: 'CRITICAL above this utilisation',
    }),
    sample: Type.Number({
      minimum: 0.1,
      maximum: 10,
      default: 1,
      description: 'seconds to measure over when there is no earlier sample (first run, `vitals check`)',
    }),
  },
  defaultInterval: '60s',
  defaultTimeout: '15s',
  async run(options, ctx) {
    const now = ctx.now();
    let before = previous?.times;
    if (!before || now - (previous?.at ?? 0) > 15 * 60_000) {
      before = readCpuTimes();
      await sleep(options.sample * 1000, undefined, { signal: ctx.signal });
    }
    const after = readCpuTimes();
    previous = { at: ctx.now(), times: after };
    const used = utilisationBetween(before, after);
    if (used === undefined) {
      return [{ target: '', status: 'UNKNOWN', values: {}, message: 'CPU times did not advance; cannot measure use' }];
    }
    const cores = os.cpus().length;
    const values: Record<string, { value: number; unit?: string }> = {
      used_percent: { value: Math.round(used * 10) / 10, unit: 'percent' },
      cores: { value: cores, unit: 'count' },
    };
    // Windows has no load average (os.loadavg() is always zeros there).
    if (ctx.platform !== 'win32') {
      const [l1, l5, l15] = os.loadavg() as [number, number, number];
      values.load1 = { value: l1 };
      values.load5 = { value: l5 };
      values.load15 = { value: l15 };
    }
    const status = statusAbove(used, options.warn_percent, options.crit_percent);
    const verdict =
      status === 'CRITICAL' ? 'critically busy' : status === 'WARNING' ? 'very busy' : used > 70 ? 'busy' : 'normal';
    return [
      {
        target: '',
        status,
        values,
        message: `CPU is ${formatPercent(used)} used across all ${cores} cores — ${verdict}`,
      },
    ];
  },
});
