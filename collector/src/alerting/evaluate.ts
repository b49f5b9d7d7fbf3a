// The evaluate stage, shared by the engine and replay: which host rules run on a sample or a
// timer tick, what they observe, and how the observations move the host's open alerts.

import type { ResolvedRules } from './rule-config.js';
import { RULES } from './rules/registry.js';
import type { RuleContext } from './rules/rule.js';
import { transition } from './transition.js';
import type {
  AlertKey,
  AlertRecord,
  HostView,
  LatestResult,
  Observation,
  SeriesPoint,
  SiteView,
  TransitionEvent,
} from './types.js';

/**
 * One alert per (client, site, agent, rule, target). The hostname is left out on purpose: a
 * renamed host keeps its open alerts.
 */
/** The key of a site-level alert (site_offline): no agent, no host. */
export function siteAlertKey(client: string, site: string, rule: AlertKey['rule'], target = ''): AlertKey {
  return { client, site, agent_id: '', host: '', rule, target };
}

export function alertKeyString(k: AlertKey): string {
  return [k.client, k.site, k.agent_id, k.rule, k.target].join('\u0000');
}

export interface EvaluateInput {
  host: HostView;
  latest: LatestResult[];
  diskSeries(target: string): SeriesPoint[];
  history?: RuleContext['history'];
  /** The host's site, for rules that judge a host against it (heartbeat). */
  site?: SiteView;
  rules: ResolvedRules;
  /** The host's open alerts by alertKeyString. */
  alerts: ReadonlyMap<string, AlertRecord>;
  now: number;
  /** 'sample': rules fed by `kinds`; 'timer': time-driven rules. */
  trigger: 'sample' | 'timer';
  /** With 'sample': the kinds of the results that arrived (all sample-fed rules when absent). */
  kinds?: ReadonlySet<string>;
  /**
   * Whether a latest result is still current for a rule (stale.ts); a stale one is hidden from
   * the rule, so a removed backup check does not go on aging into a new alert. All when absent.
   */
  current?: (rule: AlertKey['rule'], row: LatestResult) => boolean;
}

export interface EvaluatedObservation {
  key: AlertKey;
  observation: Observation;
}

export function evaluateHost(input: EvaluateInput): EvaluatedObservation[] {
  const { host, rules, alerts } = input;
  const out: EvaluatedObservation[] = [];
  for (const rule of RULES) {
    if (rule.scope !== 'host') continue;
    const runs =
      input.trigger === 'timer'
        ? rule.timeDriven
        : rule.kinds.some((k) => input.kinds === undefined || input.kinds.has(k));
    if (!runs || rules.excluded(rule.name)) continue;
    const options = rules.options(rule.name);
    if (!options.enabled) continue;
    const keyOf = (target: string): AlertKey => ({
      client: host.client,
      site: host.site,
      agent_id: host.agent_id,
      host: host.host,
      rule: rule.name,
      target,
    });
    const current = input.current;
    const ctx: RuleContext = {
      host,
      latest: current ? input.latest.filter((row) => current(rule.name, row)) : input.latest,
      diskSeries: input.diskSeries,
      firing(target) {
        const alert = alerts.get(alertKeyString(keyOf(target)));
        return alert?.state === 'firing' ? alert.severity : undefined;
      },
      now: input.now,
      ...(input.history ? { history: input.history } : {}),
      ...(input.site ? { site: input.site } : {}),
    };
    for (const observation of rule.evaluate(options, ctx)) {
      if (rules.excluded(rule.name, observation.target)) continue;
      out.push({ key: keyOf(observation.target), observation });
    }
  }
  return out;
}

export interface AlertChange {
  /** The observation that caused the change (its summary explains a cancel, too). */
  observation: Observation;
  prev?: AlertRecord;
  next?: AlertRecord;
  /**
   * What happened. Absent when only the row's bookkeeping moved (counts toward a duration, the
   * latest value): the row must still be saved, or a pending alert would never get further.
   */
  event?: TransitionEvent;
}

/** Flat objects (since, counts, forecast, ack) with the same keys and values. */
function sameFlat(a: object | null, b: object | null): boolean {
  if (a === null || b === null) return a === b;
  const ka = Object.keys(a) as (keyof typeof a)[];
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** The same row but for `updated_at`. */
function sameRow(a: AlertRecord, b: AlertRecord): boolean {
  for (const k of Object.keys(a) as (keyof AlertRecord)[]) {
    if (k === 'updated_at' || a[k] === b[k]) continue;
    const x = a[k];
    const y = b[k];
    if (typeof x !== 'object' || typeof y !== 'object' || !sameFlat(x, y)) return false;
  }
  return true;
}

/**
 * Runs each observation through the transition, keeps `alerts` holding the open ones (pending
 * and firing), and returns the rows that changed. A target a rule said nothing about is not
 * touched here: a target no longer reported is closed by the stale step (stale.ts) on the timer.
 */
export function applyObservations(
  alerts: Map<string, AlertRecord>,
  items: readonly EvaluatedObservation[],
  now: number,
  newId: () => string,
): AlertChange[] {
  const changes: AlertChange[] = [];
  for (const { key, observation } of items) {
    const k = alertKeyString(key);
    const prev = alerts.get(k);
    const { next, event } = transition(prev, key, observation, now, newId);
    if (next && next.state !== 'resolved') alerts.set(k, next);
    else alerts.delete(k);
    const rows = { observation, ...(prev ? { prev } : {}), ...(next ? { next } : {}) };
    if (event) changes.push({ ...rows, event });
    else if (next && (!prev || !sameRow(prev, next))) changes.push(rows);
  }
  return changes;
}
