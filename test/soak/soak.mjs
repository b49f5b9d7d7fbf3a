#!/usr/bin/env node
// Fault-injection soak: a collector and several agents under SIGKILLs, collector outages, a full
// state disk, an SMTP outage and watched processes dying; then it checks that every report was
// stored once, every alert was told, nothing is stuck, and prints the counts. Run as root (tmpfs).
//
//   node scripts/build.mjs && node test/soak/soak.mjs [--duration 180] [--seed 8] [--agents 4]
//        [--disk-size 2m] [--drain-timeout 120] [--keep] [--json]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Cluster, GROUP_WAIT_MS } from './cluster.mjs';
import { startHookReceiver, startMailbox } from './receivers.mjs';
import { report } from './report.mjs';
import { FAULT_KINDS, faultSchedule, prng } from './schedule.mjs';
import {
  memoryLosses,
  parseAgentLog,
  verifyAgent,
  verifyAlerts,
  verifyCoverage,
  verifyDetection,
  verifyOutbox,
} from './verify.mjs';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '180' },
    seed: { type: 'string', default: '8' },
    agents: { type: 'string', default: '4' },
    'disk-size': { type: 'string', default: '2m' },
    'drain-timeout': { type: 'string', default: '120' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const seed = Number(opts.seed) >>> 0;
const durationMs = Number(opts.duration) * 1000;
const agents = Number(opts.agents);
const isRoot = process.getuid?.() === 0;
// The last agent's state dir is a tmpfs we fill; mounting needs root.
const diskAgent = isRoot ? agents - 1 : null;
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const t0 = Date.now();
const say = (line) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

say(
  `soak: seed ${seed}, ${opts.duration} s of faults, ${agents} agents` +
    ` — replay with: node test/soak/soak.mjs --seed ${seed} --duration ${opts.duration}`,
);
if (!isRoot) say('not root: no full-disk fault (mounting the tmpfs needs root)');

const random = prng(seed ^ 0x9e3779b9);
const names = Array.from(
  { length: agents },
  (_, i) => `sk${String(i + 1).padStart(2, '0')}${Math.floor(random() * 36 ** 4).toString(36)}`,
);
const dir = mkdtempSync(join(tmpdir(), 'vitals-soak-'));
const mailbox = await startMailbox();
const receiver = await startHookReceiver();
const cluster = new Cluster({
  dir,
  agents,
  diskAgent,
  diskSize: opts['disk-size'],
  smtpPort: mailbox.port,
  hookUrl: receiver.url,
  names,
});
process.once('SIGINT', () => {
  void cluster.teardown().then(() => process.exit(130));
});

/** Parts down on purpose right now; anything else found not running was a crash and is restarted. */
const down = new Set();
const injected = [];

async function begin(ev) {
  switch (ev.kind) {
    case 'agent_kill':
      down.add(`agent${ev.target}`);
      await cluster.killAgent(ev.target);
      return `${cluster.hostnames[ev.target]} agent SIGKILL, restart after ${(ev.hold / 1000).toFixed(1)} s`;
    case 'collector_outage':
      down.add('collector');
      await cluster.killCollector();
      return `collector SIGKILL, outage of ${(ev.hold / 1000).toFixed(1)} s`;
    case 'disk_full': {
      const bytes = cluster.fillDisk();
      return `${cluster.hostnames[ev.target]} state disk full (${(bytes / 1024).toFixed(0)} KiB filler) and its link cut for ${(ev.hold / 1000).toFixed(1)} s`;
    }
    case 'smtp_outage':
      await mailbox.close();
      return `SMTP server closed for ${(ev.hold / 1000).toFixed(1)} s`;
    case 'response_loss':
      cluster.loseResponses(ev.target, true);
      return `${cluster.hostnames[ev.target]} loses every collector response for ${(ev.hold / 1000).toFixed(1)} s`;
    case 'process_kill':
      down.add(`process${ev.target}`);
      await cluster.killProcess(ev.target);
      return `${cluster.hostnames[ev.target]} watched process SIGKILL, restart after ${(ev.hold / 1000).toFixed(1)} s`;
  }
}

async function end(ev) {
  switch (ev.kind) {
    case 'agent_kill':
      cluster.startAgent(ev.target);
      down.delete(`agent${ev.target}`);
      return;
    case 'collector_outage':
      await cluster.startCollector();
      down.delete('collector');
      return;
    case 'disk_full':
      cluster.freeDisk();
      return;
    case 'smtp_outage':
      await mailbox.reopen();
      return;
    case 'response_loss':
      cluster.loseResponses(ev.target, false);
      return;
    case 'process_kill':
      cluster.startProcess(ev.target);
      down.delete(`process${ev.target}`);
      return;
  }
}

async function inject(ev) {
  await sleep(faultsAt + ev.at - Date.now());
  const started = Date.now();
  const what = await begin(ev);
  say(what);
  await sleep(started + ev.hold - Date.now());
  await end(ev);
  injected.push({ ...ev, at: started - faultsAt, startedAt: started, endedAt: Date.now(), what });
}

async function watchdog() {
  for (const [i, part] of cluster.agentParts.entries())
    if (!part.running && !down.has(`agent${i}`)) {
      say(`${part.name} is not running (crashed): restarting it`);
      part.start();
    }
  for (const [i, part] of cluster.processParts.entries()) if (!part.running && !down.has(`process${i}`)) part.start();
  if (!cluster.collector.running && !down.has('collector')) {
    say('the collector is not running (crashed): restarting it');
    down.add('collector');
    await cluster.startCollector().finally(() => down.delete('collector'));
  }
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const cliJson = async (args) => JSON.parse((await cluster.collectorCli(args)).stdout);

// CPU and memory depend on the machine (a busy 2-core box runs hot): they may stay pending.
const settles = (a) => a.state === 'firing' || a.rule === 'process';

/** Until every agent's buffer is empty, the outbox has nothing waiting and no process alert is open. */
async function drain(timeoutMs) {
  const started = Date.now();
  let stable = 0;
  let last = {};
  while (Date.now() - started < timeoutMs) {
    try {
      const statuses = await Promise.all(cluster.agentConfigs.map((_, i) => cluster.agentStatus(i)));
      const outbox = await cliJson(['notify', 'status', '--json']);
      const open = await cliJson(['alerts', '--json']);
      last = {
        buffered: sum(statuses.map((s) => s.buffer_depth)),
        waiting: sum(outbox.map((c) => c.queued + c.sending)),
        open: open.filter(settles).length,
      };
      stable = last.buffered === 0 && last.waiting === 0 && last.open === 0 ? stable + 1 : 0;
      if (stable >= 2) return { ok: true, ms: Date.now() - started, last };
    } catch (error) {
      last = { error: String(error.message ?? error).split('\n')[0] };
    }
    await sleep(1000);
  }
  return { ok: false, ms: Date.now() - started, last };
}

let faultsAt = 0;
let exitCode = 1;
try {
  await cluster.setup();
  say(`collector on ${cluster.url}, ${agents} agents (${cluster.hostnames.join(', ')}), data in ${dir}`);
  const schedule = faultSchedule({ seed, durationMs, agents, diskAgent });
  faultsAt = Date.now();
  const guard = setInterval(() => void watchdog().catch((e) => say(`watchdog: ${e.message}`)), 1000);
  await Promise.all(schedule.map(inject));
  await sleep(faultsAt + durationMs - Date.now());
  clearInterval(guard);
  await watchdog();
  say(`faults over (${injected.length} injected); draining`);

  const drained = await drain(Number(opts['drain-timeout']) * 1000);
  say(drained.ok ? `drained in ${(drained.ms / 1000).toFixed(1)} s` : `did not drain: ${JSON.stringify(drained.last)}`);
  // Clean stops flush the agents' last reports; give routing a moment to tell their consequences.
  for (const part of cluster.agentParts) await part.signal('SIGTERM');
  const settled = await drain(30_000);
  const slow = await cluster.stopAll();

  const statuses = await Promise.all(cluster.agentConfigs.map((_, i) => cluster.agentStatus(i)));
  const collectorAgents = await cliJson(['agents', '--json']);
  const perAgent = [];
  for (const [i, host] of cluster.hostnames.entries()) {
    const rows = (await cluster.collectorCli(['export', '--host', host, '--format', 'jsonl'])).stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const events = parseAgentLog(readFileSync(cluster.agentParts[i].logFile, 'utf8'));
    const buffer = new Database(join(cluster.stateDirs[i], 'buffer.sqlite'), { readonly: true });
    const lastAssigned = buffer.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'report'").get()?.seq;
    buffer.close();
    perAgent.push({
      host,
      seqs: rows.map((r) => r.seq),
      boots: new Set(rows.map((r) => r.boot_id)).size,
      rows,
      lastAssigned,
      status: statuses[i],
      collectorDropped: collectorAgents.find((a) => a.hostname === host)?.dropped_total,
      refusedWrites: events.filter((e) => e.event === 'buffer_write_failed').length,
      diskFaults: injected.filter((f) => f.kind === 'disk_full' && f.target === i).length,
      coverage: verifyCoverage({ rows, lives: memoryLosses({ lives: cluster.agentParts[i].lives, events, rows }) }),
    });
  }
  const alerts = await cliJson(['alerts', '--all', '--json']);
  const notifyStatus = await cliJson(['notify', 'status', '--json']);
  const db = new Database(join(cluster.dataDir, 'collector.db'), { readonly: true });
  const outbox = db
    .prepare('SELECT idempotency_key, channel, kind, status, claimed_until, host, alerts_json FROM outbox')
    .all()
    .map((r) => ({ ...r, alerts: JSON.parse(r.alerts_json) }));
  db.close();

  const channels = { emailChannel: 'oncall', hookChannel: 'psa' };
  const seen = { mails: mailbox.mails, hooks: receiver.hooks };
  const agentResults = perAgent.map((a) => {
    const verdict = verifyAgent(a);
    const { lostSeconds, explainedSeconds, unexplained, lostInMemory, lostAtCleanStop } = a.coverage;
    if (lostAtCleanStop > 0)
      verdict.problems.push(`${lostAtCleanStop} results still unwritten in memory when it was stopped cleanly`);
    if (lostSeconds > 0) {
      const first = unexplained
        .slice(0, 3)
        .map((h) => `${h.check} ${((h.from - faultsAt) / 1000).toFixed(0)}–${((h.to - faultsAt) / 1000).toFixed(0)} s`);
      verdict.problems.push(
        `no results stored for ${lostSeconds.toFixed(0)} s while the agent ran, and none counted as dropped ` +
          `(${first.join(', ')}${unexplained.length > 3 ? ', …' : ''}; times after the faults began)`,
      );
    }
    if (a.diskFaults > 0 && a.refusedWrites === 0)
      verdict.problems.push('its state disk was filled but never refused a write: the full-disk fault tested nothing');
    return { ...verdict, boots: a.boots, lostSeconds, explainedSeconds, lostInMemory, refusedWrites: a.refusedWrites };
  });
  const alertResult = verifyAlerts({ alerts, outbox, ...seen, ...channels, groupWaitMs: GROUP_WAIT_MS });
  const outboxResult = verifyOutbox({ notifyStatus, outbox, ...seen, ...channels });
  const detection = verifyDetection({ rowsByHost: new Map(perAgent.map((a) => [a.host, a.rows])), alerts });
  const failures = [
    ...agentResults.flatMap((a) => a.problems.map((p) => `${a.host}: ${p}`)),
    ...alertResult.problems,
    ...alertResult.stillOpen.map((l) => `still open after every process came back: ${l}`),
    ...alertResult.unseen.map(
      (u) => `fired for ${(u.firedMs / 1000).toFixed(1)} s (longer than group_wait), resolved, never told: ${u.label}`,
    ),
    ...outboxResult.problems,
    ...detection.missed.map((m) => `no alert for ${m}`),
    ...detection.unfounded,
    ...(drained.ok ? [] : [`did not drain within ${opts['drain-timeout']} s: ${JSON.stringify(drained.last)}`]),
    ...(settled.ok ? [] : [`not settled after the agents stopped: ${JSON.stringify(settled.last)}`]),
    ...slow.map((name) => `${name} did not stop within 15 s of SIGTERM`),
    ...cluster.crashes.map((c) => `${c.part} died by itself (exit ${c.code ?? c.signal}); log: ${c.log}`),
  ];
  const faultCounts = Object.fromEntries(FAULT_KINDS.map((k) => [k, injected.filter((f) => f.kind === k)]));
  const out = report({
    seed,
    durationS: Number(opts.duration),
    agents: agentResults,
    alerts: alertResult,
    outbox: outboxResult,
    detection,
    responsesLost: sum(cluster.links.map((l) => l.lost)),
    mails: mailbox.mails.length,
    hooks: receiver.hooks.length,
    faults: faultCounts,
    drainMs: drained.ms,
    totalS: (Date.now() - t0) / 1000,
    failures,
    json: opts.json,
  });
  process.stdout.write(out);
  exitCode = failures.length === 0 ? 0 : 1;
} catch (error) {
  say(`soak aborted: ${error.stack ?? error}`);
} finally {
  await cluster.teardown();
  await mailbox.close();
  await receiver.close();
  if (exitCode === 0 && !opts.keep) rmSync(dir, { recursive: true, force: true });
  else say(`logs and data kept in ${dir}`);
}
process.exit(exitCode);
