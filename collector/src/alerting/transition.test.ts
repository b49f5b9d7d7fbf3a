import { describe, expect, it } from 'vitest';
import { transition } from './transition.js';
import type { AlertKey, AlertRecord, Observation, RuleTiming, TransitionEvent } from './types.js';

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 6, 9, 0);

const serviceKey: AlertKey = {
  client: 'c',
  site: 's',
  agent_id: 'ag_1',
  host: 'pc-1',
  rule: 'service',
  target: 'MSSQL',
};
const serviceTiming: RuleTiming = { critical: { forMs: 0, consecutive: 3 }, recoverConsecutive: 2 };
const diskKey: AlertKey = { ...serviceKey, rule: 'disk_space', target: 'C:' };
const diskTiming: RuleTiming = {
  warning: { forMs: 15 * MIN, consecutive: 1 },
  critical: { forMs: 5 * MIN, consecutive: 1 },
  recoverConsecutive: 1,
};

function obs(level: Observation['level'], at: number, timing: RuleTiming, value: number | string = 0): Observation {
  return { rule: 'service', target: 'MSSQL', at, level, value, threshold: null, summary: `${level} at ${at}`, timing };
}

/** Feeds observations one by one (now = at unless given) and records the events and rows. */
function run(key: AlertKey, steps: Array<{ o: Observation; now?: number }>, start?: AlertRecord) {
  let ids = 0;
  let alert = start;
  const events: Array<TransitionEvent | undefined> = [];
  const rows: Array<AlertRecord | undefined> = [];
  for (const { o, now } of steps) {
    const { next, event } = transition(alert, key, o, now ?? o.at, () => `al_${++ids}`);
    events.push(event);
    rows.push(next);
    alert = next;
  }
  return { events, rows, last: alert };
}

