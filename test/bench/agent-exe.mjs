#!/usr/bin/env node
// The agent executables' cost, beside the plain Node build: file size, start-up time (`--version`
// and `check --json`, median of N runs) and memory (RSS/PSS from /proc/PID/smaps_rollup) after a
// while of `vitals run` enrolled to a real local collector, all agents side by side.
// Needs: pnpm run build (agent/dist, collector/dist) and node scripts/build-agent.mjs (dist/agent).
//
// Usage: node test/bench/agent-exe.mjs [--runs 5] [--seconds 60] [--wine] [--json]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureRuntime, NODE_VERSION, ROOT } from '../../scripts/node-runtimes.mjs';
import { memoryOf } from './process-cost.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '60' },
    wine: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(opts.runs);
const SECONDS = Number(opts.seconds);
const OUT = join(ROOT, 'dist/agent');
const { NODE_PATH: _, ...ENV } = process.env;
const work = mkdtempSync(join(tmpdir(), 'vitals-exe-bench-'));
const log = (line) => process.stderr.write(`agent-exe: ${line}\n`);

// The macOS tarball's bundle, run by the same Node version's Linux build (its launcher sets the driver).
execFileSync('tar', ['-xzf', join(OUT, 'vitals-macos-x64.tar.gz'), '-C', work]);
const node22 = ensureRuntime('linux-x64').bin;

