// The soak's pure parts: its fault schedule (a seed replays a run exactly) and its verdicts on
// crafted data (each check fails on the fault it exists for). The soak run itself is `pnpm soak`.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { FAULT_KINDS, faultSchedule, prng } from './schedule.mjs';
// @ts-expect-error plain ESM script without types
import * as verify from './verify.mjs';

interface Fault {
  at: number;
  kind: string;
  target: number | null;
  hold: number;
}

describe('fault schedule', () => {
  const options = { seed: 8, durationMs: 180_000, agents: 4, diskAgent: 3 };

  it('is the same for the same seed, and differs for another', () => {
    expect(faultSchedule(options)).toEqual(faultSchedule(options));
    expect(faultSchedule({ ...options, seed: 9 })).not.toEqual(faultSchedule(options));
    const a = prng(1);
    const b = prng(1);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });

  it('ends every fault before the run does, never overlaps one lane, and has every outage kind', () => {
    for (const seed of [1, 2, 3, 8, 99]) {
      const faults: Fault[] = faultSchedule({ ...options, seed, durationMs: 60_000 });
      for (const f of faults) expect(f.at + f.hold).toBeLessThanOrEqual(60_000);
      const kinds = new Set(faults.map((f) => f.kind));
      for (const kind of ['collector_outage', 'smtp_outage', 'disk_full']) expect(kinds.has(kind)).toBe(true);
      for (const kind of FAULT_KINDS as string[])
        for (const target of [null, 0, 1, 2, 3]) {
          const lane = faults.filter((f) => f.kind === kind && f.target === target);
          for (let i = 1; i < lane.length; i++)
            expect(lane[i]!.at).toBeGreaterThanOrEqual(lane[i - 1]!.at + lane[i - 1]!.hold);
        }
      expect(faults.filter((f) => f.kind === 'disk_full').every((f) => f.target === 3)).toBe(true);
    }
  });

  it('has no full-disk fault without a disk agent (not root)', () => {
    expect(faultSchedule({ ...options, diskAgent: null }).some((f: Fault) => f.kind === 'disk_full')).toBe(false);
  });
});

describe('report verdicts', () => {
  const status = { dropped_total: 0, buffer_depth: 0 };

  it('passes a clean sequence and fails a duplicate, a gap nobody counted and a missing tail', () => {
    const ok = verify.verifyAgent({ host: 'h', seqs: [1, 2, 3], lastAssigned: 3, status, collectorDropped: 0 });
    expect(ok.problems).toEqual([]);
    const dup = verify.verifyAgent({ host: 'h', seqs: [1, 2, 2, 3], lastAssigned: 3, status });
    expect(dup.problems.join()).toMatch(/1 reports stored twice/);
    const gap = verify.verifyAgent({ host: 'h', seqs: [1, 2, 5], lastAssigned: 5, status });
    expect(gap.problems.join()).toMatch(
      /2 sequence numbers missing but only 0 counted as dropped \(first holes: 3–4\)/,
    );
    const counted = verify.verifyAgent({
      host: 'h',
      seqs: [1, 2, 5],
      lastAssigned: 5,
      status: { ...status, dropped_total: 2 },
    });
    expect(counted.problems).toEqual([]);
    const tail = verify.verifyAgent({ host: 'h', seqs: [1, 2], lastAssigned: 4, status });
    expect(tail.problems.join()).toMatch(/the last 2 reports it buffered/);
    const stuck = verify.verifyAgent({ host: 'h', seqs: [1], lastAssigned: 1, status: { ...status, buffer_depth: 7 } });
    expect(stuck.problems.join()).toMatch(/7 reports still buffered/);
  });

  it('explains results lost on a full disk only by what the agent logged, and only at the end of a killed run', () => {
    const log = [
      { time: 1_000, event: 'started', boot_id: 'b1' },
      { time: 20_000, event: 'buffer_write_failed', queued: 1 },
      { time: 29_000, event: 'buffer_write_failed', queued: 27 },
    ]
      .map((e) => JSON.stringify({ level: 30, ...e }))
      .join('\n');
    const events = verify.parseAgentLog(`${log}\nnot json\n`);
    expect(events).toHaveLength(3);
    // One check every second from 1 s to 19 s, then nothing stored until the SIGKILL at 30 s.
    const rows = Array.from({ length: 19 }, (_, i) => ({ check: 'cpu', ts: 1_000 + i * 1000, boot_id: 'b1' }));
    const killed = verify.memoryLosses({ lives: [{ start: 900, end: 30_000, signal: 'SIGKILL' }], events, rows });
    expect(killed[0]).toMatchObject({ bootId: 'b1', lost: 27, failingSince: 20_000 });
    const explained = verify.verifyCoverage({ rows, lives: killed });
    expect(explained.lostSeconds).toBe(0);
    expect(explained.lostInMemory).toBe(27);
    // The same hole without the agent's account: lost and uncounted.
    const plain = verify.verifyCoverage({ rows, lives: [{ start: 900, end: 30_000, signal: 'SIGKILL' }] });
    expect(plain.lostSeconds).toBeGreaterThan(5);
    // A clean stop with results still in memory is a loss of its own.
    const stopped = verify.memoryLosses({ lives: [{ start: 900, end: 30_000, signal: 'SIGTERM' }], events, rows });
    expect(verify.verifyCoverage({ rows, lives: stopped }).lostAtCleanStop).toBe(27);
    // Results stored after the last failure: the queue was written, nothing lost.
    const later = [...rows, { check: 'cpu', ts: 29_500, boot_id: 'b1' }];
    expect(verify.memoryLosses({ lives: killed, events, rows: later })[0].lost).toBe(0);
  });
});

