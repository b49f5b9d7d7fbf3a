// Finds named processes on Linux by reading /proc/<pid>/stat directly (no `ps`, no shell), with
// the kernel's 15-character comm limit handled so a long name neither misses nor over-matches.
import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ProcessSample } from './process-sample.js';

/** TASK_COMM_LEN is 16 bytes with the terminating NUL. */
export const COMM_MAX = 15;
// USER_HZ is 100 on every architecture Linux exports to user space (times(2)); CLK_TCK would need getconf.
const TICKS_PER_SECOND = 100;
const FALLBACK_PAGE_SIZE = 4096;

export interface ProcStat {
  pid: number;
  comm: string;
  /** R, S, D, Z, T, …; zombies (Z) and dead tasks (X) are not running. */
  state: string;
  /** utime + stime, clock ticks. */
  ticks: number;
  /** Since boot, clock ticks: with the pid it names this one process even when the pid is reused. */
  startTime: number;
  rssPages: number;
}

/** One /proc/<pid>/stat line. comm sits in parentheses and may itself hold spaces and ")". */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // Fields after comm start at field 3 (state); field n is at index n - 3.
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const [utime, stime, startTime, rss] = [rest[11], rest[12], rest[19], rest[21]].map(Number);
  if (!Number.isInteger(pid) || rest.length < 22 || [utime, stime, startTime, rss].some((n) => !Number.isFinite(n))) {
    return undefined;
  }
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0] as string,
    ticks: (utime as number) + (stime as number),
    startTime: startTime as number,
    rssPages: rss as number,
  };
}

/** A comm of exactly 15 characters that starts `name` may be `name` cut short by the kernel. */
export function possiblyTruncated(comm: string, name: string): boolean {
  return comm.length === COMM_MAX && name.length >= COMM_MAX && name.startsWith(comm);
}

/**
 * Does this comm belong to `name`? Where the comm may be truncated, the full executable name
 * (exe link, argv[0], or argv[1] for a script) decides; without any, only an exact match counts.
 */
export function commMatches(comm: string, name: string, fullNames: readonly string[] = []): boolean {
  if (!possiblyTruncated(comm, name) || fullNames.length === 0) return comm === name;
  return fullNames.includes(name);
}

async function fullNamesOf(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    // Readable for our own processes or as root; " (deleted)" marks a replaced binary still running.
    names.push(basename((await readlink(join(dir, 'exe'))).replace(/ \(deleted\)$/, '')));
  } catch {}
  try {
    const argv = (await readFile(join(dir, 'cmdline'), 'latin1')).split('\0');
    for (const arg of argv.slice(0, 2)) if (arg !== '') names.push(basename(arg));
  } catch {}
  return names;
}

async function rssBytes(dir: string, stat: ProcStat): Promise<number> {
  try {
    // VmRSS is in kB whatever the page size (arm64 kernels use 16K and 64K pages).
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(await readFile(join(dir, 'status'), 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  return stat.rssPages * FALLBACK_PAGE_SIZE;
}

/** Every running process whose comm is one of `names`, grouped by name. */
export async function readLinuxProcesses(
  names: readonly string[],
  procRoot = '/proc',
): Promise<Map<string, ProcessSample[]>> {
  const found = new Map<string, ProcessSample[]>(names.map((n) => [n, []]));
  const entries = await readdir(procRoot);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const dir = join(procRoot, entry);
    let stat: ProcStat | undefined;
    try {
      stat = parseProcStat(await readFile(join(dir, 'stat'), 'latin1'));
    } catch {
      continue; // exited since readdir
    }
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    let full: string[] | undefined;
    for (const name of names) {
      if (possiblyTruncated(stat.comm, name)) full ??= await fullNamesOf(dir);
      if (!commMatches(stat.comm, name, full)) continue;
      found.get(name)?.push({
        pid: stat.pid,
        key: `${stat.pid}:${stat.startTime}`,
        cpuSeconds: stat.ticks / TICKS_PER_SECOND,
        rssBytes: await rssBytes(dir, stat),
      });
    }
  }
  return found;
}
