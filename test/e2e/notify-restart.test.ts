// End to end, real processes: notifications survive a SIGKILL of the collector. Real agents watch
// processes the test kills; the collector sends the firing notices to a real HTTP receiver that
// answers 500 (queued, retrying) or holds the request open (in flight) when the collector dies;
// after a restart on the same data dir each is answered 200 exactly once, repeats keep their key.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  agentStatus,
  type Collector,
  cleanupAll,
  createToken,
  enrollAgent,
  freePort,
  type Proc,
  startAgent,
  startCollector,
  tempDir,
  waitFor,
} from './harness.js';

afterAll(() => cleanupAll());

const SECRET = 'e2e-signing-key-0123456789abcdef';
const HOSTS = ['FRONT-DESK-01', 'EXAM-ROOM-02', 'XRAY-WS-03'];

/** 'fail': 500 at once; 'hold': never answer (the request stays in flight); 'ok': 200. */
type Mode = 'fail' | 'hold' | 'ok';

interface WebhookBody {
  idempotency_key: string;
  kind: string;
  host: string;
  alerts: { rule: string; state: string; target: string }[];
}

interface Hit {
  at: number;
  /** Before or after the collector was restarted. */
  phase: 'before' | 'after';
  key: string;
  body: WebhookBody;
  signatureOk: boolean;
  /** The status the receiver answered; 'held' while open, 'aborted' when the sender went away first. */
  answer: number | 'held' | 'aborted';
}

interface Receiver {
  url: string;
  hits: Hit[];
  mode: Mode;
  phase: 'before' | 'after';
  /** Requests being answered right now (a 500 is counted until its response is flushed). */
  open: number;
  close: () => Promise<void>;
}

