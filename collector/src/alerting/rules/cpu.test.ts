import { describe, expect, it } from 'vitest';
import { latestResult, MINUTE, ruleContext, ruleOptions, T0 } from '../../fixtures/rule-context.js';
import { notable, stepHostRule } from '../../fixtures/rule-steps.js';
import { type ReplayResult, replay } from '../replay.js';
import { resolveRules } from '../rule-config.js';
import type { HostView, Severity } from '../types.js';
import { cpuRule, looksLikeServer } from './cpu.js';

const defaults = ruleOptions(cpuRule);
const cpu = (used: number, ts = T0) => latestResult({ kind: 'cpu', values: { used_percent: used, cores: 4 }, ts });
const judge = (used: number, firing?: Severity, host: Partial<HostView> = {}) =>
  cpuRule.evaluate(defaults, ruleContext({ latest: [cpu(used)], host, firing: firing ? { '': firing } : {} }))[0];

describe('cpu rule (evaluate)', () => {
  it('defaults: above 90 % for 15 min → warning, resolves below 80 %, servers only', () => {
    expect(defaults).toEqual({
      enabled: true,
      warningPercent: 90,
      recoverPercent: 80,
      forMs: 15 * MINUTE,
      onlyServers: true,
    });
  });

  it('above 90 % is a warning observation at the sample time, to be held 15 minutes', () => {
    const obs = cpuRule.evaluate(defaults, ruleContext({ latest: [cpu(96.4, T0 + MINUTE)] }))[0];
    expect(obs).toMatchObject({
      rule: 'cpu',
      target: '',
      at: T0 + MINUTE,
      level: 'warning',
      value: 96.4,
      threshold: 90,
      unit: 'percent',
      timing: { warning: { forMs: 15 * MINUTE, consecutive: 1 }, recoverConsecutive: 1 },
    });
    expect(obs?.summary).toBe('CPU on EMR-SRV01 is 96.4 % busy, over the 90 % limit (alert when it lasts 15 min)');
  });

  it('hysteresis: 85 % is fine before the alert fires, holds a firing alert, and below 80 % resolves it', () => {
    expect(judge(85)?.level).toBe('ok');
    const held = judge(85, 'warning');
    expect(held?.level).toBe('hold');
    expect(held?.summary).toBe('CPU on EMR-SRV01 is 85 % busy; the alert resolves below 80 %');
    expect(judge(80, 'warning')?.level).toBe('hold');
    expect(judge(79, 'warning')?.level).toBe('ok');
  });

  it('UNKNOWN holds', () => {
    const r = latestResult({ kind: 'cpu', status: 'UNKNOWN', message: 'CPU times did not advance' });
    expect(cpuRule.evaluate(defaults, ruleContext({ latest: [r] }))[0]?.level).toBe('hold');
  });

  it('workstations are not judged unless only_servers is false', () => {
    const desk = { platform: 'win32', os_release: '10.0.19045' };
    const obs = judge(99, undefined, desk);
    expect(obs?.level).toBe('ok');
    expect(obs?.summary).toBe('EMR-SRV01 does not look like a server; its CPU use is not judged');
    const all = ruleOptions(cpuRule, { only_servers: false });
    expect(cpuRule.evaluate(all, ruleContext({ latest: [cpu(99)], host: desk }))[0]?.level).toBe('warning');
  });

  it('a server: Linux, or an OS release naming "Server"', () => {
    expect(looksLikeServer({ platform: 'linux', os_release: '6.1.0' })).toBe(true);
    expect(looksLikeServer({ platform: 'win32', os_release: 'Windows Server 2022 Standard' })).toBe(true);
    expect(looksLikeServer({ platform: 'win32', os_release: '10.0.20348' })).toBe(false);
    expect(looksLikeServer({ platform: 'darwin', os_release: '23.4.0' })).toBe(false);
  });

  it('refuses a recovery value above the warning value', () => {
    expect(() => ruleOptions(cpuRule, { recover_percent: 95 })).toThrow(
      'recover_percent: must not be above warning_percent (90)',
    );
  });
});

describe('cpu rule through the alert transition (a sample every minute)', () => {
  const series = (values: number[]) =>
    values.map((v, i) => ({ now: T0 + i * MINUTE, latest: [cpu(v, T0 + i * MINUTE)] }));

  it('a noisy busy spell fires once and resolves once', () => {
    const calm = Array(10).fill(50);
    const busy = Array(20).fill(95);
    // After firing: hovering between 82 and 96 must neither resolve nor fire again.
    const hovering = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 82 : 96));
    const after = [79, 60, 85, 88, 89, 85, 50];
    const steps = stepHostRule(cpuRule, defaults, series([...calm, ...busy, ...hovering, ...after]));
    expect(notable(steps)).toEqual(['fired warning', 'resolved warning']);
    expect(steps.find((s) => s.event === 'fired')?.now).toBe(T0 + 25 * MINUTE); // 15 min after the first 95
    expect(steps.find((s) => s.event === 'resolved')?.now).toBe(T0 + 50 * MINUTE); // the first sample below 80
  });

  it('spikes shorter than 15 minutes never alert', () => {
    const spiky = Array.from({ length: 60 }, (_, i) => (i % 10 < 8 ? 97 : 70));
    expect(notable(stepHostRule(cpuRule, defaults, series(spiky)))).toEqual([]);
  });
});

describe('cpu rule replayed (as the engine runs it)', () => {
  const WHO = { client: 'Smith Dental', site: 'Main Street', host: 'EMR-SRV01' };
  it('an hour of noisy load around the threshold fires once and resolves once', () => {
    const load = [
      ...Array(20).fill(95),
      ...Array.from({ length: 30 }, (_, i) => 82 + (i % 3) * 6),
      ...Array(10).fill(40),
    ];
    const results: ReplayResult[] = load.map((v, i) => ({
      ts: T0 + i * MINUTE,
      check: 'cpu',
      kind: 'cpu',
      target: '',
      status: 'OK',
      values: { used_percent: { value: v, unit: 'percent' } },
    }));
    const events = replay({ host: WHO, rules: resolveRules({}, WHO), results }).filter((e) => e.event !== 'pending');
    expect(events.map((e) => `${(e.at - T0) / MINUTE} ${e.event}`)).toEqual(['15 fired', '50 resolved']);
  });
});
