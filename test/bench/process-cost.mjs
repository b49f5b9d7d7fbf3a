// What a process costs, read from /proc (Linux): CPU time, RSS and PSS; and how busy the whole
// machine was, so a figure taken while other work ran on the box can say so. (Used by ingest.mjs.)
import { readFileSync } from 'node:fs';

// USER_HZ is 100 on every Linux architecture Node runs on (the kernel's ABI value).
const TICKS_PER_S = 100;

/** utime + stime of a process (all its threads), milliseconds; NaN when it is gone. */
export function cpuMsOf(pid) {
  try {
    // The command name may contain spaces and parentheses: fields start after the last ") ".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

/** RSS and PSS (bytes) from smaps_rollup, peak RSS from status; NaN when unreadable. */
export function memoryOf(pid) {
  const kb = (text, key) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : Number.NaN;
  };
  let rollup = '';
  let status = '';
  try {
    rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    // Gone: every figure NaN.
  }
  return { rss: kb(rollup, 'Rss'), pss: kb(rollup, 'Pss'), peakRss: kb(status, 'VmHWM') };
}

/** Whole-machine CPU counters (jiffies): busy and total over all cores. */
export function machineTicks() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest is already inside user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = cpu;
  const busy = user + nice + system + irq + softirq + steal;
  return { busyMs: (busy * 1000) / TICKS_PER_S, totalMs: ((busy + idle + iowait) * 1000) / TICKS_PER_S };
}