describe('alert verdicts', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  const alert = (id: string, startedMs: number, resolvedMs: number, notified: string | null) => ({
    id,
    host: 'soak-01',
    rule: 'process',
    target: 'app',
    state: 'resolved',
    started_at: iso(startedMs),
    resolved_at: iso(resolvedMs),
    notified_state: notified,
  });
  const outbox = [
    {
      idempotency_key: 'k1',
      channel: 'oncall',
      kind: 'firing',
      status: 'delivered',
      alerts: [{ id: 'a1', state: 'firing' }],
    },
    {
      idempotency_key: 'k2',
      channel: 'psa',
      kind: 'firing',
      status: 'delivered',
      alerts: [{ id: 'a1', state: 'firing' }],
    },
    {
      idempotency_key: 'k3',
      channel: 'oncall',
      kind: 'resolved',
      status: 'delivered',
      alerts: [{ id: 'a1', state: 'resolved' }],
    },
    {
      idempotency_key: 'k4',
      channel: 'psa',
      kind: 'resolved',
      status: 'delivered',
      alerts: [{ id: 'a1', state: 'resolved' }],
    },
  ];
  const text = 'soak-01 app Lasted 10 s';
  const mails = [
    { key: 'k1', text },
    { key: 'k3', text },
  ];
  const hooks = [{ key: 'k2' }, { key: 'k4' }];
  const channels = { emailChannel: 'oncall', hookChannel: 'psa' };

  it('passes an alert told firing and resolved on both channels', () => {
    const r = verify.verifyAlerts({
      alerts: [alert('a1', 0, 10_000, 'resolved')],
      outbox,
      mails,
      hooks,
      groupWaitMs: 1000,
    });
    expect(r.problems).toEqual([]);
    expect(r.resolved).toBe(1);
    expect(verify.verifyOutbox({ notifyStatus: [], outbox, mails, hooks, ...channels }).problems).toEqual([]);
  });

  it('fails a missing resolved email, and an alert that fired longer than group_wait and was never told', () => {
    const r = verify.verifyAlerts({ alerts: [alert('a1', 0, 10_000, 'resolved')], outbox, mails: [mails[0]], hooks });
    expect(r.problems.join()).toMatch(/no resolved email/);
    const never = verify.verifyAlerts({
      alerts: [alert('a2', 0, 5_000, null), alert('a3', 0, 800, null)],
      outbox,
      mails,
      hooks,
      groupWaitMs: 1000,
    });
    expect(never.unseen.map((u: { alert: { id: string } }) => u.alert.id)).toEqual(['a2']);
    expect(never.quiet.map((u: { alert: { id: string } }) => u.alert.id)).toEqual(['a3']);
  });

  it('fails a lost delivery, a stranger notification, a row left undelivered and a lease left behind', () => {
    const undelivered = [
      ...outbox,
      { idempotency_key: 'k5', channel: 'oncall', kind: 'firing', status: 'sending', claimed_until: 5, alerts: [] },
    ];
    const r = verify.verifyOutbox({
      notifyStatus: [{ channel: 'oncall', queued: 1, sending: 0, failed: 0 }],
      outbox: undelivered,
      mails: [mails[0], { key: 'zz', text }],
      hooks,
      ...channels,
    });
    const all = r.problems.join('\n');
    expect(all).toMatch(/channel oncall: 1 queued/);
    expect(all).toMatch(/1 outbox rows not delivered/);
    expect(all).toMatch(/1 outbox rows still hold a sender's lease/);
    expect(all).toMatch(/1 emails marked delivered were never received/);
    expect(all).toMatch(/1 notifications received that are not in the outbox/);
    const repeats = verify.verifyOutbox({ notifyStatus: [], outbox, mails: [...mails, mails[0]], hooks, ...channels });
    expect(repeats.repeats.email).toBe(1);
  });

  it('finds a run of failed process checks without an alert, and an alert without one', () => {
    const row = (ts: number, status: string) => ({ kind: 'process', ts, status });
    const rows = [
      row(0, 'OK'),
      row(1000, 'CRITICAL'),
      row(2000, 'UNKNOWN'),
      row(3000, 'CRITICAL'),
      row(4000, 'CRITICAL'),
      row(5000, 'OK'),
    ];
    const missed = verify.verifyDetection({ rowsByHost: new Map([['h', rows]]), alerts: [] });
    expect(missed.runs).toBe(1);
    expect(missed.missed).toHaveLength(1);
    const fired = { id: 'x', host: 'h', rule: 'process', started_at: iso(4000), resolved_at: iso(5000) };
    expect(verify.verifyDetection({ rowsByHost: new Map([['h', rows]]), alerts: [fired] }).missed).toEqual([]);
    const stray = { ...fired, started_at: iso(9000) };
    expect(verify.verifyDetection({ rowsByHost: new Map([['h', rows]]), alerts: [stray] }).unfounded).toHaveLength(1);
  });
});
