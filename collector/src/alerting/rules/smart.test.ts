import { describe, expect, it } from 'vitest';
import { HOUR, latestResult, MINUTE, ruleContext, ruleOptions, T0 } from '../../fixtures/rule-context.js';
import { notable, stepHostRule } from '../../fixtures/rule-steps.js';
import type { SeriesPoint, Severity } from '../types.js';
import type { RuleContext } from './rule.js';
import { smartRule } from './smart.js';

const defaults = ruleOptions(smartRule);
const disk = (values: Record<string, number | string>, status: 'OK' | 'WARNING' | 'CRITICAL' = 'OK', message = '') =>
  latestResult({ kind: 'smart', check: 'smart', target: '/dev/sda', status, values, message, ts: T0 });
const judge = (
  values: Record<string, number | string>,
  opts: {
    firing?: Severity;
    history?: RuleContext['history'];
    status?: 'OK' | 'WARNING' | 'CRITICAL';
    message?: string;
  } = {},
) =>
  smartRule.evaluate(
    defaults,
    ruleContext({
      latest: [disk(values, opts.status, opts.message)],
      firing: opts.firing ? { '/dev/sda': opts.firing } : {},
      ...(opts.history ? { history: opts.history } : {}),
    }),
  )[0];
const healthy = { health: 'PASSED', temperature_c: 38, wear_percent: 12, reallocated: 0, pending: 0, uncorrectable: 0 };

describe('smart rule (evaluate)', () => {
  it('defaults: 24 h growth window, wear 90 %, 60 °C for 15 min, 5 points of hysteresis', () => {
    expect(defaults).toEqual({
      enabled: true,
      growthWindowMs: 24 * HOUR,
      wearPercent: 90,
      temperatureC: 60,
      temperatureForMs: 15 * MINUTE,
      recoverMargin: 5,
    });
    expect(smartRule.timeDriven).toBe(false);
  });

  it('a healthy disk is ok and the summary says what was read', () => {
    const obs = judge(healthy);
    expect(obs?.level).toBe('ok');
    expect(obs?.summary).toBe(
      'Disk /dev/sda on EMR-SRV01: SMART health PASSED; 12 % of its rated life is used; it runs at 38 °C',
    );
  });

  it('SMART FAILED is critical at once', () => {
    const message =
      'Samsung SSD 860: the disk reports SMART overall health FAILED — replace it and check the backups now';
    const obs = judge({ ...healthy, health: 'FAILED' }, { status: 'CRITICAL', message });
    expect(obs).toMatchObject({
      level: 'critical',
      value: 'FAILED',
      timing: { critical: { forMs: 0, consecutive: 1 } },
    });
    expect(obs?.summary).toBe(`Disk /dev/sda on EMR-SRV01: the disk is failing: ${message}`);
  });

  it('an NVMe critical warning (the agent says CRITICAL while health passes) is critical at once', () => {
    const obs = judge(healthy, { status: 'CRITICAL', message: 'NVMe critical warning 0x04 is set' });
    expect(obs?.level).toBe('critical');
    expect(obs?.summary).toBe('Disk /dev/sda on EMR-SRV01: the disk is failing: NVMe critical warning 0x04 is set');
  });

  it('a reallocated count higher than earlier within 24 h is a warning at once', () => {
    const asked: unknown[] = [];
    const history = (check: string, target: string, metric: string, since: number): SeriesPoint[] => {
      asked.push([check, target, metric, since]);
      return metric === 'reallocated'
        ? [
            { ts: T0 - 20 * HOUR, value: 0 },
            { ts: T0 - 6 * HOUR, value: 8 },
          ]
        : [{ ts: T0 - 6 * HOUR, value: 0 }];
    };
    const obs = judge({ ...healthy, reallocated: 8 }, { history });
    expect(asked).toContainEqual(['smart', '/dev/sda', 'reallocated', T0 - 24 * HOUR]);
    expect(obs).toMatchObject({ level: 'warning', value: 8, threshold: 0, timing: { warning: { forMs: 0 } } });
    expect(obs?.summary).toBe('Disk /dev/sda on EMR-SRV01: reallocated sectors rose from 0 to 8 within 24 h');
  });

  it('an unchanged count is fine, and without history no growth is known', () => {
    const flat = () => [{ ts: T0 - 6 * HOUR, value: 8 }];
    expect(judge({ ...healthy, reallocated: 8 }, { history: flat })?.level).toBe('ok');
    expect(judge({ ...healthy, reallocated: 8 })?.level).toBe('ok');
  });

  it('wear above 90 % is a warning at once; a firing one holds down to 85 %', () => {
    const obs = judge({ ...healthy, wear_percent: 93 });
    expect(obs).toMatchObject({ level: 'warning', value: 93, threshold: 90, unit: 'percent' });
    expect(obs?.timing.warning).toEqual({ forMs: 0, consecutive: 1 });
    expect(judge({ ...healthy, wear_percent: 88 }, { firing: 'warning' })?.level).toBe('hold');
    expect(judge({ ...healthy, wear_percent: 88 })?.level).toBe('ok');
  });

  it('above 60 °C is a warning that must last 15 min; a firing one resolves only below 55 °C', () => {
    const hot = judge({ ...healthy, temperature_c: 63 });
    expect(hot).toMatchObject({ level: 'warning', value: 63, threshold: 60, unit: 'celsius' });
    expect(hot?.timing.warning).toEqual({ forMs: 15 * MINUTE, consecutive: 1 });
    expect(hot?.summary).toBe(
      'Disk /dev/sda on EMR-SRV01: it runs at 63 °C, above the 60 °C limit (alert when it lasts 15 min)',
    );
    const cooling = judge({ ...healthy, temperature_c: 57 }, { firing: 'warning' });
    expect(cooling?.level).toBe('hold');
    expect(cooling?.summary).toContain('it runs at 57 °C; the alert resolves below 55 °C');
    expect(judge({ ...healthy, temperature_c: 54 }, { firing: 'warning' })?.level).toBe('ok');
  });

  it('UNKNOWN holds', () => {
    const r = latestResult({ kind: 'smart', target: '/dev/sda', status: 'UNKNOWN', message: 'smartctl not installed' });
    const obs = smartRule.evaluate(defaults, ruleContext({ latest: [r] }))[0];
    expect(obs?.level).toBe('hold');
    expect(obs?.summary).toBe('Disk /dev/sda on EMR-SRV01: no SMART reading this time (smartctl not installed)');
  });
});

describe('smart rule through the alert transition', () => {
  it('a hot disk fires after 15 min, holds while cooling to 55 °C and resolves below it', () => {
    const temps: [number, number][] = [
      [0, 63],
      [10, 64],
      [15, 63],
      [30, 57],
      [45, 56],
      [60, 54],
    ];
    const frames = temps.map(([m, t]) => ({
      now: T0 + m * MINUTE,
      latest: [
        latestResult({
          kind: 'smart',
          target: '/dev/sda',
          values: { ...healthy, temperature_c: t },
          ts: T0 + m * MINUTE,
        }),
      ],
    }));
    const steps = stepHostRule(smartRule, defaults, frames);
    expect(notable(steps)).toEqual(['fired warning', 'resolved warning']);
    expect(steps.find((s) => s.event === 'fired')?.now).toBe(T0 + 15 * MINUTE);
    expect(steps.find((s) => s.event === 'resolved')?.now).toBe(T0 + 60 * MINUTE);
  });
});
