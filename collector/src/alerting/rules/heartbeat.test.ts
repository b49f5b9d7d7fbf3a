import { describe, expect, it } from 'vitest';
import { MINUTE, ruleContext, ruleOptions, T0 } from '../../fixtures/rule-context.js';
import { notable, stepHostRule } from '../../fixtures/rule-steps.js';
import { replay } from '../replay.js';
import { resolveRules } from '../rule-config.js';
import type { HostView } from '../types.js';
import { heartbeatRule } from './heartbeat.js';

const defaults = ruleOptions(heartbeatRule);
const at = (now: number, host: Parameters<typeof ruleContext>[0] = {}) =>
  heartbeatRule.evaluate(defaults, ruleContext({ now, ...host, host: { last_seen: T0, ...host.host } }));

describe('heartbeat rule', () => {
  it('defaults: on, silent after 10 minutes, evaluated on the timer only', () => {
    expect(defaults).toEqual({ enabled: true, silentAfterMs: 10 * MINUTE });
    expect(heartbeatRule.kinds).toEqual([]);
    expect(heartbeatRule.timeDriven).toBe(true);
  });

  it('a running agent silent for 14 minutes is critical at once, observed at now, with the time it was last seen', () => {
    const [obs] = at(T0 + 14 * MINUTE);
    expect(obs).toMatchObject({
      rule: 'heartbeat',
      target: '',
      at: T0 + 14 * MINUTE,
      level: 'critical',
      value: 14,
      threshold: 10,
      timing: { critical: { forMs: 0, consecutive: 1 }, recoverConsecutive: 1 },
    });
    expect(obs?.summary).toBe(
      'EMR-SRV01 has not reported for 14 min (last seen 09:00 UTC); a running agent reports at least every 10 min',
    );
  });

  it('an agent heard from 10 minutes ago is fine (the limit is "longer than")', () => {
    expect(at(T0 + 10 * MINUTE)[0]?.level).toBe('ok');
  });

  it('an agent that shut down cleanly is offline, not an alert, however long it stays away', () => {
    const [obs] = at(T0 + 3 * 24 * 60 * MINUTE, { host: { state: 'stopping' } });
    expect(obs?.level).toBe('ok');
    expect(obs?.summary).toBe(
      'EMR-SRV01 is offline: its agent shut down cleanly at 2025-01-06 09:00 UTC (not an alert)',
    );
  });

  it('a retired agent never alerts (an open alert resolves)', () => {
    expect(at(T0 + 60 * MINUTE, { host: { retired: true } })[0]?.level).toBe('ok');
  });

  it('silent_after is configurable', () => {
    const o = ruleOptions(heartbeatRule, { silent_after: '30m' });
    expect(heartbeatRule.evaluate(o, ruleContext({ now: T0 + 14 * MINUTE }))[0]?.level).toBe('ok');
    expect(heartbeatRule.evaluate(o, ruleContext({ now: T0 + 31 * MINUTE }))[0]?.level).toBe('critical');
  });

  it('refuses silent_after 0, which would page for every agent', () => {
    expect(() => ruleOptions(heartbeatRule, { silent_after: '0s' })).toThrow('silent_after: must be longer than 0');
  });
});

describe('heartbeat rule through the alert transition (timer every minute)', () => {
  const minutes = (n: number, host: (now: number) => Partial<HostView>) =>
    Array.from({ length: n }, (_, i) => ({ now: T0 + i * MINUTE, host: host(T0 + i * MINUTE) }));

  it('one host going silent fires critical once, 11 minutes after its last report; it resolves when it reports', () => {
    const frames = minutes(20, () => ({ last_seen: T0 }));
    frames.push({ now: T0 + 20 * MINUTE, host: { last_seen: T0 + 20 * MINUTE } });
    const steps = stepHostRule(heartbeatRule, defaults, frames);
    expect(notable(steps)).toEqual(['fired critical', 'resolved critical']);
    expect(steps.find((s) => s.event === 'fired')?.now).toBe(T0 + 11 * MINUTE);
  });

  it('a clean shutdown stays quiet for hours', () => {
    const steps = stepHostRule(
      heartbeatRule,
      defaults,
      minutes(300, () => ({ last_seen: T0, state: 'stopping' })),
    );
    expect(steps.every((s) => s.event === undefined)).toBe(true);
  });
});

describe('heartbeat rule replayed (as the engine runs it)', () => {
  const WHO = { client: 'Smith Dental', site: 'Main Street', host: 'EMR-SRV01' };
  it('reports stop: the timer fires critical once, 11 min after the last one', () => {
    const results = Array.from({ length: 5 }, (_, i) => ({
      ts: T0 + i * MINUTE,
      check: 'cpu',
      kind: 'cpu' as const,
      target: '',
      status: 'OK' as const,
      values: { used_percent: { value: 20 } },
    }));
    const events = replay({ host: WHO, rules: resolveRules({}, WHO), results, until: T0 + 60 * MINUTE });
    expect(events.map((e) => `${(e.at - T0) / MINUTE} ${e.rule} ${e.event} ${e.severity}`)).toEqual([
      '15 heartbeat fired critical',
    ]);
    expect(events[0]?.summary).toBe(
      'EMR-SRV01 has not reported for 11 min (last seen 09:04 UTC); a running agent reports at least every 10 min',
    );
  });
});