describe('transition', () => {
  it('service stopped for 2 checks → nothing; 3 → critical; 1 good → still firing; 2 → resolved', () => {
    const levels = ['critical', 'critical', 'critical', 'ok', 'ok'] as const;
    const { events, rows } = run(
      serviceKey,
      levels.map((l, i) => ({ o: obs(l, T0 + i * MIN, serviceTiming) })),
    );
    expect(events).toEqual(['pending', undefined, 'fired', undefined, 'resolved']);
    expect(rows.map((r) => r?.state)).toEqual(['pending', 'pending', 'firing', 'firing', 'resolved']);
    expect(rows[2]).toMatchObject({ severity: 'critical', started_at: T0 + 2 * MIN, pending_since: T0 });
    expect(rows[3]?.counts.ok).toBe(1);
    expect(rows[4]).toMatchObject({ resolved_at: T0 + 4 * MIN, severity: 'critical', id: 'al_1' });
  });

  it('a re-evaluation with the same `at` does not count toward consecutive checks', () => {
    const at = T0;
    const { events, last } = run(serviceKey, [
      { o: obs('critical', at, serviceTiming) },
      { o: obs('critical', at, serviceTiming), now: at + MIN },
      { o: obs('critical', at, serviceTiming), now: at + 2 * MIN },
    ]);
    expect(events).toEqual(['pending', undefined, undefined]);
    expect(last?.counts.critical).toBe(1);
    expect(last?.state).toBe('pending');
  });

  it('a re-evaluation with the same `at` does not count toward recovery either', () => {
    const { last } = run(
      serviceKey,
      [0, 1, 2]
        .map((i): { o: Observation; now?: number } => ({ o: obs('critical', T0 + i * MIN, serviceTiming) }))
        .concat([
          { o: obs('ok', T0 + 3 * MIN, serviceTiming) },
          { o: obs('ok', T0 + 3 * MIN, serviceTiming), now: T0 + 4 * MIN },
        ]),
    );
    expect(last).toMatchObject({ state: 'firing', counts: { ok: 1 } });
  });

  it('a timer re-evaluation of an old result can complete a duration', () => {
    const timing: RuleTiming = { critical: { forMs: 5 * MIN, consecutive: 1 }, recoverConsecutive: 1 };
    const { events, last } = run(diskKey, [
      { o: obs('critical', T0, timing) },
      { o: obs('critical', T0, timing), now: T0 + 4 * MIN },
      { o: obs('critical', T0, timing), now: T0 + 5 * MIN },
    ]);
    expect(events).toEqual(['pending', undefined, 'fired']);
    expect(last).toMatchObject({ state: 'firing', started_at: T0 + 5 * MIN, last_at: T0 });
  });

  it('fires at once when the timing is 0 s and one observation', () => {
    const timing: RuleTiming = { warning: { forMs: 0, consecutive: 1 }, recoverConsecutive: 1 };
    const { events, last } = run(serviceKey, [{ o: obs('warning', T0, timing) }]);
    expect(events).toEqual(['fired']);
    expect(last).toMatchObject({
      state: 'firing',
      severity: 'warning',
      started_at: T0,
      ack: null,
      notified_state: null,
      notified_severity: null,
      notified_at: null,
      escalated_at: null,
    });
  });

  it('no alert and an ok (or hold) observation → nothing', () => {
    expect(transition(undefined, serviceKey, obs('ok', T0, serviceTiming), T0, () => 'x')).toEqual({ next: undefined });
    expect(transition(undefined, serviceKey, obs('hold', T0, serviceTiming), T0, () => 'x')).toEqual({
      next: undefined,
    });
  });

  it('cancels a pending alert whose condition clears', () => {
    const { events, last } = run(serviceKey, [
      { o: obs('critical', T0, serviceTiming) },
      { o: obs('ok', T0 + MIN, serviceTiming) },
    ]);
    expect(events).toEqual(['pending', 'cancelled']);
    expect(last).toBeUndefined();
  });

  it('an unreadable check (hold) neither cancels a pending alert nor counts: bad, bad, hold, bad fires', () => {
    const levels = ['critical', 'critical', 'hold', 'critical'] as const;
    const { events, last } = run(
      serviceKey,
      levels.map((l, i) => ({ o: obs(l, T0 + i * MIN, serviceTiming) })),
    );
    expect(events).toEqual(['pending', undefined, undefined, 'fired']);
    expect(last).toMatchObject({ state: 'firing', counts: { critical: 3 } });
  });

  it('an unreadable check (hold) does not break a run of good checks toward recovery', () => {
    const levels = ['critical', 'critical', 'critical', 'ok', 'hold', 'ok'] as const;
    const { events, last } = run(
      serviceKey,
      levels.map((l, i) => ({ o: obs(l, T0 + i * MIN, serviceTiming) })),
    );
    expect(events.at(-1)).toBe('resolved');
    expect(last).toMatchObject({ state: 'resolved', resolved_at: T0 + 5 * MIN });
  });

  it('a broken run of bad checks starts counting again', () => {
    const levels = ['critical', 'critical', 'ok', 'critical', 'critical'] as const;
    const { events, last } = run(
      serviceKey,
      levels.map((l, i) => ({ o: obs(l, T0 + i * MIN, serviceTiming) })),
    );
    expect(events).toEqual(['pending', undefined, 'cancelled', 'pending', undefined]);
    expect(last).toMatchObject({ state: 'pending', counts: { critical: 2 }, id: 'al_2' });
  });

  it('disk: warning after 15 min, escalates to critical after 5 more min at critical', () => {
    const steps = [];
    for (let m = 0; m <= 15; m++) steps.push({ o: obs('warning', T0 + m * MIN, diskTiming, 12) });
    for (let m = 16; m <= 21; m++) steps.push({ o: obs('critical', T0 + m * MIN, diskTiming, 4) });
    const { events, rows } = run(diskKey, steps);
    expect(events[0]).toBe('pending');
    expect(events.indexOf('fired')).toBe(15);
    expect(rows[15]).toMatchObject({ severity: 'warning', started_at: T0 + 15 * MIN });
    // Critical since minute 16: met at minute 21.
    expect(events.indexOf('severity_changed')).toBe(21);
    expect(rows[20]?.severity).toBe('warning');
    expect(rows[21]).toMatchObject({ severity: 'critical', value: 4, started_at: T0 + 15 * MIN });
  });

  it('a pending alert fires at the highest level whose timing is met', () => {
    const steps = [];
    for (let m = 0; m <= 5; m++) steps.push({ o: obs('critical', T0 + m * MIN, diskTiming) });
    const { events, rows } = run(diskKey, steps);
    expect(rows[0]).toMatchObject({ state: 'pending', severity: 'critical' });
    expect(events).toEqual(['pending', undefined, undefined, undefined, undefined, 'fired']);
    expect(rows[5]?.severity).toBe('critical');
  });

  it('hysteresis: hold keeps a firing alert as it is; warning drops it; ok resolves it', () => {
    const steps = [];
    for (let m = 0; m <= 5; m++) steps.push({ o: obs('critical', T0 + m * MIN, diskTiming, 4) });
    steps.push({ o: obs('hold', T0 + 6 * MIN, diskTiming, 7) });
    steps.push({ o: obs('hold', T0 + 7 * MIN, diskTiming, 8) });
    steps.push({ o: obs('critical', T0 + 8 * MIN, diskTiming, 4.9) });
    steps.push({ o: obs('hold', T0 + 9 * MIN, diskTiming, 9) });
    steps.push({ o: obs('warning', T0 + 10 * MIN, diskTiming, 11) });
    steps.push({ o: obs('hold', T0 + 11 * MIN, diskTiming, 16) });
    steps.push({ o: obs('ok', T0 + 12 * MIN, diskTiming, 21) });
    const { events, rows } = run(diskKey, steps);
    expect(events.slice(5)).toEqual([
      'fired',
      undefined,
      undefined,
      undefined,
      undefined,
      'severity_changed',
      undefined,
      'resolved',
    ]);
    expect(rows[7]).toMatchObject({ state: 'firing', severity: 'critical', value: 8 });
    expect(rows[10]).toMatchObject({ state: 'firing', severity: 'warning' });
    expect(rows[12]).toMatchObject({ state: 'resolved', severity: 'warning', value: 21, resolved_at: T0 + 12 * MIN });
  });

  it('a bad observation resets the recovery count', () => {
    const steps = [0, 1, 2].map((i) => ({ o: obs('critical', T0 + i * MIN, serviceTiming) }));
    steps.push({ o: obs('ok', T0 + 3 * MIN, serviceTiming) });
    steps.push({ o: obs('critical', T0 + 4 * MIN, serviceTiming) });
    steps.push({ o: obs('ok', T0 + 5 * MIN, serviceTiming) });
    const { events, last } = run(serviceKey, steps);
    expect(events.at(-1)).toBeUndefined();
    expect(last).toMatchObject({ state: 'firing', counts: { ok: 1 } });
  });

  it('a resolved alert is history: a new condition opens a new alert with a new id', () => {
    const timing: RuleTiming = { warning: { forMs: 0, consecutive: 1 }, recoverConsecutive: 1 };
    const { events, rows } = run(serviceKey, [
      { o: obs('warning', T0, timing) },
      { o: obs('ok', T0 + MIN, timing) },
      { o: obs('ok', T0 + 2 * MIN, timing) },
      { o: obs('warning', T0 + 3 * MIN, timing) },
    ]);
    expect(events).toEqual(['fired', 'resolved', undefined, 'fired']);
    expect(rows[2]).toBeUndefined();
    expect(rows[3]).toMatchObject({ id: 'al_2', started_at: T0 + 3 * MIN, resolved_at: null });
  });

  it('keeps ack and notification bookkeeping across steps and updates the reading', () => {
    const timing: RuleTiming = { critical: { forMs: 0, consecutive: 1 }, recoverConsecutive: 1 };
    const first = transition(undefined, serviceKey, obs('critical', T0, timing, 'stopped'), T0, () => 'al_9').next;
    if (!first) throw new Error('expected an alert');
    const acked: AlertRecord = {
      ...first,
      ack: { by: 'ann@example.org', at: T0 + 1, comment: 'on it' },
      notified_state: 'firing',
      notified_severity: 'critical',
      notified_at: T0 + 2,
      escalated_at: T0 + 3,
    };
    const o: Observation = {
      ...obs('critical', T0 + MIN, timing, 'failed'),
      threshold: 'running',
      unit: 'state',
      summary: 'Service MSSQL is failed',
    };
    const { next, event } = transition(acked, serviceKey, o, T0 + MIN + 5, () => 'unused');
    expect(event).toBeUndefined();
    expect(next).toMatchObject({
      id: 'al_9',
      ack: acked.ack,
      notified_state: 'firing',
      notified_severity: 'critical',
      notified_at: T0 + 2,
      escalated_at: T0 + 3,
      value: 'failed',
      threshold: 'running',
      unit: 'state',
      summary: 'Service MSSQL is failed',
      forecast: null,
      last_at: T0 + MIN,
      updated_at: T0 + MIN + 5,
    });
  });

  it('needs both the duration and the count when a level asks for both', () => {
    const timing: RuleTiming = { warning: { forMs: 10 * MIN, consecutive: 3 }, recoverConsecutive: 1 };
    // Two samples 10 min apart: the duration is met, the count is not.
    const { events } = run(serviceKey, [
      { o: obs('warning', T0, timing) },
      { o: obs('warning', T0 + 10 * MIN, timing) },
      { o: obs('warning', T0 + 11 * MIN, timing) },
    ]);
    expect(events).toEqual(['pending', undefined, 'fired']);
  });
});
