// One matched process as every OS reader reports it, and the CPU arithmetic between two samples:
// % of the whole machine (all cores = 100 %), as the cpu check reports it.

export interface ProcessSample {
  pid: number;
  /** Identifies this process across samples; includes the start time where the OS gives one, so a reused pid is new. */
  key: string;
  /** Cumulative CPU time (user + system), seconds; undefined when the OS would not say. */
  cpuSeconds?: number;
  /** CPU the OS itself averaged (macOS ps %cpu, per core); used when there is no cumulative time. */
  cpuPercentPerCore?: number;
  rssBytes?: number;
}

export interface CpuBaseline {
  at: number;
  cpuSeconds: Map<string, number>;
}

export function baselineOf(samples: readonly ProcessSample[], at: number): CpuBaseline {
  const cpuSeconds = new Map<string, number>();
  for (const s of samples) if (s.cpuSeconds !== undefined) cpuSeconds.set(s.key, s.cpuSeconds);
  return { at, cpuSeconds };
}

/**
 * CPU used by the processes between a baseline and now. A process that is new since the baseline
 * started within the interval, so all its CPU time counts; one that exited took its last share
 * with it (unavoidable without accounting).
 */
export function cpuPercentSince(
  baseline: CpuBaseline,
  samples: readonly ProcessSample[],
  at: number,
  cores: number,
): number | undefined {
  const elapsed = (at - baseline.at) / 1000;
  if (elapsed <= 0 || cores <= 0) return undefined;
  let used = 0;
  let measured = false;
  for (const s of samples) {
    if (s.cpuSeconds === undefined) continue;
    measured = true;
    used += Math.max(0, s.cpuSeconds - (baseline.cpuSeconds.get(s.key) ?? 0));
  }
  if (!measured) return undefined;
  return Math.min(100, (used / (elapsed * cores)) * 100);
}

/** macOS: ps already averages; its %cpu is per core (one busy core = 100). */
export function cpuPercentReported(samples: readonly ProcessSample[], cores: number): number | undefined {
  const reported = samples.filter((s) => s.cpuPercentPerCore !== undefined);
  if (reported.length === 0 || cores <= 0) return undefined;
  return Math.min(100, reported.reduce((sum, s) => sum + (s.cpuPercentPerCore as number), 0) / cores);
}
