#!/usr/bin/env node
// Ingest benchmark: starts the built collector as a child process, enrolls N simulated agents,
// sends realistic gzip batches over real HTTP for a fixed time, prints throughput and latency,
// then stops the collector and checks in its database that every acked report is stored once.
//
//   node scripts/build.mjs && node test/bench/ingest.mjs [--agents 200] [--duration 30]
//        [--batch 20] [--rate 0 (reports/s; 0 = as fast as possible)] [--clients 1] [--json]
// --clients K spreads the simulated agents over K worker threads, so one client thread's gzip
// and HTTP work is not what limits the figure.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';

const { values: opts } = parseArgs({
  options: {
    agents: { type: 'string', default: '200' },
    duration: { type: 'string', default: '30' },
    batch: { type: 'string', default: '20' },
    rate: { type: 'string', default: '0' },
    clients: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
  },
});
const AGENTS = Number(opts.agents);
const DURATION_MS = Number(opts.duration) * 1000;
const BATCH = Number(opts.batch);
const RATE = Number(opts.rate);
const CLIENTS = Math.max(1, Number(opts.clients));

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'collector/dist/vitals-collector.js');
if (!existsSync(cli)) throw new Error(`${cli} is missing: run node scripts/build.mjs first`);
const data = isMainThread ? mkdtempSync(join(tmpdir(), 'vitals-bench-')) : '';
// Hundreds of agents from one address, and closed-loop agents, would hit the default limits.
const config = join(data, 'collector.yaml');
if (isMainThread) writeFileSync(config, 'limits:\n  enroll_per_minute: 100000\n  rate_per_minute: 1000000\n');

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

function startCollector() {
  const child = spawn(process.execPath, [cli, 'serve', '--config', config, '--data', data, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, VITALS_LOG_LEVEL: 'info' },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line);
      if (event.msg === 'listening') resolve({ child, url: event.url, exited });
    });
    exited.then((code) => reject(new Error(`collector exited ${code}`)));
  });
}

// One agent's check results at default intervals: cpu, memory, uptime, two disks, three services.
function results(hostIndex, ts) {
  const r = (check, kind, target, values, message) => ({
    check,
    kind,
    target,
    status: 'OK',
    values,
    message,
    ts,
    duration_ms: 2,
  });
  const pct = (v) => ({ value: Math.round(v * 10) / 10, unit: 'percent' });
  return [
    r(
      'cpu',
      'cpu',
      '',
      { utilisation: pct(Math.random() * 40), load1: { value: Math.random() * 2 } },
      'CPU 12 % of the whole machine',
    ),
    r(
      'memory',
      'memory',
      '',
      { available_pct: pct(30 + Math.random() * 40), used: { value: 6.1e9, unit: 'bytes' } },
      'Memory 52 % available',
    ),
    r(
      'uptime',
      'uptime',
      '',
      { uptime: { value: 86400 * 3, unit: 's' }, reboot_pending: { value: false } },
      'Up 3 days',
    ),
    r(
      'disk',
      'disk',
      'C:',
      { free_pct: pct(40), free: { value: 2.1e11, unit: 'bytes' }, size: { value: 5e11, unit: 'bytes' } },
      'Disk C: has 40 % free (210 GB)',
    ),
    r(
      'disk',
      'disk',
      'D:',
      { free_pct: pct(22), free: { value: 4.4e11, unit: 'bytes' }, size: { value: 2e12, unit: 'bytes' } },
      'Disk D: has 22 % free (440 GB)',
    ),
    r(
      'service',
      'service',
      'MSSQLSERVER',
      { state: { value: 'running' }, start_mode: { value: 'auto' } },
      'SQL Server is running',
    ),
    r(
      'service',
      'service',
      'Spooler',
      { state: { value: 'running' }, start_mode: { value: 'auto' } },
      'Print Spooler is running',
    ),
    r(
      'service',
      'service',
      `EMR-${hostIndex % 5}`,
      { state: { value: 'running' }, start_mode: { value: 'auto' } },
      'EMR service is running',
    ),
  ];
}

