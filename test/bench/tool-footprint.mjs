// What one running tool costs, read from Linux /proc: its processes (process group and descendants),
// their CPU ticks (children included) and their memory (PSS and RSS from smaps_rollup, summed).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/PID/stat times (100 on every mainstream Linux). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * Parses /proc/PID/stat text. The command name is in parentheses and may itself hold spaces or
 * parentheses, so fields are counted from the last ')'.
 */
export function parseStat(text) {
  const close = text.lastIndexOf(')');
  const f = text
    .slice(close + 2)
    .trim()
    .split(/\s+/)
    .map((x, i) => (i === 0 ? x : Number(x)));
  return {
    pid: Number(text.slice(0, text.indexOf('(')).trim()),
    comm: text.slice(text.indexOf('(') + 1, close),
    state: f[0],
    ppid: f[1],
    pgrp: f[2],
    utime: f[11],
    stime: f[12],
    cutime: f[13],
    cstime: f[14],
    threads: f[17],
  };
}

function readStat(pid) {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // exited between listing and reading
  }
}

/**
 * Every process of a tool started as the leader of its own process group: the group's members
 * plus any descendant that moved to another group (a daemon's setsid child is still its cost).
 * Zombies stay in: their CPU time is not yet in their parent's cutime.
 */
export function processTree(rootPid) {
  const all = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) all.push(s);
  }
  const members = new Map(all.filter((s) => s.pid === rootPid || s.pgrp === rootPid).map((s) => [s.pid, s]));
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of all) {
      if (!members.has(s.pid) && members.has(s.ppid)) {
        members.set(s.pid, s);
        grew = true;
      }
    }
  }
  return [...members.values()];
}

/**
 * CPU ticks the tool has used so far. A process counts its own time plus its reaped children's
 * (cutime/cstime); a child's time moves into its parent's cutime when reaped, so the sum over the
 * tree only grows and short-lived children (the agent's `df`) are never lost.
 */
export function cpuTicks(tree) {
  return tree.reduce((sum, s) => sum + s.utime + s.stime + s.cutime + s.cstime, 0);
}

/**
 * Sums of smaps_rollup over the tree, in bytes: PSS (shared pages split among sharers), RSS, and
 * anonymous memory (heap, stacks: what the program itself allocated).
 */
export function rollup(tree) {
  let pss = 0;
  let rss = 0;
  let anon = 0;
  for (const s of tree) {
    let text;
    try {
      text = readFileSync(`/proc/${s.pid}/smaps_rollup`, 'utf8');
    } catch {
      continue; // a zombie or a process that just exited has no memory left
    }
    pss += kb(text, 'Pss') * 1024;
    rss += kb(text, 'Rss') * 1024;
    anon += kb(text, 'Anonymous') * 1024;
  }
  return { pss, rss, anon };
}

function kb(text, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

// System libraries (libc, libstdc++, libssl…) are shared with everything on any host, so their split
// is real; the tool's own executable and modules are shared only with other copies of the same program.
const SYSTEM_LIB = /^\/(usr\/)?lib(32|64|x32)?\//;

/** Per file-backed mapping of the tool's own files: path → { rss, pss } in bytes, from smaps text. */
export function ownFileMappings(smapsText) {
  const files = new Map();
  let current;
  for (const line of smapsText.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const path = (header[1] ?? '').replace(/ \(deleted\)$/, '');
      current = path.startsWith('/') && !SYSTEM_LIB.test(path) && !path.startsWith('/dev/') ? path : undefined;
      if (current && !files.has(current)) files.set(current, { rss: 0, pss: 0 });
      continue;
    }
    if (!current) continue;
    const m = /^(Rss|Pss):\s+(\d+) kB/.exec(line);
    if (m) files.get(current)[m[1] === 'Rss' ? 'rss' : 'pss'] += Number(m[2]) * 1024;
  }
  return files;
}

/**
 * PSS as if no other program mapped the tool's own files: their pages counted in full once (the
 * largest resident share among the tool's processes), everything else as the kernel splits it.
 * On the benchmark box the harness and the collector are Node processes too, so plain PSS would
 * hand two thirds of /usr/bin/node's pages to them and flatter a Node agent; a Go peer's binary is
 * mapped by nobody else and is unchanged. Returns that PSS and the resident size of the own files.
 */
export function pssAlone(tree, plainPss) {
  let ownPss = 0;
  const ownRss = new Map();
  for (const s of tree) {
    let text;
    try {
      text = readFileSync(`/proc/${s.pid}/smaps`, 'utf8');
    } catch {
      continue;
    }
    for (const [path, m] of ownFileMappings(text)) {
      ownPss += m.pss;
      ownRss.set(path, Math.max(ownRss.get(path) ?? 0, m.rss));
    }
  }
  let ownFiles = 0;
  for (const v of ownRss.values()) ownFiles += v;
  return { pssAlone: plainPss - ownPss + ownFiles, ownFiles };
}

/** One reading of a tool: processes, threads, CPU ticks, memory in bytes. */
export function sample(rootPid) {
  const tree = processTree(rootPid);
  const live = tree.filter((s) => s.state !== 'Z');
  const { pss, rss, anon } = rollup(live);
  return {
    at: Date.now(),
    processes: live.length,
    threads: live.reduce((n, s) => n + s.threads, 0),
    ticks: cpuTicks(tree),
    pss,
    rss,
    anon,
    ...pssAlone(live, pss),
  };
}

/** avg / max / last of a series of numbers. */
export function summary(values) {
  if (values.length === 0) return { avg: Number.NaN, max: Number.NaN, end: Number.NaN };
  return {
    avg: values.reduce((a, b) => a + b, 0) / values.length,
    max: Math.max(...values),
    end: values[values.length - 1],
  };
}
