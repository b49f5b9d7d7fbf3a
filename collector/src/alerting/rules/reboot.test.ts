import { describe, expect, it } from 'vitest';
import { HOUR, latestResult, ruleContext, ruleOptions, T0 } from '../../fixtures/rule-context.js';
import { notable, stepHostRule } from '../../fixtures/rule-steps.js';
import type { LatestResult } from '../types.js';
import { rebootRule } from './reboot.js';

const DAY = 24 * HOUR;
const defaults = ruleOptions(rebootRule);
const judge = (r: LatestResult, now: number) => rebootRule.evaluate(defaults, ruleContext({ latest: [r], now }))[0];
const pending = (days: number) =>
  latestResult({
    kind: 'uptime',
    values: { uptime_seconds: 40 * 86_400, reboot_pending: true, reboot_pending_seconds: days * 86_400 },
  });

describe('reboot rule (evaluate)', () => {
  it('defaults: pending more than 7 days → warning; time-driven', () => {
    expect(defaults).toEqual({ enabled: true, pendingForMs: 7 * DAY });
    expect(rebootRule.timeDriven).toBe(true);
  });

  it('the wait keeps growing at now between reports and turns into a warning past 7 days', () => {
    const r = pending(6);
    const early = judge(r, T0 + 12 * HOUR);
    expect(early).toMatchObject({ level: 'ok', value: 6.5, threshold: 7 });
    const obs = judge(r, T0 + DAY + HOUR);
    expect(obs).toMatchObject({ level: 'warning', at: T0 + DAY + HOUR, value: 7, threshold: 7, unit: 'days' });
    expect(obs?.summary).toBe(
      'EMR-SRV01 has waited 7 days for a reboot (since 2024-12-31 09:00 UTC), longer than 7 days; ' +
        'restart it at a quiet time so installed updates take effect',
    );
    expect(obs?.timing).toEqual({ warning: { forMs: 0, consecutive: 1 }, recoverConsecutive: 1 });
  });

  it('no reboot pending, or pending since an unknown time, is fine', () => {
    const none = latestResult({ kind: 'uptime', values: { uptime_seconds: 100, reboot_pending: false } });
    expect(judge(none, T0)?.level).toBe('ok');
    const unknownSince = latestResult({ kind: 'uptime', values: { reboot_pending: true } });
    expect(judge(unknownSince, T0 + 30 * DAY)?.level).toBe('ok');
  });

  it('while the check is UNKNOWN the last known pending reboot keeps counting', () => {
    const r = latestResult({
      kind: 'uptime',
      status: 'UNKNOWN',
      ts: T0 + 2 * DAY,
      known: { ts: T0, values: { reboot_pending: true, reboot_pending_seconds: 6 * 86_400 } },
    });
    expect(judge(r, T0 + 2 * DAY)?.level).toBe('warning');
  });
});

describe('reboot rule through the alert transition (hourly timer, one report)', () => {
  it('fires once when the wait passes 7 days, and a report after the restart resolves it', () => {
    const frames = Array.from({ length: 30 }, (_, i) => ({ now: T0 + i * HOUR, latest: [pending(6)] }));
    const rebooted = latestResult({
      kind: 'uptime',
      values: { uptime_seconds: 60, reboot_pending: false },
      ts: T0 + 30 * HOUR,
    });
    frames.push({ now: T0 + 30 * HOUR, latest: [rebooted] });
    const steps = stepHostRule(rebootRule, defaults, frames);
    expect(notable(steps)).toEqual(['fired warning', 'resolved warning']);
    expect(steps.find((s) => s.event === 'fired')?.now).toBe(T0 + 25 * HOUR);
  });
});
