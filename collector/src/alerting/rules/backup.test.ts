import { describe, expect, it } from 'vitest';
import { HOUR, latestResult, MINUTE, ruleContext, ruleOptions, T0 } from '../../fixtures/rule-context.js';
import { notable, stepHostRule } from '../../fixtures/rule-steps.js';
import { type ReplayResult, replay } from '../replay.js';
import { resolveRules } from '../rule-config.js';
import type { LatestResult, Severity } from '../types.js';
import { backupRule } from './backup.js';

const defaults = ruleOptions(backupRule);
const judge = (r: LatestResult, now: number, firing?: Severity, enrolledAt = T0 - 30 * 24 * HOUR) =>
  backupRule.evaluate(
    defaults,
    ruleContext({ latest: [r], now, host: { enrolled_at: enrolledAt }, firing: firing ? { [r.target]: firing } : {} }),
  )[0];

/** A file-provider result at T0 whose newest backup was written `hoursAgo` before T0. */
const nightly = (hoursAgo: number) =>
  latestResult({
    kind: 'backup',
    check: 'backup-nightly',
    target: '/mnt/backup/emr',
    values: { age_hours: hoursAgo, last_success: T0 - hoursAgo * HOUR },
    message: `the newest backup is ${hoursAgo} h old`,
  });

