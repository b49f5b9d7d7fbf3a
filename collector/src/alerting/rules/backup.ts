// backup: the last successful backup too old (26 h warning, 30 h critical), the latest run
// failed (warning at once), or no backup status at all for 48 h (critical). Time-driven: ages are
// computed at `now` from the last success time, so they keep growing when reports stop.
import Type from 'typebox';
import type { HostView, LatestResult, Observation, RuleTiming, Severity } from '../types.js';
import { combineLevels, type Level } from './levels.js';
import {
  durationOption,
  enabledOption,
  RuleOptionError,
  readDuration,
  readEnabled,
  readSeverity,
  severityOption,
} from './options.js';
import { numberValue, stringValue } from './readings.js';
import type { HostRule } from './rule.js';
import { sayClock, sayDuration } from './wording.js';

export interface BackupOptions {
  warningAgeMs: number;
  criticalAgeMs: number;
  failedRunSeverity: Severity;
  missingAfterMs: number;
}

const HOUR = 3_600_000;
const AT_ONCE = { forMs: 0, consecutive: 1 };
const TIMING: RuleTiming = { warning: AT_ONCE, critical: AT_ONCE, recoverConsecutive: 1 };

/** One thing the rule found about a backup; the worst becomes the alert's headline. */
interface Finding {
  level: Level;
  text: string;
  value: Observation['value'];
  threshold: Observation['threshold'];
  unit?: string;
}

const hours = (ms: number) => Math.floor((ms / HOUR) * 10) / 10;

export const backupRule: HostRule<BackupOptions> = {
  name: 'backup',
  scope: 'host',
  summary:
    'last success older than 26h → warning, 30h → critical; a failed run → warning; no status for 48h → critical',
  options: Type.Object(
    {
      enabled: enabledOption(),
      warning_age: durationOption('26h', 'last successful backup older than this → warning'),
      critical_age: durationOption('30h', 'last successful backup older than this → critical'),
      failed_run_severity: severityOption('warning', 'the latest run failed → this severity at once'),
      missing_after: durationOption(
        '48h',
        'no backup status at all (only UNKNOWN or nothing) for this long → critical',
      ),
    },
    { additionalProperties: false },
  ),
  kinds: ['backup'],
  timeDriven: true,
  parse(raw) {
    const o = {
      enabled: readEnabled(raw),
      warningAgeMs: readDuration(raw, 'warning_age', true),
      criticalAgeMs: readDuration(raw, 'critical_age', true),
      failedRunSeverity: readSeverity(raw, 'failed_run_severity'),
      missingAfterMs: readDuration(raw, 'missing_after', true),
    };
    if (o.warningAgeMs >= o.criticalAgeMs)
      throw new RuleOptionError('warning_age', `must be shorter than critical_age (${raw.critical_age})`);
    return o;
  },
  evaluate(o, ctx) {
    return ctx.latest
      .filter((r) => r.kind === 'backup')
      .map((r) => judge(o, r, ctx.host, ctx.now, ctx.firing(r.target)));
  },
};

function judge(o: BackupOptions, r: LatestResult, host: HostView, now: number, firing: Severity | undefined) {
  const findings = [missing(o, r, host, now), ...(r.known ? known(o, r, r.known, now) : [])];
  const level = combineLevels(
    findings.map((f) => f.level),
    firing,
  );
  const bad = findings.filter((f) => f.level === 'critical').concat(findings.filter((f) => f.level === 'warning'));
  // Nothing wrong: the last finding says the most (the age, or why it cannot be judged now).
  const shown = bad.length > 0 ? bad : [findings[findings.length - 1] as Finding];
  const head = shown[0] as Finding;
  const obs: Observation = {
    rule: 'backup',
    target: r.target,
    at: now,
    level,
    value: head.value,
    threshold: head.threshold,
    summary: `Backup ${r.target || r.check} on ${host.host}: ${shown.map((f) => f.text).join('; ')}`,
    timing: TIMING,
  };
  if (head.unit) obs.unit = head.unit;
  return obs;
}

/** No status that says anything (only UNKNOWN, or nothing since enrollment) for missing_after. */
function missing(o: BackupOptions, r: LatestResult, host: HostView, now: number): Finding {
  const since = r.known?.ts ?? host.enrolled_at;
  const silentMs = Math.max(0, now - since);
  const base = { value: hours(silentMs), threshold: hours(o.missingAfterMs), unit: 'hours' };
  if (silentMs <= o.missingAfterMs) {
    const text = r.known
      ? `last status ${sayClock(since, now)}`
      : `no backup status yet (the agent enrolled ${sayDuration(silentMs)} ago; critical after ${sayDuration(o.missingAfterMs)})`;
    return { ...base, level: 'ok', text };
  }
  const last = r.known
    ? `no backup status for ${sayDuration(silentMs)} (last one ${sayClock(since, now)})`
    : `no backup status since the agent enrolled ${sayDuration(silentMs)} ago`;
  return { ...base, level: 'critical', text: `${last}, longer than the allowed ${sayDuration(o.missingAfterMs)}` };
}

function known(o: BackupOptions, r: LatestResult, k: NonNullable<LatestResult['known']>, now: number): Finding[] {
  const findings: Finding[] = [];
  const latestIsKnown = r.status !== 'UNKNOWN';
  const lastResult = stringValue(k.values, 'last_result');
  if (lastResult === 'failure') {
    const said = latestIsKnown && r.message.trim() !== '' ? ` (${r.message.trim()})` : '';
    findings.push({
      level: o.failedRunSeverity,
      text: `the latest run failed${said}`,
      value: 'failure',
      threshold: null,
    });
  }
  const reportedSuccess = numberValue(k.values, 'last_success');
  if (reportedSuccess === undefined && latestIsKnown && r.status === 'CRITICAL') {
    // The agent looked and found nothing usable (no files, an empty file, no success in the event
    // log window): there is no age to judge, and certainly no backup.
    findings.push({ level: 'critical', text: `no usable backup: ${r.message.trim()}`, value: null, threshold: null });
    return findings;
  }
  const successAt = reportedSuccess ?? successFallback(k, lastResult);
  if (successAt !== undefined) findings.push(age(o, successAt, now));
  else if (!latestIsKnown)
    findings.push({
      level: 'hold',
      text: 'the last success time is not known right now',
      value: null,
      threshold: null,
    });
  return findings;
}

/**
 * When the agent gives no last_success: its age_hours counted back from the report; else, for a
 * provider that only says "success" (command), the report itself is the latest word that all is well.
 */
function successFallback(k: NonNullable<LatestResult['known']>, lastResult: string | undefined): number | undefined {
  const ageHours = numberValue(k.values, 'age_hours');
  if (ageHours !== undefined) return k.ts - ageHours * HOUR;
  return lastResult === 'success' ? k.ts : undefined;
}

function age(o: BackupOptions, successAt: number, now: number): Finding {
  const ageMs = Math.max(0, now - successAt);
  const level: Level = ageMs > o.criticalAgeMs ? 'critical' : ageMs > o.warningAgeMs ? 'warning' : 'ok';
  const limit = level === 'critical' ? o.criticalAgeMs : o.warningAgeMs;
  const what = `the last successful backup is ${sayDuration(ageMs)} old (${sayClock(successAt, now)})`;
  const text =
    level === 'ok'
      ? `${what}; a warning comes after ${sayDuration(o.warningAgeMs)}`
      : `${what}, older than the ${level === 'critical' ? 'critical' : 'warning'} limit of ${sayDuration(limit)}`;
  return { level, text, value: hours(ageMs), threshold: hours(limit), unit: 'hours' };
}
