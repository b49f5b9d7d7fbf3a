import { describe, expect, it } from 'vitest';
import { latestResult, MINUTE, ruleContext, ruleOptions, T0 } from '../../fixtures/rule-context.js';
import { notable, stepHostRule } from '../../fixtures/rule-steps.js';
import type { Severity } from '../types.js';
import { memoryRule } from './memory.js';

const defaults = ruleOptions(memoryRule);
const GB = 1e9;
const judge = (percent: number, firing?: Severity) =>
  memoryRule.evaluate(
    defaults,
    ruleContext({
      latest: [
        latestResult({
          kind: 'memory',
          values: { available_percent: percent, available_bytes: (percent / 100) * 16 * GB, total_bytes: 16 * GB },
          ts: T0,
        }),
      ],
      firing: firing ? { '': firing } : {},
    }),
  )[0];

describe('memory rule (evaluate)', () => {
  it('defaults: below 10 % available for 15 min → warning, resolves above 15 %', () => {
    expect(defaults).toEqual({
      enabled: true,
      warningAvailablePercent: 10,
      recoverAvailablePercent: 15,
      forMs: 15 * MINUTE,
    });
  });

  it('below 10 % available is a warning, held for 15 min before it fires', () => {
    const obs = judge(6.25);
    expect(obs).toMatchObject({
      level: 'warning',
      at: T0,
      value: 6.25,
      threshold: 10,
      timing: { warning: { forMs: 15 * MINUTE, consecutive: 1 }, recoverConsecutive: 1 },
    });
    expect(obs?.summary).toBe(
      'EMR-SRV01 has 6.3 % of its memory available (1.0 GB of 16.0 GB), below the 10 % limit (alert when it lasts 15 min)',
    );
  });

  it('hysteresis: 12 % is fine before firing, holds a firing alert; above 15 % resolves', () => {
    expect(judge(12)?.level).toBe('ok');
    expect(judge(12, 'warning')?.level).toBe('hold');
    expect(judge(15, 'warning')?.level).toBe('hold');
    expect(judge(15.5, 'warning')?.level).toBe('ok');
  });

  it('refuses a recovery value below the warning value', () => {
    expect(() => ruleOptions(memoryRule, { recover_available_percent: 5 })).toThrow(
      'recover_available_percent: must not be below warning_available_percent (10)',
    );
  });
});

describe('memory rule through the alert transition (a sample every minute)', () => {
  it('fires after 15 min below 10 %, holds while between 10 and 15 %, resolves above 15 %', () => {
    const values = [...Array(16).fill(7), ...Array(10).fill(12), 16];
    const frames = values.map((v, i) => ({
      now: T0 + i * MINUTE,
      latest: [latestResult({ kind: 'memory', values: { available_percent: v }, ts: T0 + i * MINUTE })],
    }));
    const steps = stepHostRule(memoryRule, defaults, frames);
    expect(notable(steps)).toEqual(['fired warning', 'resolved warning']);
    expect(steps.find((s) => s.event === 'fired')?.now).toBe(T0 + 15 * MINUTE);
    expect(steps.find((s) => s.event === 'resolved')?.now).toBe(T0 + 26 * MINUTE);
  });
});