/** What a receiver does with the documented headers: HMAC-SHA256 of "<timestamp>.<raw body>". */
function signatureVerifies(timestamp: string | undefined, signature: string | undefined, raw: string): boolean {
  const ts = Number(timestamp);
  if (!signature || !Number.isInteger(ts) || Math.abs(Date.now() / 1000 - ts) > 300) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(`${ts}.${raw}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

async function startReceiver(mode: Mode): Promise<Receiver> {
  const receiver: Receiver = { url: '', hits: [], mode, phase: 'before', open: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    receiver.open++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => req.headers[name] as string | undefined;
      const hit: Hit = {
        at: Date.now(),
        phase: receiver.phase,
        key: header('x-vitals-idempotency-key') ?? '',
        body: JSON.parse(raw) as WebhookBody,
        signatureOk: signatureVerifies(header('x-vitals-timestamp'), header('x-vitals-signature'), raw),
        answer: 'held',
      };
      receiver.hits.push(hit);
      res.on('close', () => {
        receiver.open--;
        if (hit.answer === 'held') hit.answer = 'aborted';
      });
      if (receiver.mode === 'hold') return;
      hit.answer = receiver.mode === 'ok' ? 200 : 500;
      res.writeHead(hit.answer, { 'content-type': 'text/plain' }).end(receiver.mode === 'ok' ? 'ok' : 'broken');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${port}/hook`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

interface OutboxRow {
  idempotency_key: string;
  channel: string;
  kind: string;
  host: string;
  status: string;
  next_attempt_at: number;
}

/** The collector's outbox as stored, read beside the running (or killed) collector. */
function readOutbox(dataDir: string): OutboxRow[] {
  const db = new Database(join(dataDir, 'collector.db'), { readonly: true, fileMustExist: true, timeout: 2000 });
  try {
    return db
      .prepare('SELECT idempotency_key, channel, kind, host, status, next_attempt_at FROM outbox ORDER BY rowid')
      .all() as OutboxRow[];
  } finally {
    db.close();
  }
}

interface Fleet {
  dir: string;
  dataDir: string;
  port: number;
  configFile: string;
  collector: Collector;
  agents: Proc[];
  watched: ChildProcess[];
}

/** A collector routing every alert to the receiver, and one agent per host watching its own process. */
async function startFleet(receiver: Receiver, webhookTimeout: string): Promise<Fleet> {
  const dir = tempDir('vitals-notify-restart-');
  const port = await freePort();
  const dataDir = join(dir, 'collector');
  const configFile = join(dir, 'collector.yaml');
  writeFileSync(
    configFile,
    `alerting:
  evaluate_every: 1s
  route_every: 500ms
  routing:
    group_wait: 1s
    group_interval: 5s
notifications:
  dashboard_url: http://127.0.0.1:${port}
  retry:
    initial: 1s
    max: 2s
  channels:
    hook:
      type: webhook
      url: ${receiver.url}
      secret: ${SECRET}
      timeout: ${webhookTimeout}
  default_channels: [hook]
`,
  );
  const collector = await startCollector({ dataDir, port, configFile });
  const token = createToken(dataDir, 'Riverside Pediatrics', 'Main St');
  const agents: Proc[] = [];
  const watched: ChildProcess[] = [];
  const agentConfigs: string[] = [];
  for (const host of HOSTS) {
    const hostDir = join(dir, host);
    mkdirSync(hostDir);
    // A uniquely named copy of sleep: the process check matches the executable name exactly.
    const name = `emr${Math.random().toString(36).slice(2, 8)}`;
    const exe = join(hostDir, name);
    copyFileSync('/bin/sleep', exe);
    watched.push(spawn(exe, ['600'], { stdio: 'ignore' }));
    const agentConfig = join(hostDir, 'agent.yaml');
    writeFileSync(
      agentConfig,
      `hostname: ${host}
state_dir: ${join(hostDir, 'state')}
collector:
  retry_max: 1s
builtin_checks: false
checks:
  - id: emr-app
    kind: process
    interval: 1s
    processes: [${name}]
    sample: 0
`,
    );
    const enrolled = enrollAgent(agentConfig, collector.url, token);
    expect(enrolled.code, enrolled.stderr + enrolled.stdout).toBe(0);
    agents.push(startAgent(agentConfig));
    agentConfigs.push(agentConfig);
  }
  // Healthy first: every agent has delivered reports while its process runs.
  await waitFor(
    'every agent to deliver a report',
    () => agentConfigs.every((c) => agentStatus(c).last_delivery_at !== null),
    30_000,
    500,
  );
  return { dir, dataDir, port, configFile, collector, agents, watched };
}

async function stopFleet(fleet: Fleet, receiver: Receiver): Promise<void> {
  for (const w of fleet.watched) w.kill('SIGKILL');
  await Promise.all(fleet.agents.map((a) => a.term()));
  await fleet.collector.term();
  await receiver.close();
}

/** Kills every watched process: each host's process alert fires, one group (and notification) per host. */
function killWatched(fleet: Fleet): void {
  for (const w of fleet.watched) w.kill('SIGKILL');
}

function firingRows(dataDir: string): OutboxRow[] {
  return readOutbox(dataDir).filter((r) => r.kind === 'firing');
}

/**
 * What every scenario must end with: the outbox held exactly one firing notification per host;
 * every request the receiver saw is signed correctly and belongs to one of them under its own key;
 * each was answered 200 exactly once; a repeat carried the same key as its first send.
 */
function expectEachDeliveredOnce(receiver: Receiver, queued: OutboxRow[]): void {
  expect(queued.map((r) => r.host).sort()).toEqual([...HOSTS].sort());
  const keys = new Set(queued.map((r) => r.idempotency_key));
  expect(keys.size).toBe(HOSTS.length);
  for (const hit of receiver.hits) {
    expect(hit.signatureOk, `signature of ${hit.key}`).toBe(true);
    expect(hit.body.idempotency_key).toBe(hit.key);
    expect(hit.body.kind).toBe('firing');
    expect(keys.has(hit.key), `key ${hit.key} was not in the outbox before the kill`).toBe(true);
    const row = queued.find((r) => r.idempotency_key === hit.key);
    // Same key, same notification: the key never moves to another host's alert.
    expect(hit.body.host).toBe(row?.host);
    expect(hit.body.alerts.map((a) => a.rule)).toEqual(['process']);
  }
  for (const key of keys) {
    expect(
      receiver.hits.filter((h) => h.key === key && h.answer === 200),
      `200s for ${key}`,
    ).toHaveLength(1);
  }
  expect(new Set(receiver.hits.map((h) => h.key))).toEqual(keys);
}

async function restart(fleet: Fleet): Promise<Collector> {
  fleet.collector = await startCollector({ dataDir: fleet.dataDir, port: fleet.port, configFile: fleet.configFile });
  return fleet.collector;
}

describe('notifications survive a SIGKILL of the collector', () => {
  it('delivers queued notifications whose sends failed with 500 once each after a restart', async () => {
    const receiver = await startReceiver('fail');
    const fleet = await startFleet(receiver, '10s');
    try {
      expect(receiver.hits).toHaveLength(0);
      const killedAt = Date.now();
      killWatched(fleet);
      // Kill only when the receiver has refused several sends and every row is queued for a later
      // retry, none claimed: that is the "queued" case (a claimed row would wait out its lease).
      const collector = fleet.collector;
      const atKill = await waitFor(
        `3 firing notifications queued after ≥ 3 failed sends\n${collector.output()}`,
        () => {
          if (receiver.hits.length < 3 || receiver.open > 0) return undefined;
          const rows = readOutbox(fleet.dataDir);
          const soonest = Math.min(...rows.map((r) => r.next_attempt_at));
          const ready =
            rows.filter((r) => r.kind === 'firing').length >= HOSTS.length &&
            rows.every((r) => r.status === 'queued') &&
            soonest > Date.now() + 300;
          if (!ready) return undefined;
          collector.child.kill('SIGKILL');
          return rows;
        },
        60_000,
        50,
      );
      await collector.exited;
      const failedSends = receiver.hits.length;
      expect(receiver.hits.every((h) => h.answer === 500)).toBe(true);
      expect(atKill.every((r) => r.kind === 'firing' && r.channel === 'hook')).toBe(true);
      // What the dead collector left on disk is what it had: every row queued, none delivered.
      const onDisk = readOutbox(fleet.dataDir);
      expect(onDisk.map((r) => [r.idempotency_key, r.status])).toEqual(
        atKill.map((r) => [r.idempotency_key, 'queued']),
      );

      receiver.mode = 'ok';
      receiver.phase = 'after';
      const restartedAt = Date.now();
      const restarted = await restart(fleet);
      const keys = atKill.map((r) => r.idempotency_key);
      await waitFor(
        `every queued notification answered 200\n${restarted.output()}`,
        () => keys.every((k) => receiver.hits.some((h) => h.key === k && h.answer === 200)),
        60_000,
      );
      const deliveredIn = Date.now() - restartedAt;
      // Nothing more arrives: no second send of a delivered key, no new notification.
      await waitFor(
        'the outbox to record every notification delivered',
        () => readOutbox(fleet.dataDir).every((r) => r.status === 'delivered'),
        10_000,
      );
      await new Promise((r) => setTimeout(r, 3000));

      expectEachDeliveredOnce(receiver, atKill);
      const before = new Set(receiver.hits.filter((h) => h.phase === 'before').map((h) => h.key));
      const after = new Set(receiver.hits.filter((h) => h.phase === 'after').map((h) => h.key));
      // Keys tried before the kill come back unchanged after it.
      for (const key of before) expect(after.has(key)).toBe(true);
      expect(after).toEqual(new Set(keys));
      expect(receiver.hits.filter((h) => h.phase === 'after')).toHaveLength(HOSTS.length);
      process.stdout.write(
        `[notify-restart] queued: ${HOSTS.length} notifications, ${failedSends} sends answered 500 ` +
          `(${before.size} distinct keys) before SIGKILL ${((Date.now() - killedAt) / 1000).toFixed(0)} s ` +
          `after the processes died; after restart ${after.size} keys answered 200 once each ` +
          `in ${(deliveredIn / 1000).toFixed(1)} s\n`,
      );
    } finally {
      await stopFleet(fleet, receiver);
    }
  }, 120_000);

  it('sends a notification in flight at the SIGKILL again after the restart, with the same key', async () => {
    // The webhook timeout outlasts the hold, so the request is still open when the collector dies.
    const receiver = await startReceiver('hold');
    const fleet = await startFleet(receiver, '30s');
    try {
      killWatched(fleet);
      const collector = fleet.collector;
      // Kill while a request is held and every host's notification is in the outbox: the held one
      // is claimed ("sending"); the others are claimed behind it or queued, by timing.
      const atKill = await waitFor(
        `a held request and 3 firing notifications\n${collector.output()}`,
        () => {
          const held = receiver.hits.find((h) => h.answer === 'held');
          if (!held || Date.now() - held.at < 300) return undefined;
          const rows = firingRows(fleet.dataDir);
          if (rows.length < HOSTS.length) return undefined;
          collector.child.kill('SIGKILL');
          return { held, rows };
        },
        60_000,
        50,
      );
      await collector.exited;
      const held = atKill.held;
      await waitFor('the held request to be cut off', () => held.answer === 'aborted', 5_000);
      const heldRow = atKill.rows.find((r) => r.idempotency_key === held.key);
      expect(heldRow?.status).toBe('sending');
      expect(receiver.hits).toHaveLength(1);
      const states = atKill.rows.map((r) => r.status);

      receiver.mode = 'ok';
      receiver.phase = 'after';
      const restartedAt = Date.now();
      const restarted = await restart(fleet);
      const keys = atKill.rows.map((r) => r.idempotency_key);
      // A claim of the dead collector lasts its lease (60 s) before the row is sent again.
      await waitFor(
        `every notification answered 200\n${restarted.output()}`,
        () => keys.every((k) => receiver.hits.some((h) => h.key === k && h.answer === 200)),
        90_000,
        200,
      );
      const deliveredIn = Date.now() - restartedAt;
      await waitFor(
        'the outbox to record every notification delivered',
        () => readOutbox(fleet.dataDir).every((r) => r.status === 'delivered'),
        10_000,
      );
      await new Promise((r) => setTimeout(r, 2000));

      expectEachDeliveredOnce(receiver, atKill.rows);
      const repeat = receiver.hits.find((h) => h.phase === 'after' && h.key === held.key);
      expect(repeat?.answer).toBe(200);
      expect(repeat?.body.host).toBe(held.body.host);
      expect(receiver.hits.filter((h) => h.phase === 'after')).toHaveLength(HOSTS.length);
      process.stdout.write(
        `[notify-restart] in flight: held request for ${held.body.host} cut off by SIGKILL ` +
          `(outbox at kill: ${states.join(', ')}); after restart all ${HOSTS.length} answered 200 once, ` +
          `the held one again with the same key ${(((repeat?.at ?? 0) - held.at) / 1000).toFixed(1)} s ` +
          `after its first send, all delivered ${(deliveredIn / 1000).toFixed(1)} s after the restart\n`,
      );
    } finally {
      await stopFleet(fleet, receiver);
    }
  }, 150_000);
});
