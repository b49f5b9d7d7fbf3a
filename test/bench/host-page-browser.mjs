#!/usr/bin/env node
// Host page in a real browser: how long Debian's Chromium takes from navigation to every chart
// drawn, for a host with 14 days of data. Seeds one host at the agent's default intervals (cpu,
// memory and 3 disks every 60 s, uptime every 5 min) through the built collector's ingest API,
// restarts it so the hourly rollups exist, logs in, then loads #/host/<id> fresh (navigation from
// about:blank) 10 times per range after one warm-up and reports the median. The time is taken in
// the page: performance.now() (0 = navigation start) when the last chart's canvas is drawn.
//
//   node scripts/build.mjs && node test/bench/host-page-browser.mjs [--loads 10] [--days 14] [--json]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser/chromium.mjs';

const { values: opts } = parseArgs({
  options: {
    loads: { type: 'string', default: '10' },
    days: { type: 'string', default: '14' },
    json: { type: 'boolean', default: false },
  },
});
const LOADS = Number(opts.loads);
const DAYS = Number(opts.days);
const MINUTE = 60_000;
const DAY = 86_400_000;
const GB = 1e9;
const CHARTS = 5; // cpu, memory, 3 disks
const PASSWORD = 'bench password 0123';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'collector/dist/vitals-collector.js');
for (const file of [cli, join(root, 'collector/dist/web/index.html')]) {
  if (!existsSync(file)) throw new Error(`${file} is missing: run node scripts/build.mjs first`);
}
if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run node scripts/ensure-tools.mjs`);
const data = mkdtempSync(join(tmpdir(), 'vitals-bench-browser-'));
const config = join(data, 'collector.yaml');
writeFileSync(config, 'limits:\n  body_max_bytes: 64MB\n  rate_per_minute: 100000\n');
const log = (line) => opts.json || process.stderr.write(`${line}\n`);

function cliRun(args, input) {
  const r = spawnSync(process.execPath, [cli, ...args, '--config', config, '--data', data], {
    input,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

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

const DISKS = [
  { target: '/', size: 100 * GB, free: () => 60 * GB },
  { target: '/var', size: 200 * GB, free: (t) => 50 * GB + 5 * GB * Math.sin((2 * Math.PI * t) / DAY) },
  { target: '/srv', size: 500 * GB, free: (t, end) => 60 * GB + (4 * GB * (end - t)) / DAY },
];

function cycle(ts, end, minute) {
  const pct = (v) => ({ value: Math.round(v * 10) / 10, unit: 'percent' });
  const r = (check, target, values, at = ts) => ({
    check,
    kind: check,
    target,
    status: 'OK',
    values,
    message: `${check} ${target}`,
    ts: at,
    duration_ms: 3,
  });
  const out = [
    r('cpu', '', { used_percent: pct(20 + 15 * Math.sin((2 * Math.PI * ts) / DAY) + (minute % 7)) }, ts + 1000),
    r('memory', '', { available_percent: pct(45), available_bytes: { value: 7.2 * GB, unit: 'bytes' } }),
    ...DISKS.map((d) => {
      const free = d.free(ts, end);
      return r('disk', d.target, {
        free_percent: pct((free / d.size) * 100),
        free_bytes: { value: Math.round(free), unit: 'bytes' },
        size_bytes: { value: d.size, unit: 'bytes' },
      });
    }),
  ];
  if (minute % 5 === 0) out.push(r('uptime', '', { uptime_seconds: { value: 30 * 86400, unit: 's' } }));
  return out;
}

async function seed(url, token) {
  const res = await fetch(`${url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      host: { hostname: 'EMR-SRV01', platform: 'linux', arch: 'x64', os_release: '6.1.0', agent_version: '0.1.0' },
    }),
  });
  if (res.status !== 200) throw new Error(`enroll ${res.status}: ${await res.text()}`);
  const { agent_id, secret } = await res.json();
  const end = Date.now();
  let seq = end - DAYS * DAY;
  let reports = [];
  let total = 0;
  const post = async () => {
    const body = gzipSync(
      JSON.stringify({
        agent_id,
        reports,
        agent: { boot_id: 'bench', version: '0.1.0', dropped_total: 0, buffer_depth: 0, state: 'running' },
      }),
    );
    const answer = await fetch(`${url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${secret}` },
      body,
    });
    if (answer.status !== 200) throw new Error(`ingest ${answer.status}: ${await answer.text()}`);
    total += reports.length;
    reports = [];
  };
  for (let ts = end - DAYS * DAY, minute = 0; ts <= end; ts += MINUTE, minute++) {
    for (const result of cycle(ts, end, minute)) reports.push({ seq: seq++, boot_id: 'bench', result });
    if (reports.length >= 4990) await post();
  }
  if (reports.length > 0) await post();
  return { agentId: agent_id, reports: total };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => Math.round(x);

