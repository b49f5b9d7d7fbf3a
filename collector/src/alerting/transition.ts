// The alert state machine: one observation moves one alert (host, rule, target) through
// ok → pending → firing → resolved. Pure: the caller passes the previous row, the time and the id maker.
import type { AlertKey, AlertRecord, LevelTiming, Observation, Severity, TransitionEvent } from './types.js';

export interface TransitionResult {
  /** The row after the step; undefined when there is no open alert (never was, or cancelled). */
  next: AlertRecord | undefined;
  /** What happened, when something did that people may be told about. */
  event?: TransitionEvent;
}

/** 'critical' also satisfies 'warning': a disk at 3 % free is below 15 % as well. */
function meets(level: Observation['level'], severity: Severity): boolean {
  return level === 'critical' || (level === 'warning' && severity === 'warning');
}

/**
 * A counter that starts at 1 with the first observation at its level, and then grows only with
 * fresh data: a timer re-evaluating the same result must not count it twice.
 */
function bump(count: number, fresh: boolean): number {
  return count === 0 ? 1 : count + (fresh ? 1 : 0);
}

function timingMet(timing: LevelTiming | undefined, since: number | undefined, count: number, clock: number): boolean {
  if (!timing || since === undefined) return false;
  return clock - since >= timing.forMs && count >= timing.consecutive;
}

type Tracking = Pick<AlertRecord, 'since' | 'counts'>;

/** Per-level continuity after this observation; 'hold' neither extends nor breaks a level. */
function track(prev: Tracking | undefined, obs: Observation, fresh: boolean): Tracking {
  const since: Tracking['since'] = {};
  const counts = { warning: 0, critical: 0, ok: 0 };
  const before = prev ?? { since: {}, counts };
  for (const severity of ['warning', 'critical'] as const) {
    const started = before.since[severity];
    if (obs.level === 'hold') {
      if (started !== undefined) since[severity] = started;
      counts[severity] = before.counts[severity];
    } else if (meets(obs.level, severity)) {
      since[severity] = started ?? obs.at;
      counts[severity] = bump(started === undefined ? 0 : before.counts[severity], fresh);
    }
  }
  // 'hold' (a reading the rule cannot judge, such as UNKNOWN) neither counts toward recovery nor
  // breaks a run of good checks.
  counts.ok = obs.level === 'ok' ? bump(before.counts.ok, fresh) : obs.level === 'hold' ? before.counts.ok : 0;
  return { since, counts };
}

/** The highest level whose duration and count are both met, if any. */
function firingLevel(t: Tracking, obs: Observation, clock: number): Severity | undefined {
  if (timingMet(obs.timing.critical, t.since.critical, t.counts.critical, clock)) return 'critical';
  if (timingMet(obs.timing.warning, t.since.warning, t.counts.warning, clock)) return 'warning';
  return undefined;
}

/** The fields every step copies from the observation. */
function reading(obs: Observation): Pick<AlertRecord, 'value' | 'threshold' | 'unit' | 'summary' | 'forecast'> {
  return {
    value: obs.value,
    threshold: obs.threshold,
    unit: obs.unit ?? null,
    summary: obs.summary,
    forecast: obs.forecast ?? null,
  };
}

function open(key: AlertKey, obs: Observation, t: Tracking, clock: number, now: number, newId: () => string) {
  const fires = firingLevel(t, obs, clock);
  const severity: Severity = obs.level === 'critical' ? 'critical' : 'warning';
  const next: AlertRecord = {
    client: key.client,
    site: key.site,
    agent_id: key.agent_id,
    host: key.host,
    rule: key.rule,
    target: key.target,
    id: newId(),
    state: fires ? 'firing' : 'pending',
    severity: fires ?? severity,
    ...t,
    last_at: obs.at,
    pending_since: obs.at,
    started_at: fires ? clock : null,
    resolved_at: null,
    ...reading(obs),
    ack: null,
    notified_state: null,
    notified_severity: null,
    notified_at: null,
    escalated_at: null,
    updated_at: now,
  };
  return { next, event: fires ? ('fired' as const) : ('pending' as const) };
}

/**
 * One step of one alert. A level fires when it has held for `timing[level].forMs` AND for
 * `timing[level].consecutive` fresh observations. Recovery needs `recoverConsecutive` fresh 'ok'
 * observations; 'hold' (the rule's hysteresis band, or a reading it cannot judge) keeps a pending
 * or firing alert as it is. A resolved
 * `prev` is history: a new condition opens a new alert with a new id.
 */
export function transition(
  prev: AlertRecord | undefined,
  key: AlertKey,
  obs: Observation,
  now: number,
  newId: () => string,
): TransitionResult {
  const current = prev?.state === 'resolved' ? undefined : prev;
  const bad = obs.level === 'warning' || obs.level === 'critical';
  // Durations are measured to the later of the data's time and the clock, so a timer
  // re-evaluation can complete a `forMs` that fresh data started.
  const clock = Math.max(now, obs.at);
  if (!current) {
    if (!bad) return { next: undefined };
    return open(key, obs, track(undefined, obs, true), clock, now, newId);
  }
  const fresh = obs.at > current.last_at;
  const t = track(current, obs, fresh);
  const base: AlertRecord = {
    ...current,
    ...t,
    last_at: Math.max(current.last_at, obs.at),
    ...reading(obs),
    updated_at: now,
  };
  if (current.state === 'pending') {
    if (obs.level === 'ok') return { next: undefined, event: 'cancelled' };
    // An unreadable check (UNKNOWN) while pending: "stopped, stopped, UNKNOWN, stopped" still fires.
    if (!bad) return { next: base };
    const fires = firingLevel(t, obs, clock);
    if (fires) return { next: { ...base, state: 'firing', severity: fires, started_at: clock }, event: 'fired' };
    return { next: { ...base, severity: obs.level === 'critical' ? 'critical' : 'warning' } };
  }
  // Firing.
  if (obs.level === 'ok') {
    if (t.counts.ok >= obs.timing.recoverConsecutive) {
      return { next: { ...base, state: 'resolved', resolved_at: obs.at }, event: 'resolved' };
    }
    return { next: base };
  }
  if (obs.level === 'warning' && current.severity === 'critical') {
    return { next: { ...base, severity: 'warning' }, event: 'severity_changed' };
  }
  if (obs.level === 'critical' && current.severity === 'warning' && firingLevel(t, obs, clock) === 'critical') {
    return { next: { ...base, severity: 'critical' }, event: 'severity_changed' };
  }
  return { next: base };
}