async function enrollAgents(url) {
  const token = (await run(['token', 'create', '--client', 'Bench', '--site', 'Main', '--data', data])).trim();
  const agents = [];
  for (let i = 0; i < AGENTS; i++) {
    const host = {
      hostname: `BENCH-${i}`,
      platform: 'win32',
      arch: 'x64',
      os_release: '10.0.20348',
      agent_version: '0.1.0',
    };
    const res = await fetch(`${url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, host }),
    });
    if (res.status !== 200) throw new Error(`enroll ${res.status}: ${await res.text()}`);
    const { agent_id, secret } = await res.json();
    agents.push({ index: i, id: agent_id, secret, seq: 0, acked: new Set(), pending: [] });
  }
  return agents;
}

function nextBatch(agent) {
  const reports = [];
  while (reports.length < BATCH) {
    for (const result of results(agent.index, Date.now())) {
      if (reports.length === BATCH) break;
      reports.push({ seq: ++agent.seq, boot_id: 'bench-boot', result });
    }
  }
  return reports;
}

async function agentLoop(agent, url, until, stats) {
  // Open loop when --rate is given: each agent sends its share of the rate on a fixed interval.
  const intervalMs = RATE > 0 ? (AGENTS * BATCH * 1000) / RATE : 0;
  let next = Date.now() + Math.random() * intervalMs;
  while (Date.now() < until) {
    if (intervalMs > 0) {
      if (next >= until) break;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      next += intervalMs;
    }
    // A failed batch is retried with the same seqs, as the real agent does.
    const reports = agent.pending.length > 0 ? agent.pending : nextBatch(agent);
    agent.pending = reports;
    const body = gzipSync(
      JSON.stringify({
        agent_id: agent.id,
        reports,
        agent: { boot_id: 'bench-boot', version: '0.1.0', dropped_total: 0, buffer_depth: 0, state: 'running' },
      }),
    );
    const started = performance.now();
    try {
      const res = await fetch(`${url}/api/v1/ingest`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          authorization: `Bearer ${agent.secret}`,
        },
        body,
      });
      const answer = await res.json();
      stats.latencies.push(performance.now() - started);
      if (res.status !== 200) {
        stats.errors[res.status] = (stats.errors[res.status] ?? 0) + 1;
        continue;
      }
      for (const seq of answer.acked) agent.acked.add(seq);
      stats.duplicates += answer.duplicates;
      stats.requests++;
      stats.reports += reports.length;
      agent.pending = [];
    } catch (error) {
      stats.errors[error.code ?? error.message] = (stats.errors[error.code ?? error.message] ?? 0) + 1;
    }
  }
}

function percentile(sorted, p) {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function rssOf(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ=100
  } catch {
    return Number.NaN;
  }
}

/** Runs the agents' loops, in this thread or spread over worker threads; merges their stats. */
async function drive(agents, url, until) {
  const stats = { requests: 0, reports: 0, duplicates: 0, latencies: [], errors: {} };
  if (CLIENTS === 1) {
    await Promise.all(agents.map((a) => agentLoop(a, url, until, stats)));
    return stats;
  }
  const parts = await Promise.all(
    Array.from({ length: CLIENTS }, (_, w) => {
      const mine = agents.filter((_, i) => i % CLIENTS === w).map(({ acked, ...a }) => a);
      return new Promise((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), {
          workerData: { agents: mine, url, until },
          argv: process.argv.slice(2),
        });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    }),
  );
  for (const part of parts) {
    stats.requests += part.stats.requests;
    stats.reports += part.stats.reports;
    stats.duplicates += part.stats.duplicates;
    stats.latencies.push(...part.stats.latencies);
    for (const [k, v] of Object.entries(part.stats.errors)) stats.errors[k] = (stats.errors[k] ?? 0) + v;
    for (const { id, acked } of part.agents) for (const seq of acked) agents.find((a) => a.id === id).acked.add(seq);
  }
  return stats;
}

if (!isMainThread) {
  const { agents, url, until } = workerData;
  for (const a of agents) a.acked = new Set();
  const stats = { requests: 0, reports: 0, duplicates: 0, latencies: [], errors: {} };
  await Promise.all(agents.map((a) => agentLoop(a, url, until, stats)));
  parentPort.postMessage({ stats, agents: agents.map((a) => ({ id: a.id, acked: [...a.acked] })) });
} else {
  const collector = await startCollector();
  try {
    const agents = await enrollAgents(collector.url);
    const cpuBefore = cpuMsOf(collector.child.pid);
    const started = Date.now();
    const until = started + DURATION_MS;
    const stats = await drive(agents, collector.url, until);
    const elapsedS = (Date.now() - started) / 1000;
    const cpuMs = cpuMsOf(collector.child.pid) - cpuBefore;
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    const peakRss = rssOf(collector.child.pid);
    collector.child.kill('SIGTERM');
    const exitCode = await collector.exited;

    // Verify in the database: every acked seq stored exactly once, nothing else.
    const db = new Database(join(data, 'collector.db'), { readonly: true });
    const rowsOf = db.prepare('SELECT seq FROM report WHERE agent_id = ? ORDER BY seq');
    let lost = 0;
    let unexpected = 0;
    let stored = 0;
    for (const agent of agents) {
      const seqs = rowsOf.all(agent.id).map((r) => r.seq);
      stored += seqs.length;
      const set = new Set(seqs);
      for (const seq of agent.acked) if (!set.has(seq)) lost++;
      for (const seq of seqs) if (!agent.acked.has(seq)) unexpected++;
    }
    db.close();

    const sorted = [...stats.latencies].sort((a, b) => a - b);
    const commits = Number(/vitals_write_commits_total (\d+)/.exec(metrics)?.[1]);
    const result = {
      agents: AGENTS,
      batch: BATCH,
      target_rate: RATE || 'max',
      client_threads: CLIENTS,
      duration_s: Math.round(elapsedS * 10) / 10,
      requests: stats.requests,
      reports_acked: stats.reports,
      reports_per_s: Math.round(stats.reports / elapsedS),
      requests_per_s: Math.round(stats.requests / elapsedS),
      p50_ms: Math.round(percentile(sorted, 50) * 10) / 10,
      p99_ms: Math.round(percentile(sorted, 99) * 10) / 10,
      max_ms: Math.round((sorted.at(-1) ?? Number.NaN) * 10) / 10,
      errors: stats.errors,
      group_commits: commits,
      reports_per_commit: Math.round(stats.reports / commits),
      collector_cpu_pct_of_one_core: Math.round((cpuMs / (elapsedS * 1000)) * 1000) / 10,
      collector_peak_rss_mb: Math.round(peakRss / 1e5) / 10,
      stored_rows: stored,
      lost_acked: lost,
      stored_not_acked: unexpected,
      collector_exit: exitCode,
    };
    if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const width = Math.max(...Object.keys(result).map((k) => k.length));
      for (const [k, v] of Object.entries(result)) {
        process.stdout.write(`${k.padEnd(width)}  ${typeof v === 'object' ? JSON.stringify(v) : v}\n`);
      }
    }
    const ok = lost === 0 && unexpected === 0 && exitCode === 0 && stored === stats.reports;
    process.stdout.write(
      ok ? 'verified: every acked report stored exactly once\n' : 'FAILED: see lost/unexpected above\n',
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    if (collector.child.exitCode === null) collector.child.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  }
}
