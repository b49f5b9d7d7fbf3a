import { describe, expect, it } from 'vitest';
import { latestResult, ruleContext, ruleOptions, T0 } from '../../fixtures/rule-context.js';
import { notable, stepHostRule } from '../../fixtures/rule-steps.js';
import type { Severity } from '../types.js';
import { endpointRule } from './endpoint.js';

const defaults = ruleOptions(endpointRule);
const PORTAL = 'https://portal.example-emr.com/';
const judge = (spec: Parameters<typeof latestResult>[0], firing?: Severity) =>
  endpointRule.evaluate(
    defaults,
    ruleContext({ latest: [latestResult(spec)], firing: firing ? { [PORTAL]: firing } : {} }),
  )[0];
const up = (certDays: number) => ({
  kind: 'endpoint',
  target: PORTAL,
  values: { latency_ms: 120, status_code: 200, cert_days_left: certDays },
  message: `${PORTAL} answered 200 OK in 120 ms; certificate valid for ${certDays} days`,
});
const down = {
  kind: 'endpoint',
  target: PORTAL,
  status: 'CRITICAL' as const,
  values: {},
  message: `cannot reach ${PORTAL} — connection refused`,
};

describe('endpoint rule (evaluate)', () => {
  it('defaults: 3 failed checks → critical, 2 good resolve, certificate under 14 days → warning', () => {
    expect(defaults).toEqual({ enabled: true, consecutive: 3, recoverConsecutive: 2, certWarningDays: 14 });
  });

  it('an unreachable endpoint is critical after 3 checks in a row; no warning timing to fire early', () => {
    const obs = judge(down);
    expect(obs).toMatchObject({
      level: 'critical',
      at: T0,
      timing: { critical: { forMs: 0, consecutive: 3 }, recoverConsecutive: 2 },
    });
    expect(obs?.timing.warning).toBeUndefined();
    expect(obs?.summary).toBe(`cannot reach ${PORTAL} — connection refused (an alert after 3 checks in a row)`);
  });

  it('a certificate expiring in 10 days is a warning at once', () => {
    const obs = judge(up(10));
    expect(obs).toMatchObject({
      level: 'warning',
      value: 10,
      threshold: 14,
      unit: 'days',
      timing: { warning: { forMs: 0, consecutive: 1 } },
    });
    expect(obs?.summary).toBe('its TLS certificate expires in 10 days, under the 14-day limit');
    expect(judge(up(30))?.level).toBe('ok');
  });

  it('down with an expiring certificate: critical, and the summary names both', () => {
    const obs = judge({ ...down, values: { cert_days_left: 5 } });
    expect(obs?.level).toBe('critical');
    expect(obs?.timing.warning).toEqual({ forMs: 0, consecutive: 1 });
    expect(obs?.summary).toBe(
      `cannot reach ${PORTAL} — connection refused (an alert after 3 checks in a row); ` +
        'its TLS certificate expires in 5 days, under the 14-day limit',
    );
  });

  it('UNKNOWN holds the down verdict but keeps the last known certificate', () => {
    const unknown = { kind: 'endpoint', target: PORTAL, status: 'UNKNOWN' as const, message: 'misconfigured' };
    expect(judge(unknown, 'critical')?.level).toBe('hold');
    const cert = judge({ ...unknown, known: { ts: T0 - 60_000, values: { cert_days_left: 3 } } });
    expect(cert?.level).toBe('warning');
  });
});

describe('endpoint rule through the alert transition (a check every minute)', () => {
  const frames = (specs: Parameters<typeof latestResult>[0][]) =>
    specs.map((spec, i) => ({ now: T0 + i * 60_000, latest: [latestResult({ ...spec, ts: T0 + i * 60_000 })] }));

  it('down 3 checks in a row → critical; 2 good checks → resolved', () => {
    const steps = stepHostRule(endpointRule, defaults, frames([down, down, up(60), down, down, down, up(60), up(60)]));
    expect(notable(steps)).toEqual(['fired critical', 'resolved critical']);
    expect(steps.find((s) => s.event === 'fired')?.now).toBe(T0 + 5 * 60_000);
  });

  it('an expiring certificate warns at once, and a failed check on top escalates only after 3', () => {
    const cert = { ...down, values: { cert_days_left: 10 } };
    const steps = stepHostRule(endpointRule, defaults, frames([up(10), cert, cert, cert]));
    expect(notable(steps)).toEqual(['fired warning', 'severity_changed critical']);
    expect(steps.find((s) => s.event === 'severity_changed')?.now).toBe(T0 + 3 * 60_000);
  });
});
