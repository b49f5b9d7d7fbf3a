// Runs a series of results through the host rules as the engine would, in memory and in time
// order, and lists what the alerts did: the 72-hour disk scenarios and `vitals-collector rules test`.
// Site rules (site_offline) look at many hosts and are not replayed.
import type { CheckKindName, Measurement, Status } from '@vitals/shared';
import { DiskSeries } from './disk-series.js';
import { applyObservations, evaluateHost } from './evaluate.js';
import type { ResolvedRules } from './rule-config.js';
import type { AlertRecord, Forecast, HostView, LatestResult, RuleName, Severity, TransitionEvent } from './types.js';

export interface ReplayResult {
  ts: number;
  check: string;
  kind: CheckKindName;
  target: string;
  status: Status;
  values: Record<string, Measurement>;
  message?: string;
}

export interface ReplayEvent {
  /** The sample's ts, or the timer tick's time. */
  at: number;
  rule: RuleName;
  target: string;
  event: TransitionEvent;
  severity: Severity;
  summary: string;
  value: number | string | boolean | null;
  threshold: number | string | null;
  forecast?: Forecast;
}

export interface ReplayInput {
  /** Who the results belong to (overrides match on it); last_seen follows the results. */
  host?: Partial<HostView>;
  rules: ResolvedRules;
  results: readonly ReplayResult[];
  /** Timer evaluations (time-driven rules) this often between samples; default 1 min. */
  tickMs?: number;
  /** Keep ticking until this time (default: the last result's ts). */
  until?: number;
}

export function replay(input: ReplayInput): ReplayEvent[] {
  const results = [...input.results].sort((a, b) => a.ts - b.ts);
  const first = results[0];
  if (!first) return [];
  const tickMs = input.tickMs ?? 60_000;
  if (!(tickMs > 0)) throw new RangeError(`replay: tickMs must be > 0, got ${tickMs}`);
  const until = input.until ?? (results.at(-1) as ReplayResult).ts;
  const host: HostView = {
    agent_id: 'replay',
    client: 'replay',
    site: 'replay',
    host: 'replay',
    platform: 'linux',
    os_release: '',
    enrolled_at: first.ts,
    last_seen: first.ts,
    state: 'running',
    retired: false,
    ...input.host,
  };
  const series = new DiskSeries();
  const latest = new Map<string, LatestResult>();
  const alerts = new Map<string, AlertRecord>();
  const events: ReplayEvent[] = [];
  let ids = 0;
  const newId = () => `al_replay_${++ids}`;

  const step = (now: number, trigger: 'sample' | 'timer', sample?: ReplayResult) => {
    let items = evaluateHost({
      host,
      latest: [...latest.values()],
      diskSeries: (target) => series.get(host.agent_id, target),
      rules: input.rules,
      alerts,
      now,
      trigger,
      ...(sample ? { kinds: new Set([sample.kind]) } : {}),
    });
    // As in the engine: a sample speaks only for its own target.
    if (sample) items = items.filter((i) => i.key.target === sample.target);
    for (const change of applyObservations(alerts, items, now, newId)) {
      const alert = change.next ?? change.prev;
      if (!change.event || !alert) continue;
      const o = change.observation;
      events.push({
        at: now,
        rule: alert.rule,
        target: alert.target,
        event: change.event,
        severity: alert.severity,
        summary: o.summary,
        value: o.value,
        threshold: o.threshold,
        ...(o.forecast ? { forecast: o.forecast } : {}),
      });
    }
  };

  let tick = first.ts + tickMs;
  for (const r of results) {
    for (; tick < r.ts && tick <= until; tick += tickMs) step(tick, 'timer');
    if (r.ts > until) break;
    host.last_seen = Math.max(host.last_seen, r.ts);
    const key = `${r.check}\u0000${r.target}`;
    const known = r.status !== 'UNKNOWN' ? { ts: r.ts, values: r.values } : (latest.get(key)?.known ?? null);
    latest.set(key, { ...r, message: r.message ?? '', known });
    const free = r.values.free_bytes?.value;
    if (r.kind === 'disk' && typeof free === 'number') series.add(host.agent_id, r.target, r.ts, free);
    step(r.ts, 'sample', r);
  }
  for (; tick <= until; tick += tickMs) step(tick, 'timer');
  return events;
}
