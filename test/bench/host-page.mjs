#!/usr/bin/env node
// Host page benchmark: how long the dashboard's host page takes to load for a host with 14 days
// of data. Seeds one host at the agent's default intervals (cpu, memory and 3 disks every 60 s,
// uptime every 5 min) through the real ingest API of the built collector, restarts it so the
// hourly rollups are computed, then times the requests the host page makes — the host, its disks
// and the cpu, memory and per-disk charts — over 24 h (raw reports) and 14 d (rollups).
//
//   node scripts/build.mjs && node test/bench/host-page.mjs [--loads 10] [--days 14] [--json]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const { values: opts } = parseArgs({
  options: {
    loads: { type: 'string', default: '10' },
    days: { type: 'string', default: '14' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const LOADS = Number(opts.loads);
const DAYS = Number(opts.days);
const MINUTE = 60_000;
const DAY = 86_400_000;
const GB = 1e9;
const BATCH = 5000; // MAX_REPORTS_PER_INGEST
const DISKS = [
  { target: '/', size: 100 * GB, free: () => 60 * GB },
  { target: '/var', size: 200 * GB, free: (t) => 80 * GB + 5 * GB * Math.sin((2 * Math.PI * t) / DAY) },
  // Fills 4 GB a day: the page shows a forecast line for it.
  { target: '/srv', size: 500 * GB, free: (t, end) => 60 * GB + (4 * GB * (end - t)) / DAY },
];

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'collector/dist/vitals-collector.js');
if (!existsSync(cli)) throw new Error(`${cli} is missing: run node scripts/build.mjs first`);
const data = mkdtempSync(join(tmpdir(), 'vitals-bench-host-'));
const config = join(data, 'collector.yaml');
writeFileSync(config, 'limits:\n  body_max_bytes: 64MB\n  rate_per_minute: 100000\n');
const log = (line) => {
  if (!opts.json) process.stderr.write(`${line}\n`);
};

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args, '--config', config, '--data', data], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

/** Starts `serve`; resolves with its URL once it listens. `onLog` sees every JSON log line. */
function startCollector(onLog = () => {}) {
  const child = spawn(process.execPath, [cli, 'serve', '--config', config, '--data', data, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line);
      onLog(event);
      if (event.msg === 'listening') resolve({ child, url: event.url, exited });
    });
    exited.then((code) => reject(new Error(`collector exited ${code}`)));
  });
}

async function stop(collector) {
  collector.child.kill('SIGTERM');
  await collector.exited;
}

/** One cycle's results at time ts, shaped as the agent's built-in checks send them. */
function cycle(ts, end, minute) {
  const pct = (v) => ({ value: Math.round(v * 10) / 10, unit: 'percent' });
  const bytes = (v) => ({ value: Math.round(v), unit: 'bytes' });
  const r = (check, kind, target, values, message, at = ts) => ({
    check,
    kind,
    target,
    status: 'OK',
    values,
    message,
    ts: at,
    duration_ms: 3,
  });
  const cpu = 20 + 15 * Math.sin((2 * Math.PI * ts) / DAY) + (minute % 7);
  const out = [
    r(
      'cpu',
      'cpu',
      '',
      { used_percent: pct(cpu), cores: { value: 4, unit: 'count' } },
      `CPU is ${cpu} % used`,
      ts + 1000,
    ),
    r(
      'memory',
      'memory',
      '',
      { available_percent: pct(45), available_bytes: bytes(7.2 * GB), total_bytes: bytes(16 * GB) },
      'Memory has 45 % available',
    ),
    ...DISKS.map((d) => {
      const free = d.free(ts, end);
      return r(
        'disk',
        'disk',
        d.target,
        {
          free_percent: pct((free / d.size) * 100),
          free_bytes: bytes(free),
          size_bytes: bytes(d.size),
          used_bytes: bytes(d.size - free),
        },
        `Disk ${d.target} has ${Math.round((free / d.size) * 100)} % free`,
      );
    }),
  ];
  if (minute % 5 === 0) {
    out.push(r('uptime', 'uptime', '', { uptime_seconds: { value: 30 * 86400, unit: 's' } }, 'Up 30 days'));
  }
  return out;
}

