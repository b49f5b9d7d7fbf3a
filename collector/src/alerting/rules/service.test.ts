import { describe, expect, it } from 'vitest';
import { latestResult, MINUTE, ruleContext, ruleOptions, T0 } from '../../fixtures/rule-context.js';
import { notable, stepHostRule } from '../../fixtures/rule-steps.js';
import { type ReplayResult, replay } from '../replay.js';
import { resolveRules } from '../rule-config.js';
import { commandRule, processRule, serviceRule } from './service.js';

const sql = (status: 'OK' | 'CRITICAL' | 'WARNING' | 'UNKNOWN', state: string, ts = T0) =>
  latestResult({
    kind: 'service',
    target: 'MSSQLSERVER',
    status,
    values: status === 'UNKNOWN' ? {} : { state },
    message:
      status === 'OK'
        ? 'Service MSSQLSERVER is running (start mode: Automatic)'
        : status === 'UNKNOWN'
          ? 'PowerShell did not answer within 15 s'
          : 'Service MSSQLSERVER is stopped (start mode: Automatic) — it should be running',
    ts,
  });

describe('service rule (evaluate)', () => {
  const defaults = ruleOptions(serviceRule);

  it('defaults: 3 bad checks fire critical, 2 good ones resolve; runs on service results only', () => {
    expect(defaults).toEqual({ enabled: true, consecutive: 3, recoverConsecutive: 2, severity: 'critical' });
    expect(serviceRule.kinds).toEqual(['service']);
    expect(serviceRule.timeDriven).toBe(false);
  });

  it('a stopped service is a critical observation at the check time, counted 3 in a row before firing', () => {
    const [obs] = serviceRule.evaluate(defaults, ruleContext({ latest: [sql('CRITICAL', 'stopped', T0 + MINUTE)] }));
    expect(obs).toMatchObject({
      rule: 'service',
      target: 'MSSQLSERVER',
      at: T0 + MINUTE,
      level: 'critical',
      value: 'stopped',
      threshold: null,
      timing: { critical: { forMs: 0, consecutive: 3 }, recoverConsecutive: 2 },
    });
    expect(obs?.timing.warning).toBeUndefined();
    expect(obs?.summary).toBe(
      'Service MSSQLSERVER is stopped (start mode: Automatic) — it should be running ' +
        '(an alert after 3 checks in a row)',
    );
  });

  it('a running service is ok; UNKNOWN holds (neither counts nor resets)', () => {
    const ok = serviceRule.evaluate(defaults, ruleContext({ latest: [sql('OK', 'running')] }));
    expect(ok[0]?.level).toBe('ok');
    const unknown = serviceRule.evaluate(defaults, ruleContext({ latest: [sql('UNKNOWN', '')] }));
    expect(unknown[0]?.level).toBe('hold');
    expect(unknown[0]?.summary).toBe(
      'no verdict on service MSSQLSERVER this time (PowerShell did not answer within 15 s); ' +
        'the alert keeps its state',
    );
  });

  it('a service starting (WARNING from the agent) counts as not as expected too, at the configured severity', () => {
    const o = ruleOptions(serviceRule, { severity: 'warning', consecutive: 5, recover_consecutive: 1 });
    const [obs] = serviceRule.evaluate(o, ruleContext({ latest: [sql('WARNING', 'starting')] }));
    expect(obs).toMatchObject({
      level: 'warning',
      timing: { warning: { forMs: 0, consecutive: 5 }, recoverConsecutive: 1 },
    });
  });

  it('judges every service target and ignores other kinds', () => {
    const latest = [
      sql('CRITICAL', 'stopped'),
      latestResult({ kind: 'service', target: 'EMRAppSvc', status: 'OK', values: { state: 'running' } }),
      latestResult({ kind: 'process', target: 'emr.exe', status: 'CRITICAL', values: { count: 0 } }),
    ];
    const obs = serviceRule.evaluate(defaults, ruleContext({ latest }));
    expect(obs.map((o) => [o.target, o.level])).toEqual([
      ['MSSQLSERVER', 'critical'],
      ['EMRAppSvc', 'ok'],
    ]);
  });
});

describe('process rule (evaluate)', () => {
  it('a process not running is critical with its count as the value', () => {
    const latest = [
      latestResult({
        kind: 'process',
        target: 'emr.exe',
        status: 'CRITICAL',
        values: { count: 0 },
        message: 'Process emr.exe is not running (0 of at least 1)',
      }),
    ];
    const [obs] = processRule.evaluate(ruleOptions(processRule), ruleContext({ latest }));
    expect(obs).toMatchObject({ rule: 'process', target: 'emr.exe', level: 'critical', value: 0 });
    expect(obs?.summary).toBe('Process emr.exe is not running (0 of at least 1) (an alert after 3 checks in a row)');
  });
});