const variants = [
  {
    key: 'node20',
    name: `node agent/dist/vitals.js (Node ${process.version}, better-sqlite3)`,
    cmd: [process.execPath, join(ROOT, 'agent/dist/vitals.js')],
    bytes: undefined,
  },
  {
    key: 'linux-sea',
    name: `dist/agent/vitals-linux-x64 (SEA, Node ${NODE_VERSION}, node:sqlite)`,
    cmd: [join(OUT, 'vitals-linux-x64')],
    bytes: statSync(join(OUT, 'vitals-linux-x64')).size,
  },
  {
    key: 'bundle22',
    name: `macOS bundle vitals.mjs on Node ${NODE_VERSION} (Linux build standing in)`,
    cmd: [node22, join(work, 'vitals/vitals.mjs')],
    env: { VITALS_SQLITE_DRIVER: 'node:sqlite' },
    bytes: undefined,
  },
];
if (opts.wine) {
  const prefix = join(work, 'wineprefix');
  const wineEnv = { WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  const started = performance.now();
  execFileSync('/usr/lib/wine/wine64', ['wineboot', '--init'], { env: { ...ENV, ...wineEnv }, stdio: 'ignore' });
  execFileSync('/usr/lib/wine/wine64', ['winecfg', '-v', 'win10'], { env: { ...ENV, ...wineEnv }, stdio: 'ignore' });
  log(`new Wine prefix ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  variants.push({
    key: 'win-sea-wine',
    name: `dist/agent/vitals-win-x64.exe under Wine 8 (SEA, Node ${NODE_VERSION})`,
    cmd: ['/usr/lib/wine/wine64', join(OUT, 'vitals-win-x64.exe')],
    env: wineEnv,
    bytes: statSync(join(OUT, 'vitals-win-x64.exe')).size,
    files: true,
    noRun: true,
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeOnce(v, args) {
  const [cmd, ...pre] = v.cmd;
  const outFile = join(work, 'out');
  const fd = openSync(outFile, 'w');
  const started = performance.now();
  const r = spawnSync(cmd, [...pre, ...args], {
    // Files, not pipes: Node under Wine cannot write to a Unix pipe (EBADF).
    stdio: ['ignore', fd, fd],
    env: { ...ENV, ...v.env },
    timeout: 120_000,
  });
  const ms = performance.now() - started;
  closeSync(fd);
  if (r.status === null || r.status > 3)
    throw new Error(`${v.key} ${args.join(' ')}: exit ${r.status}\n${readFileSync(outFile, 'utf8')}`);
  return ms;
}

for (const v of variants) {
  timeOnce(v, ['--version']); // warm the page cache
  v.version = median(Array.from({ length: RUNS }, () => timeOnce(v, ['--version'])));
  v.check = median(Array.from({ length: RUNS }, () => timeOnce(v, ['check', '--json'])));
  log(`${v.key}: --version ${v.version.toFixed(0)} ms, check --json ${v.check.toFixed(0)} ms`);
}

// Memory: every agent enrolled to one real collector, running the built-in checks at their defaults.
const data = join(work, 'data');
const collector = spawn(
  process.execPath,
  [join(ROOT, 'collector/dist/vitals-collector.js'), 'serve', '--data', data, '--listen', '127.0.0.1:0'],
  { stdio: ['ignore', 'pipe', 'pipe'], env: ENV },
);
let collectorOut = '';
collector.stdout.on('data', (d) => (collectorOut += d));
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`collector did not start:\n${collectorOut}`)), 20_000);
  collector.stdout.on('data', () => {
    const line = collectorOut.split('\n').find((l) => l.includes('"listening"'));
    if (line) {
      clearTimeout(timer);
      resolve(JSON.parse(line).url);
    }
  });
});
const agents = [];
for (const v of variants.filter((x) => !x.noRun)) {
  const dir = join(work, v.key);
  const config = join(dir, 'agent.yaml');
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(config, `hostname: bench-${v.key}\nstate_dir: ${join(dir, 'state')}\n`);
  const token = JSON.parse(
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'collector/dist/vitals-collector.js'),
        'token',
        'create',
        '--client',
        'Bench',
        '--site',
        v.key,
        '--json',
        '--data',
        data,
      ],
      { encoding: 'utf8', env: ENV },
    ),
  ).token;
  const [cmd, ...pre] = v.cmd;
  execFileSync(cmd, [...pre, 'enroll', '--url', url, '--token', token, '--config', config], {
    env: { ...ENV, ...v.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const child = spawn(cmd, [...pre, 'run', '--config', config], { env: { ...ENV, ...v.env }, stdio: 'ignore' });
  agents.push({ v, child });
}
log(`${agents.length} agents running against ${url}; reading memory after ${SECONDS} s`);
await new Promise((r) => setTimeout(r, SECONDS * 1000));
for (const { v, child } of agents) {
  const m = memoryOf(child.pid);
  v.rss = m.rss;
  v.pss = m.pss;
  v.peakRss = m.peakRss;
  // Anonymous memory (heap, stacks): what the process really holds; the rest of RSS is clean pages
  // of its executable and libraries, which the kernel can drop and re-read.
  const anon = /^Anonymous:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/smaps_rollup`, 'utf8'));
  v.anon = anon ? Number(anon[1]) * 1024 : Number.NaN;
}
const stored = JSON.parse(
  execFileSync(
    process.execPath,
    [join(ROOT, 'collector/dist/vitals-collector.js'), 'agents', '--json', '--data', data],
    {
      encoding: 'utf8',
      env: ENV,
    },
  ),
);
for (const { v, child } of agents) {
  child.kill('SIGTERM');
  const row = stored.find((a) => a.hostname === `bench-${v.key}`);
  v.delivered = Boolean(row?.last_seen);
  if (!v.delivered) log(`${v.key}: the collector has no delivery from it`);
}
collector.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 500));
rmSync(work, { recursive: true, force: true });

const mb = (b) => (b === undefined || Number.isNaN(b) ? '–' : `${(b / 1e6).toFixed(0)} MB`);
if (opts.json) {
  process.stdout.write(`${JSON.stringify({ runs: RUNS, seconds: SECONDS, variants }, null, 2)}\n`);
} else {
  process.stdout.write(
    `\n| build | file size | --version (median of ${RUNS}) | check --json | RSS after ${SECONDS} s run | PSS | anonymous | peak RSS | delivered |\n|---|---|---|---|---|---|---|---|---|\n` +
      variants
        .map(
          (v) =>
            `| ${v.name} | ${v.bytes ? `${(v.bytes / 1048576).toFixed(1)} MiB` : '–'} | ${v.version.toFixed(0)} ms | ${v.check.toFixed(0)} ms | ${mb(v.rss)} | ${mb(v.pss)} | ${mb(v.anon)} | ${mb(v.peakRss)} | ${v.noRun ? '–' : v.delivered ? 'yes' : 'NO'} |`,
        )
        .join('\n') +
      '\n',
  );
}