async function main() {
  const token = cliRun(['token', 'create', '--client', 'Northside Family Practice', '--site', 'Main St']);
  cliRun(['user', 'add', 'bench@msp.example', '--role', 'admin'], `${PASSWORD}\n`);
  let collector = await startCollector();
  const t0 = performance.now();
  const seeded = await seed(collector.url, token);
  log(`seeded ${seeded.reports} reports (${DAYS} days) in ${(performance.now() - t0) / 1000} s`);
  collector.child.kill('SIGTERM');
  await collector.exited;
  // A restart runs maintenance at once: the hourly rollups of the seeded history.
  let rolledUp;
  const maintained = new Promise((resolve) => {
    rolledUp = resolve;
  });
  collector = await startCollector((event) => event.msg === 'maintenance' && rolledUp());
  await maintained;

  const profile = mkdtempSync(join(tmpdir(), 'vitals-bench-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: CHROMIUM_ARGS,
  });
  // Records, in the page, when the last chart is drawn (ms since navigation start).
  await browser.addInitScript((charts) => {
    new MutationObserver((_m, observer) => {
      if (document.querySelectorAll('[data-chart] .chart-plot[data-drawn="true"] canvas').length >= charts) {
        window.__chartsDrawnAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, childList: true, attributes: true });
  }, CHARTS);
  const page = await browser.newPage();
  await page.goto(`${collector.url}/`);
  await page.locator('#login-email').fill('bench@msp.example');
  await page.locator('#login-password').fill(PASSWORD);
  await page.locator('.login-card button[type=submit]').click();
  await page.locator('.topbar').waitFor();

  const rows = [];
  for (const range of ['24h', '30d']) {
    const url = `${collector.url}/#/host/${seeded.agentId}${range === '24h' ? '' : `?range=${range}`}`;
    const load = async () => {
      await page.goto('about:blank');
      await page.goto(url);
      await page.waitForFunction(() => window.__chartsDrawnAt !== undefined, null, { timeout: 30_000 });
      return page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        return { drawn: window.__chartsDrawnAt, domContentLoaded: nav.domContentLoadedEventEnd };
      });
    };
    const warm = await load();
    const loads = [];
    for (let i = 0; i < LOADS; i++) loads.push(await load());
    rows.push({
      range,
      charts_drawn_median_ms: round(median(loads.map((l) => l.drawn))),
      charts_drawn_min_ms: round(Math.min(...loads.map((l) => l.drawn))),
      charts_drawn_max_ms: round(Math.max(...loads.map((l) => l.drawn))),
      dom_content_loaded_median_ms: round(median(loads.map((l) => l.domContentLoaded))),
      first_load_ms: round(warm.drawn),
    });
  }
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
  collector.child.kill('SIGTERM');
  await collector.exited;
  rmSync(data, { recursive: true, force: true });

  const result = { reports: seeded.reports, days: DAYS, loads: LOADS, charts: CHARTS, rows };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(
    `Host page in Chromium, one host with ${DAYS} days (${seeded.reports} reports), ${CHARTS} charts; ` +
      `navigation to every chart drawn, median of ${LOADS} loads after a first one\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `  ${r.range.padEnd(4)} median ${r.charts_drawn_median_ms} ms (min ${r.charts_drawn_min_ms}, max ${r.charts_drawn_max_ms}); ` +
        `DOMContentLoaded ${r.dom_content_loaded_median_ms} ms; first load ${r.first_load_ms} ms\n`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
