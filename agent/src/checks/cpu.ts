// CPU utilisation as % of the whole machine (all cores together = 100 %, so 4 busy cores of 8
// read 50 %, never 400 %) over a window of several samples, plus the load average per core.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatPercent, type Measurement, type Status } from '@vitals/shared';
import Type from 'typebox';
import { defineCheck, statusAbove } from './check.js';

export interface CpuTimes {
  idle: number;
  total: number;
}

/**
 * The machine-wide "cpu" line of Linux /proc/stat (user nice system idle iowait irq softirq steal …,
 * in clock ticks). iowait counts as idle (the CPU could run something else); steal as busy (a VM
 * host took it). guest/guest_nice are already inside user/nice and are not added twice.
 */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { idle: idle + iowait, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

export function cpuTimesOf(cpus: os.CpuInfo[]): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/** /proc/stat where there is one (it has iowait and steal), os.cpus() elsewhere. */
export function readCpuTimes(platform: NodeJS.Platform = process.platform): CpuTimes {
  if (platform === 'linux') {
    try {
      const times = parseProcStat(readFileSync('/proc/stat', 'utf8'));
      if (times) return times;
    } catch {
      // A container without /proc falls through to os.cpus(), which reads the same counters.
    }
  }
  return cpuTimesOf(os.cpus());
}

/** Busy share between two samples of cumulative CPU times, 0–100. */
export function utilisationBetween(before: CpuTimes, after: CpuTimes): number | undefined {
  const total = after.total - before.total;
  if (total <= 0) return undefined;
  const busy = total - (after.idle - before.idle);
  return Math.min(100, Math.max(0, (busy / total) * 100));
}

/** What one CPU result measured: the average over the window and its busiest sample. */
export interface CpuWindow {
  /** Busy % over the whole window (first to last reading). */
  used: number;
  /** Busy % of the busiest sample in the window. */
  peak: number;
  samples: number;
  seconds: number;
}

/** Readings taken `seconds` apart in total → the window they describe; undefined if time did not advance. */
export function cpuWindow(readings: CpuTimes[], seconds: number): CpuWindow | undefined {
  const first = readings[0];
  const last = readings.at(-1);
  if (!first || !last || readings.length < 2) return undefined;
  const used = utilisationBetween(first, last);
  if (used === undefined) return undefined;
  const each = readings
    .slice(1)
    .map((r, i) => utilisationBetween(readings[i]!, r))
    .filter((u): u is number => u !== undefined);
  return { used, peak: Math.max(used, ...each), samples: readings.length - 1, seconds };
}

/**
 * Below this a window cannot tell a spike or a short burst (an update, a login) from a runaway,
 * so it gives WARNING at most: a 1-second sample at 100 % once told a receptionist "CRITICAL, call
 * your IT provider" while a minute later the machine read 11 %. `vitals run`'s interval averages
 * (60 s by default) are long enough; the collector judges 15 minutes (§4.3).
 */
export const SUSTAINED_SECONDS = 60;

export function judgeCpu(window: CpuWindow, warnPercent: number, critPercent: number): Status {
  const status = statusAbove(window.used, warnPercent, critPercent);
  return status === 'CRITICAL' && window.seconds < SUSTAINED_SECONDS ? 'WARNING' : status;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function seconds(s: number): string {
  if (s >= 120) return `${Math.round(s / 60)} min`;
  return s < 10 ? `${Math.round(s * 10) / 10} s` : `${Math.round(s)} s`;
}

/** "average of 5 samples over 5 s, peak 100 %" or "average over the last 60 s". */
export function describeWindow(w: CpuWindow): string {
  if (w.samples === 1) return `average over the last ${seconds(w.seconds)}`;
  return `average of ${w.samples} samples over ${seconds(w.seconds)}, peak ${formatPercent(w.peak)}`;
}

export function cpuMessage(w: CpuWindow, status: Status, cores: number, loadPerCore: number | undefined): string {
  const load = loadPerCore === undefined ? '' : `; load ${round1(loadPerCore)} per core`;
  const verdict =
    status === 'CRITICAL'
      ? 'critically busy'
      : status === 'WARNING'
        ? w.seconds < SUSTAINED_SECONDS && w.used > 0
          ? `very busy for the ${seconds(w.seconds)} measured`
          : 'very busy'
        : w.used > 70
          ? 'busy'
          : 'normal';
  return `CPU ${formatPercent(w.used)} of the whole machine (${cores} cores; ${describeWindow(w)})${load} — ${verdict}`;
}

// In `vitals run` the previous run's reading makes each result the average over the whole
// interval, not a glimpse that misses or exaggerates spikes.
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
      description: `CRITICAL above this utilisation, averaged over at least ${SUSTAINED_SECONDS} s (a shorter window gives WARNING at most)`,
    }),
    sample: Type.Number({
      minimum: 0.1,
      maximum: 10,
      default: 1,
      description: 'seconds per sample when there is no earlier reading (first run, `vitals check`)',
    }),
    samples: Type.Integer({
      minimum: 1,
      maximum: 10,
      default: 5,
      description: 'samples averaged when there is no earlier reading; the window is samples × sample seconds',
    }),
  },
  defaultInterval: '60s',
  defaultTimeout: '15s',
  async run(options, ctx) {
    const now = ctx.now();
    let window: CpuWindow | undefined;
    if (previous && now - previous.at <= 15 * 60_000 && now > previous.at) {
      const after = readCpuTimes(ctx.platform);
      window = cpuWindow([previous.times, after], (now - previous.at) / 1000);
      previous = { at: now, times: after };
    } else {
      const readings = [readCpuTimes(ctx.platform)];
      for (let i = 0; i < options.samples; i++) {
        await sleep(options.sample * 1000, undefined, { signal: ctx.signal });
        readings.push(readCpuTimes(ctx.platform));
      }
      window = cpuWindow(readings, options.samples * options.sample);
      previous = { at: ctx.now(), times: readings.at(-1)! };
    }
    if (!window) {
      return [{ target: '', status: 'UNKNOWN', values: {}, message: 'CPU times did not advance; cannot measure use' }];
    }
    const cores = os.cpus().length;
    const values: Record<string, Measurement> = {
      used_percent: { value: round1(window.used), unit: 'percent' },
      peak_percent: { value: round1(window.peak), unit: 'percent' },
      window_seconds: { value: round1(window.seconds), unit: 'seconds' },
      samples: { value: window.samples, unit: 'count' },
      cores: { value: cores, unit: 'count' },
    };
    // Windows has no load average (os.loadavg() is always zeros there).
    let loadPerCore: number | undefined;
    if (ctx.platform !== 'win32') {
      const [l1, l5, l15] = os.loadavg() as [number, number, number];
      values.load1 = { value: l1 };
      values.load5 = { value: l5 };
      values.load15 = { value: l15 };
      loadPerCore = cores > 0 ? l1 / cores : undefined;
      if (loadPerCore !== undefined) values.load1_per_core = { value: round1(loadPerCore) };
    }
    const status = judgeCpu(window, options.warn_percent, options.crit_percent);
    return [{ target: '', status, values, message: cpuMessage(window, status, cores, loadPerCore) }];
  },
});
