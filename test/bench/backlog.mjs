#!/usr/bin/env node
// Backlog benchmark: one agent whose buffer holds 7 days of results at the default intervals
// (cpu, memory, uptime, two disks: 5 results a minute = 50,400), then a local collector comes back.
// Prints the buffer size and how long the real `vitals run` takes to drain it.
//
//   node scripts/build.mjs && node test/bench/backlog.mjs [--days 7] [--per-minute 5] [--json]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values: opts } = parseArgs({
  options: {
    days: { type: 'string', default: '7' },
    'per-minute': { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const root = new URL('../../', import.meta.url).pathname;
const agentJs = join(root, 'agent/dist/vitals.js');
const collectorJs = join(root, 'collector/dist/vitals-collector.js');
const dir = mkdtempSync(join(tmpdir(), 'vitals-backlog-'));
const data = join(dir, 'data');
const state = join(dir, 'state');
const config = join(dir, 'agent.yaml');
writeFileSync(config, `hostname: backlog-host\nstate_dir: ${state}\nlog_level: warn\ncollector:\n  retry_max: 1s\n`);

const waitLine = (child, re) =>
  new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (re.test(out)) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });

const collector = spawn(process.execPath, [collectorJs, 'serve', '--data', data, '--listen', '127.0.0.1:0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = JSON.parse((await waitLine(collector, /listening/)).split('\n').find((l) => l.includes('listening'))).url;
const token = JSON.parse(
  execFileSync(
    process.execPath,
    [collectorJs, 'token', 'create', '--client', 'Bench', '--site', 'A', '--json', '--data', data],
    { encoding: 'utf8' },
  ),
).token;
execFileSync(process.execPath, [agentJs, 'enroll', '--url', url, '--token', token, '--config', config]);

// Create the agent's buffer the way the agent does (a short run with no checks ready yet), then fill it.
const init = spawn(process.execPath, [agentJs, 'run', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((r) => setTimeout(r, 1500));
init.kill('SIGTERM');
await new Promise((r) => init.once('exit', r));
const db = new Database(join(state, 'buffer.sqlite'));
db.exec('DELETE FROM report');
const perMinute = Number(opts['per-minute']);
const total = Number(opts.days) * 1440 * perMinute;
const start = Date.now() - Number(opts.days) * 86_400_000;
const kinds = ['cpu', 'memory', 'uptime', 'disk', 'disk'];
const insert = db.prepare('INSERT INTO report (boot_id, ts, body) VALUES (?, ?, ?)');
db.transaction(() => {
  for (let i = 0; i < total; i++) {
    const kind = kinds[i % kinds.length];
    const ts = start + Math.floor(i / perMinute) * 60_000;
    const result = {
      check: kind,
      kind,
      target: kind === 'disk' ? (i % 5 === 3 ? '/' : '/srv/emr') : '',
      status: 'OK',
      values: { primary: { value: (i % 100) + 0.5, unit: 'percent' }, bytes: { value: 123456789012, unit: 'bytes' } },
      message: `${kind} is fine (${i})`,
      ts,
      duration_ms: 3.2,
    };
    insert.run('bench-boot', ts, JSON.stringify(result));
  }
})();
db.pragma('wal_checkpoint(TRUNCATE)');
db.close();
const bytes = statSync(join(state, 'buffer.sqlite')).size;

const t0 = Date.now();
const agent = spawn(process.execPath, [agentJs, 'run', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
for (;;) {
  const status = JSON.parse(
    execFileSync(process.execPath, [agentJs, 'status', '--json', '--config', config], { encoding: 'utf8' }),
  );
  if (status.buffer_depth === 0) break;
  if (Date.now() - t0 > 600_000) throw new Error('did not drain within 10 minutes');
  await new Promise((r) => setTimeout(r, 250));
}
const drainMs = Date.now() - t0;
agent.kill('SIGTERM');
await new Promise((r) => agent.once('exit', r));
collector.kill('SIGTERM');
await new Promise((r) => collector.once('exit', r));
const stored = execFileSync(
  process.execPath,
  [collectorJs, 'export', '--host', 'backlog-host', '--format', 'jsonl', '--data', data],
  { encoding: 'utf8', maxBuffer: 1 << 30 },
)
  .split('\n')
  .filter(Boolean).length;
rmSync(dir, { recursive: true, force: true });

if (opts.json) {
  const summary = {
    backlog_results: total,
    days: Number(opts.days),
    per_minute: perMinute,
    buffer_mb: Math.round(bytes / 1e5) / 10,
    buffer_cap_mb: 64,
    drain_s: Math.round(drainMs / 100) / 10,
    stored,
    missing: Math.max(0, total - stored),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exit(stored >= total ? 0 : 1);
}
console.log('| figure | value |\n|---|---|');
console.log(`| backlog | ${total.toLocaleString('en-US')} results (${opts.days} days × ${perMinute}/min) |`);
console.log(`| buffer file | ${(bytes / 1e6).toFixed(1)} MB (cap 64 MB) |`);
console.log(`| drain time to a local collector | ${(drainMs / 1000).toFixed(1)} s (target < 60 s) |`);
console.log(
  `| stored at the collector | ${stored.toLocaleString('en-US')} (${stored >= total ? 'all' : `${total - stored} missing`}) |`,
);
process.exit(stored >= total ? 0 : 1);
