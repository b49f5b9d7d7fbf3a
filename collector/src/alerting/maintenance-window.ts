// Recurring maintenance windows ("sun 02:00 for 3h") in a site's time zone: whether one is open
// now and when that next changes. Durations are real elapsed time, so DST never stretches a window.
import { DateTime, IANAZone } from 'luxon';
import type { AlertKey, RuleName } from './types.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A window as configured, parsed (the config module builds these). */
export interface MaintenanceWindow {
  name: string;
  client: string;
  /** null: every site of the client. */
  site: string | null;
  /** null: every host (and the site-level alerts) of the matched sites. */
  host: string | null;
  /** null: every rule. */
  rules: readonly RuleName[] | null;
  /** Days on which the window starts; a window past midnight belongs to the day it started. */
  days: readonly Weekday[];
  /** Local start time as minutes after midnight. */
  startMinute: number;
  durationMs: number;
  /** Overrides the site's time zone. */
  timeZone: string | null;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export type WindowLabels = Pick<AlertKey, 'client' | 'site' | 'host' | 'rule'>;

export function windowApplies(window: MaintenanceWindow, labels: WindowLabels): boolean {
  if (window.client !== labels.client) return false;
  if (window.site !== null && window.site !== labels.site) return false;
  if (window.host !== null && window.host !== labels.host) return false;
  return window.rules === null || window.rules.includes(labels.rule);
}

/**
 * The instant a local wall time means in a zone. A time skipped by a spring-forward starts at the
 * first instant that exists after it (02:30 on the skip day → 03:00); a time that happens twice
 * in the autumn is its first occurrence (the wall clock first shows it then).
 */
export function localInstant(zone: string, year: number, month: number, day: number, minuteOfDay: number): number {
  const tz = IANAZone.create(zone);
  const wall = Date.UTC(year, month - 1, day) + minuteOfDay * MINUTE;
  const offsetAt = (t: number) => tz.offset(t) * MINUTE;
  // Any transition near `wall` is within a day of it; the offsets on either side are the candidates.
  const candidates = [...new Set([offsetAt(wall - DAY), offsetAt(wall), offsetAt(wall + DAY)])]
    .map((offset) => wall - offset)
    .filter((t) => t + offsetAt(t) === wall)
    .sort((a, b) => a - b);
  if (candidates[0] !== undefined) return candidates[0];
  // In a gap: local time (t + offset) rises with t here, so search the first t whose local time
  // reaches `wall`. The offsets bound it: before the gap t + before < wall, after it ≥ wall.
  const offsets = [offsetAt(wall - DAY), offsetAt(wall + DAY)];
  let lo = wall - Math.max(...offsets);
  let hi = wall - Math.min(...offsets);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + offsetAt(mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Occurrences [start, end) that start on the local days from `fromDay` back `back` days. */
function occurrencesAround(window: MaintenanceWindow, zone: string, now: number, back: number, ahead: number) {
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  const out: { start: number; end: number }[] = [];
  for (let k = -back; k <= ahead; k++) {
    const day = today.plus({ days: k });
    if (!window.days.includes(WEEKDAYS[day.weekday - 1] as Weekday)) continue;
    const start = localInstant(zone, day.year, day.month, day.day, window.startMinute);
    out.push({ start, end: start + window.durationMs });
  }
  return out;
}

/** How many days back an occurrence can start and still cover now (DST adds at most a day). */
function lookBack(window: MaintenanceWindow): number {
  return Math.ceil(window.durationMs / DAY) + 1;
}

export function windowActive(window: MaintenanceWindow, zone: string, now: number): boolean {
  return occurrencesAround(window, zone, now, lookBack(window), 0).some((o) => o.start <= now && now < o.end);
}

/** The next instant after `now` at which the window opens (when closed) or closes (when open). */
export function nextWindowChange(window: MaintenanceWindow, zone: string, now: number): number {
  const span = Math.ceil(window.durationMs / DAY);
  const occurrences = occurrencesAround(window, zone, now, lookBack(window), 8 + span);
  if (!occurrences.some((o) => o.start <= now && now < o.end)) {
    const next = occurrences.find((o) => o.start > now);
    if (next === undefined) throw new Error(`maintenance window "${window.name}" has no start day`);
    return next.start;
  }
  // Open: it closes when no occurrence covers the moment (long windows on consecutive days overlap).
  let end = now;
  for (;;) {
    const covering = occurrences.filter((o) => o.start <= end && end < o.end);
    if (covering.length === 0) return end;
    end = Math.max(...covering.map((o) => o.end));
  }
}

/** Maintenance as the router asks about it: by an alert's labels, in the alert's site zone. */
export interface MaintenanceLookup {
  active(labels: WindowLabels, now: number): boolean;
  /** When the window state of this alert can next change (null: no window applies). */
  nextChange(labels: WindowLabels, now: number): number | null;
}

export function maintenanceLookup(
  windows: readonly MaintenanceWindow[],
  zoneOf: (client: string, site: string) => string,
): MaintenanceLookup {
  const applying = (labels: WindowLabels) =>
    windows
      .filter((w) => windowApplies(w, labels))
      .map((w) => ({ window: w, zone: w.timeZone ?? zoneOf(labels.client, labels.site) }));
  return {
    active: (labels, now) => applying(labels).some(({ window, zone }) => windowActive(window, zone, now)),
    nextChange(labels, now) {
      const changes = applying(labels).map(({ window, zone }) => nextWindowChange(window, zone, now));
      return changes.length === 0 ? null : Math.min(...changes);
    },
  };
}