describe('command rule (evaluate)', () => {
  const defaults = ruleOptions(commandRule);
  const run = (status: 'OK' | 'WARNING' | 'CRITICAL', code: number) =>
    latestResult({
      kind: 'command',
      target: '/opt/check-pacs.sh',
      status,
      values: { exit_code: code },
      message: 'PACS queue 12',
    });

  it('has no severity option: the agent’s verdict decides, each level after 3 checks in a row', () => {
    expect(defaults).toEqual({ enabled: true, consecutive: 3, recoverConsecutive: 2, severity: undefined });
    expect(() => ruleOptions(commandRule, { severity: 'critical' })).toThrow(/invalid options/);
    const critical = commandRule.evaluate(defaults, ruleContext({ latest: [run('CRITICAL', 2)] }))[0];
    expect(critical).toMatchObject({
      level: 'critical',
      value: 2,
      timing: { warning: { forMs: 0, consecutive: 3 }, critical: { forMs: 0, consecutive: 3 } },
    });
    expect(commandRule.evaluate(defaults, ruleContext({ latest: [run('WARNING', 1)] }))[0]?.level).toBe('warning');
    expect(commandRule.evaluate(defaults, ruleContext({ latest: [run('OK', 0)] }))[0]?.level).toBe('ok');
  });
});

describe('service rule through the alert transition', () => {
  const defaults = ruleOptions(serviceRule);
  const checks = (states: ('stopped' | 'running' | 'unknown')[]) =>
    states.map((state, i) => ({
      now: T0 + i * MINUTE,
      latest: [sql(state === 'stopped' ? 'CRITICAL' : state === 'running' ? 'OK' : 'UNKNOWN', state, T0 + i * MINUTE)],
    }));

  it('stopped 2 checks → nothing; 3 → critical; 1 good → still firing; 2 good → resolved', () => {
    const steps = stepHostRule(serviceRule, defaults, checks(['stopped', 'stopped', 'stopped', 'running', 'running']));
    expect(steps.map((s) => [s.event, s.alert?.state])).toEqual([
      ['pending', 'pending'],
      [undefined, 'pending'],
      ['fired', 'firing'],
      [undefined, 'firing'],
      ['resolved', 'resolved'],
    ]);
    expect(steps[2]?.alert).toMatchObject({ severity: 'critical', started_at: T0 + 2 * MINUTE, value: 'stopped' });
    expect(notable(steps)).toEqual(['fired critical', 'resolved critical']);
  });

  it('a single stopped check between running ones never alerts', () => {
    const steps = stepHostRule(serviceRule, defaults, checks(['running', 'stopped', 'running', 'stopped', 'running']));
    expect(notable(steps)).toEqual([]);
  });

  it('an UNKNOWN check does not resolve a firing alert', () => {
    const steps = stepHostRule(serviceRule, defaults, checks(['stopped', 'stopped', 'stopped', 'unknown', 'unknown']));
    expect(steps.at(-1)?.alert?.state).toBe('firing');
    expect(notable(steps)).toEqual(['fired critical']);
  });
});

describe('service rule replayed through evaluate and transition (as the engine runs it)', () => {
  const WHO = { client: 'Smith Dental', site: 'Main Street', host: 'EMR-SRV01' };
  const check = (i: number, state: 'running' | 'stopped'): ReplayResult => ({
    ts: T0 + i * MINUTE,
    check: 'services',
    kind: 'service',
    target: 'MSSQLSERVER',
    status: state === 'running' ? 'OK' : 'CRITICAL',
    values: { state: { value: state } },
    message: `Service MSSQLSERVER is ${state}`,
  });
  const run = (states: ('running' | 'stopped')[]) =>
    replay({ host: WHO, rules: resolveRules({}, WHO), results: states.map((s, i) => check(i, s)) });

  it('stopped 2 checks → nothing; the 3rd → critical; 1 good → still firing; the 2nd good → resolved', () => {
    const notified = (states: ('running' | 'stopped')[]) =>
      run(states)
        .filter((e) => e.event !== 'pending')
        .map((e) => `${(e.at - T0) / MINUTE} ${e.event} ${e.severity}`);
    expect(notified(['running', 'stopped', 'stopped'])).toEqual([]);
    expect(notified(['running', 'stopped', 'stopped', 'stopped'])).toEqual(['3 fired critical']);
    expect(notified(['running', 'stopped', 'stopped', 'stopped', 'running'])).toEqual(['3 fired critical']);
    expect(notified(['running', 'stopped', 'stopped', 'stopped', 'running', 'running'])).toEqual([
      '3 fired critical',
      '5 resolved critical',
    ]);
  });

  it('overrides change the count per host', () => {
    const config = { overrides: [{ host: 'EMR-SRV01', rules: { service: { consecutive: 2 } } }] };
    const events = replay({
      host: WHO,
      rules: resolveRules(config, WHO),
      results: [check(0, 'stopped'), check(1, 'stopped')],
    });
    expect(events.map((e) => e.event)).toEqual(['pending', 'fired']);
  });
});