async function seed(url, token) {
  const enroll = await fetch(`${url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      host: { hostname: 'EMR-SRV01', platform: 'linux', arch: 'x64', os_release: '6.1.0', agent_version: '0.1.0' },
    }),
  });
  if (enroll.status !== 200) throw new Error(`enroll ${enroll.status}: ${await enroll.text()}`);
  const { agent_id, secret } = await enroll.json();
  const end = Date.now();
  const start = end - DAYS * DAY;
  let seq = start;
  let reports = [];
  let total = 0;
  let bytes = 0;
  const post = async () => {
    const body = gzipSync(
      JSON.stringify({
        agent_id,
        reports,
        agent: { boot_id: 'bench', version: '0.1.0', dropped_total: 0, buffer_depth: 0, state: 'running' },
      }),
    );
    bytes += body.length;
    const res = await fetch(`${url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${secret}` },
      body,
    });
    if (res.status !== 200) throw new Error(`ingest ${res.status}: ${await res.text()}`);
    total += reports.length;
    reports = [];
  };
  for (let ts = start, minute = 0; ts <= end; ts += MINUTE, minute++) {
    for (const result of cycle(ts, end, minute)) reports.push({ seq: seq++, boot_id: 'bench', result });
    if (reports.length >= BATCH - 10) await post();
  }
  if (reports.length > 0) await post();
  return { agent_id, reports: total, gzipBytes: bytes };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => Math.round(x * 10) / 10;

async function timed(url, path, key) {
  const t0 = performance.now();
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  const elapsed = performance.now() - t0;
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text}`);
  return { elapsed, bytes: text.length, body: JSON.parse(text) };
}

/** The requests of one host page load for a range: host and disks, then every chart at once. */
function pageRequests(agentId, range) {
  const h = `/api/v1/hosts/${agentId}`;
  const s = (check, metric, target = '') =>
    `${h}/series?check=${check}&metric=${metric}&target=${encodeURIComponent(target)}&range=${range}`;
  return {
    first: [
      ['host', h],
      ['disks', `${h}/disks`],
    ],
    charts: [
      ['cpu', s('cpu', 'used_percent')],
      ['memory', s('memory', 'available_percent')],
      ...DISKS.map((d) => [`disk ${d.target}`, s('disk', 'free_bytes', d.target)]),
    ],
  };
}

async function loadPage(url, key, agentId, range) {
  const { first, charts } = pageRequests(agentId, range);
  const t0 = performance.now();
  const each = {};
  const record = async ([name, path]) => {
    const r = await timed(url, path, key);
    each[name] = r;
  };
  await Promise.all(first.map(record));
  await Promise.all(charts.map(record));
  return { total: performance.now() - t0, each };
}

async function main() {
  const token = (await run(['token', 'create', '--client', 'Northside Family Practice', '--site', 'Main St'])).trim();
  let collector = await startCollector();
  const t0 = performance.now();
  const seeded = await seed(collector.url, token);
  const seedMs = performance.now() - t0;
  log(`seeded ${seeded.reports} reports (${DAYS} days) in ${ms(seedMs / 1000)} s`);
  await stop(collector);

  // A restart runs maintenance at once: the hourly rollups of the seeded history.
  let rollupHours = 0;
  const maintained = new Promise((resolve) => {
    collector = undefined;
    startCollector((event) => {
      if (event.msg === 'maintenance') {
        rollupHours = event.rollup_hours;
        resolve();
      }
    }).then((c) => {
      collector = c;
    });
  });
  const t1 = performance.now();
  await maintained;
  while (!collector) await new Promise((r) => setTimeout(r, 10));
  const rollupMs = performance.now() - t1;
  log(`restart and rollup of ${rollupHours} hours in ${ms(rollupMs / 1000)} s`);

  const key = JSON.parse(await run(['apikey', 'create', '--name', 'bench', '--role', 'admin', '--json'])).secret;
  const rows = [];
  for (const range of ['24h', `${DAYS}d`]) {
    // The first load after the disks' latest sample fits their forecasts; the next ones reuse them.
    const cold = await loadPage(collector.url, key, seeded.agent_id, range);
    const loads = [];
    for (let i = 0; i < LOADS; i++) loads.push(await loadPage(collector.url, key, seeded.agent_id, range));
    // Each request again on its own, so its time is not the queue behind the others.
    const { first, charts } = pageRequests(seeded.agent_id, range);
    const alone = {};
    for (let i = 0; i < LOADS; i++) {
      for (const [name, path] of [...first, ...charts]) {
        alone[name] ??= [];
        alone[name].push((await timed(collector.url, path, key)).elapsed);
      }
    }
    const last = loads.at(-1).each;
    rows.push({
      range,
      request: 'page load (host + disks, then 5 charts in parallel)',
      median_ms: ms(median(loads.map((l) => l.total))),
      max_ms: ms(Math.max(...loads.map((l) => l.total))),
      alone_ms: ms(Object.values(alone).reduce((n, xs) => n + median(xs), 0)),
      bytes: Object.values(last).reduce((n, r) => n + r.bytes, 0),
      points: null,
      resolution: null,
    });
    rows.push({
      range,
      request: 'first load of this range (24h: disk forecasts fitted)',
      median_ms: ms(cold.total),
      max_ms: ms(cold.total),
      alone_ms: null,
      bytes: Object.values(cold.each).reduce((n, r) => n + r.bytes, 0),
      points: null,
      resolution: null,
    });
    for (const name of Object.keys(last)) {
      const body = last[name].body;
      rows.push({
        range,
        request: name,
        median_ms: ms(median(loads.map((l) => l.each[name].elapsed))),
        max_ms: ms(Math.max(...loads.map((l) => l.each[name].elapsed))),
        alone_ms: ms(median(alone[name])),
        bytes: last[name].bytes,
        points: body.points?.length ?? null,
        resolution: body.resolution ?? null,
        forecast: body.forecast === undefined ? undefined : (body.forecast?.full_in ?? null),
      });
    }
  }
  await stop(collector);
  const result = {
    reports: seeded.reports,
    days: DAYS,
    seed_s: ms(seedMs / 1000),
    rollup_hours: rollupHours,
    restart_rollup_s: ms(rollupMs / 1000),
    loads: LOADS,
    rows,
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const header = [
      'range',
      'request',
      'in page: median ms',
      'max ms',
      'alone: median ms',
      'bytes',
      'points',
      'resolution',
      'forecast',
    ];
    const table = rows.map((r) => [
      r.range,
      r.request,
      String(r.median_ms),
      String(r.max_ms),
      r.alone_ms === null ? '' : String(r.alone_ms),
      String(r.bytes),
      r.points === null ? '' : String(r.points),
      r.resolution ?? '',
      r.forecast === undefined ? '' : (r.forecast ?? 'none'),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
    const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
    process.stdout.write(
      `Host page, one host with ${DAYS} days of data (${seeded.reports} reports), median of ${LOADS} loads; ` +
        '"in page": as the page sends them (charts in parallel), "alone": one request at a time ' +
        '(the page row sums the requests)\n',
    );
    process.stdout.write(`${line(header)}\n${table.map(line).join('\n')}\n`);
  }
  if (!opts.keep) rmSync(data, { recursive: true, force: true });
  else log(`data kept in ${data}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