describe('backup rule', () => {
  it('defaults: 26 h warning, 30 h critical, failed run warning, 48 h without status critical; time-driven', () => {
    expect(defaults).toEqual({
      enabled: true,
      warningAgeMs: 26 * HOUR,
      criticalAgeMs: 30 * HOUR,
      failedRunSeverity: 'warning',
      missingAfterMs: 48 * HOUR,
    });
    expect(backupRule.kinds).toEqual(['backup']);
    expect(backupRule.timeDriven).toBe(true);
  });

  it('the age grows at `now` between reports: ok at 25.9 h, warning past 26 h, critical past 30 h', () => {
    const r = nightly(20);
    const ok = judge(r, T0 + 5.9 * HOUR);
    expect(ok).toMatchObject({ level: 'ok', at: T0 + 5.9 * HOUR, value: 25.9, threshold: 26 });
    expect(ok?.summary).toBe(
      'Backup /mnt/backup/emr on EMR-SRV01: the last successful backup is 25.9 h old ' +
        '(2025-01-05 13:00 UTC); a warning comes after 26 h',
    );
    const warning = judge(r, T0 + 6 * HOUR + MINUTE);
    expect(warning).toMatchObject({ level: 'warning', value: 26, threshold: 26, unit: 'hours' });
    expect(warning?.summary).toBe(
      'Backup /mnt/backup/emr on EMR-SRV01: the last successful backup is 26 h old (2025-01-05 13:00 UTC), ' +
        'older than the warning limit of 26 h',
    );
    const critical = judge(r, T0 + 10 * HOUR + MINUTE);
    expect(critical).toMatchObject({ level: 'critical', value: 30, threshold: 30 });
    expect(critical?.summary).toMatch(/older than the critical limit of 30 h$/);
    expect(critical?.timing).toEqual({
      warning: { forMs: 0, consecutive: 1 },
      critical: { forMs: 0, consecutive: 1 },
      recoverConsecutive: 1,
    });
  });

  it('without last_success, counts age_hours from the report time', () => {
    const r = latestResult({ kind: 'backup', target: 'nas', values: { age_hours: 20 }, ts: T0 });
    expect(judge(r, T0 + 7 * HOUR)?.level).toBe('warning');
    expect(judge(r, T0 + 5 * HOUR)?.level).toBe('ok');
  });

  it('a failed run is a warning at once, naming what the agent said', () => {
    const r = latestResult({
      kind: 'backup',
      target: '/usr/local/bin/backup-status',
      status: 'WARNING',
      values: { last_result: 'failure', exit_code: 1 },
      message: 'the backup command reports a failure (exit code 1): share not mounted',
    });
    const obs = judge(r, T0);
    expect(obs).toMatchObject({ level: 'warning', value: 'failure', threshold: null, at: T0 });
    expect(obs?.summary).toBe(
      'Backup /usr/local/bin/backup-status on EMR-SRV01: the latest run failed ' +
        '(the backup command reports a failure (exit code 1): share not mounted)',
    );
    const strict = ruleOptions(backupRule, { failed_run_severity: 'critical' });
    expect(backupRule.evaluate(strict, ruleContext({ latest: [r] }))[0]?.level).toBe('critical');
  });

  it('a failed run after an old success names both, the worse first', () => {
    const r = latestResult({
      kind: 'backup',
      target: 'Veeam Agent',
      status: 'CRITICAL',
      values: { last_result: 'failure', last_success: T0 - 31 * HOUR, age_hours: 31 },
      message: 'the last backup run failed at 2025-01-06 02:00 UTC (event 190)',
    });
    const obs = judge(r, T0);
    expect(obs?.level).toBe('critical');
    expect(obs?.summary).toBe(
      'Backup Veeam Agent on EMR-SRV01: the last successful backup is 31 h old (2025-01-05 02:00 UTC), ' +
        'older than the critical limit of 30 h; the latest run failed ' +
        '(the last backup run failed at 2025-01-06 02:00 UTC (event 190))',
    );
  });

  it('no backup status for 48 h is critical: only UNKNOWN since the last known result', () => {
    // (With a known success time the age rule fires first: 30 h < 48 h.)
    const r = latestResult({
      kind: 'backup',
      target: 'nas',
      status: 'UNKNOWN',
      message: 'the backup folder is not reachable',
      ts: T0 + 49 * HOUR,
      known: { ts: T0, values: { last_result: 'failure' } },
    });
    expect(judge(r, T0 + 47 * HOUR)?.level).toBe('warning');
    const obs = judge(r, T0 + 49 * HOUR);
    expect(obs).toMatchObject({ level: 'critical', value: 49, threshold: 48 });
    expect(obs?.summary).toBe(
      'Backup nas on EMR-SRV01: no backup status for 49 h (last one 2025-01-06 09:00 UTC), longer than the allowed 48 h; ' +
        'the latest run failed',
    );
  });

  it('no backup status ever: counted from enrollment', () => {
    const r = latestResult({ kind: 'backup', target: 'nas', status: 'UNKNOWN', ts: T0, message: 'access denied' });
    const early = judge(r, T0, undefined, T0 - 47 * HOUR);
    expect(early?.level).toBe('ok');
    expect(early?.summary).toBe(
      'Backup nas on EMR-SRV01: no backup status yet (the agent enrolled 47 h ago; critical after 48 h)',
    );
    const obs = judge(r, T0, undefined, T0 - 49 * HOUR);
    expect(obs?.level).toBe('critical');
    expect(obs?.summary).toBe(
      'Backup nas on EMR-SRV01: no backup status since the agent enrolled 49 h ago, longer than the allowed 48 h',
    );
  });

  it('the agent finding no usable backup (no success in its window, an empty file) is critical at once', () => {
    const r = latestResult({
      kind: 'backup',
      target: '/mnt/backup/emr',
      status: 'CRITICAL',
      values: { age_hours: 2, size_bytes: 0, files: 3 },
      message: 'the newest backup file is empty (emr-0106.bak, written 2 h ago)',
    });
    const obs = judge(r, T0);
    expect(obs?.level).toBe('critical');
    expect(obs?.summary).toBe(
      'Backup /mnt/backup/emr on EMR-SRV01: no usable backup: the newest backup file is empty (emr-0106.bak, written 2 h ago)',
    );
  });

  it('while the check is UNKNOWN, a known success time keeps ageing', () => {
    const r = latestResult({
      kind: 'backup',
      target: 'nas',
      status: 'UNKNOWN',
      ts: T0 + 7 * HOUR,
      known: { ts: T0, values: { last_success: T0 - 20 * HOUR } },
    });
    expect(judge(r, T0 + 7 * HOUR)?.level).toBe('warning');
  });

  it('while the check is UNKNOWN and no success time is known, a critical alert holds instead of dropping', () => {
    const r = latestResult({
      kind: 'backup',
      target: 'Veeam Agent',
      status: 'UNKNOWN',
      ts: T0 + HOUR,
      known: { ts: T0, values: { last_result: 'failure' } },
    });
    expect(judge(r, T0 + HOUR, 'critical')?.level).toBe('hold');
    expect(judge(r, T0 + HOUR)?.level).toBe('warning');
  });

  it('refuses a warning age that is not shorter than the critical age', () => {
    expect(() => ruleOptions(backupRule, { warning_age: '30h', critical_age: '30h' })).toThrow(
      'warning_age: must be shorter than critical_age (30h)',
    );
  });
});

describe('backup rule through the alert transition (timer ticks, no new reports)', () => {
  const hourly = (r: LatestResult, hours: number, enrolledAt = T0 - 30 * 24 * HOUR) =>
    Array.from({ length: hours + 1 }, (_, i) => ({
      now: T0 + i * HOUR,
      latest: [r],
      host: { enrolled_at: enrolledAt },
    }));

  it('crossing 26 h fires a warning, crossing 30 h raises it to critical, a fresh success resolves it', () => {
    const frames = hourly(nightly(20), 12);
    frames.push({ now: T0 + 13 * HOUR, latest: [nightly(-12.5)], host: { enrolled_at: T0 - 30 * 24 * HOUR } });
    const steps = stepHostRule(backupRule, defaults, frames);
    const at = (event: string) => steps.find((s) => s.event === event)?.now;
    expect(notable(steps)).toEqual(['fired warning', 'severity_changed critical', 'resolved critical']);
    expect(at('fired')).toBe(T0 + 7 * HOUR); // 27 h: at T0 + 6 h it is exactly 26 h, not older
    expect(at('severity_changed')).toBe(T0 + 11 * HOUR);
    expect(at('resolved')).toBe(T0 + 13 * HOUR);
  });

  it('a failed run fires a warning on the first evaluation', () => {
    const r = latestResult({ kind: 'backup', target: 'job', status: 'WARNING', values: { last_result: 'failure' } });
    const steps = stepHostRule(backupRule, defaults, hourly(r, 0));
    expect(notable(steps)).toEqual(['fired warning']);
  });

  it('no status for 48 h fires critical once, on the tick that crosses it', () => {
    const r = latestResult({ kind: 'backup', target: 'nas', status: 'UNKNOWN', message: 'access denied' });
    const steps = stepHostRule(backupRule, defaults, hourly(r, 4, T0 - 46 * HOUR));
    expect(notable(steps)).toEqual(['fired critical']);
    expect(steps.find((s) => s.event === 'fired')?.now).toBe(T0 + 3 * HOUR);
  });
});

describe('backup rule replayed with timer ticks (as the engine runs it)', () => {
  const WHO = { client: 'Smith Dental', site: 'Main Street', host: 'EMR-SRV01' };
  it('one report, then only the clock: warning past 26 h, critical past 30 h', () => {
    const report: ReplayResult = {
      ts: T0,
      check: 'backup',
      kind: 'backup',
      target: '/mnt/backup/emr',
      status: 'OK',
      values: { age_hours: { value: 20, unit: 'hours' }, last_success: { value: T0 - 20 * HOUR, unit: 'epoch_ms' } },
    };
    const events = replay({
      host: WHO,
      rules: resolveRules({ overrides: [{ host: 'EMR-SRV01', exclude: ['heartbeat'] }] }, WHO),
      results: [report],
      tickMs: 15 * MINUTE,
      until: T0 + 12 * HOUR,
    });
    expect(events.map((e) => `${(e.at - T0) / HOUR} ${e.rule} ${e.event} ${e.severity}`)).toEqual([
      '6.25 backup fired warning',
      '10.25 backup severity_changed critical',
    ]);
    expect(events[1]?.summary).toBe(
      'Backup /mnt/backup/emr on EMR-SRV01: the last successful backup is 30.2 h old (2025-01-05 13:00 UTC), ' +
        'older than the critical limit of 30 h',
    );
  });
});
