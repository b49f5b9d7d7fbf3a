// service, process, command: a target the agent judged not as expected (CRITICAL or WARNING) in
// `consecutive` checks in a row fires; `recover_consecutive` good checks resolve it. One flapping
// check never pages. UNKNOWN (the state could not be read) neither counts nor resets.
import type { CheckKindName } from '@vitals/shared';
import Type from 'typebox';
import type { LatestResult, Observation, RuleName, RuleTiming, Severity } from '../types.js';
import { countOption, enabledOption, readEnabled, readNumber, readSeverity, severityOption } from './options.js';
import type { HostRule } from './rule.js';

export interface StatusRuleOptions {
  consecutive: number;
  recoverConsecutive: number;
  /** The level a bad target fires at; undefined = the agent's own (command: WARNING → warning). */
  severity: Severity | undefined;
}

interface StatusRuleSpec {
  name: RuleName & CheckKindName;
  summary: string;
  /** The value shown as the alert's headline. */
  valueKey: string;
  /** service and process fire at one configured severity; a command's exit code says how bad it is. */
  severityFromAgent: boolean;
}

function statusRule(spec: StatusRuleSpec): HostRule<StatusRuleOptions> {
  const properties = {
    enabled: enabledOption(),
    consecutive: countOption(3, 'bad checks in a row before the alert fires'),
    recover_consecutive: countOption(2, 'good checks in a row before a firing alert resolves'),
    ...(spec.severityFromAgent ? {} : { severity: severityOption('critical', 'the severity the alert fires at') }),
  };
  return {
    name: spec.name,
    scope: 'host',
    summary: spec.summary,
    options: Type.Object(properties, { additionalProperties: false }),
    kinds: [spec.name],
    timeDriven: false,
    parse: (raw) => ({
      enabled: readEnabled(raw),
      consecutive: readNumber(raw, 'consecutive'),
      recoverConsecutive: readNumber(raw, 'recover_consecutive'),
      severity: spec.severityFromAgent ? undefined : readSeverity(raw, 'severity'),
    }),
    evaluate(o, ctx) {
      return ctx.latest.filter((r) => r.kind === spec.name).map((r) => judge(spec, o, r));
    },
  };
}

function timingOf(o: StatusRuleOptions): RuleTiming {
  const level = { forMs: 0, consecutive: o.consecutive };
  const levels = o.severity === undefined ? { warning: level, critical: level } : { [o.severity]: level };
  return { ...levels, recoverConsecutive: o.recoverConsecutive };
}

function judge(spec: StatusRuleSpec, o: StatusRuleOptions, r: LatestResult): Observation {
  const said = r.message.trim() !== '' ? r.message.trim() : `${spec.name} ${r.target} is ${r.status}`;
  // The host is named by every listing and message already; the summary says what and why.
  const rule = `(an alert after ${o.consecutive} checks in a row)`;
  let level: Observation['level'];
  let summary: string;
  if (r.status === 'UNKNOWN') {
    level = 'hold';
    summary = `no verdict on ${spec.name} ${r.target} this time (${said}); the alert keeps its state`;
  } else if (r.status === 'OK') {
    level = 'ok';
    summary = said;
  } else {
    level = o.severity ?? (r.status === 'CRITICAL' ? 'critical' : 'warning');
    summary = `${said} ${rule}`;
  }
  return {
    rule: spec.name,
    target: r.target,
    at: r.ts,
    level,
    value: r.values[spec.valueKey]?.value ?? r.status,
    ...(r.values[spec.valueKey]?.unit ? { unit: r.values[spec.valueKey]?.unit } : {}),
    threshold: null,
    summary,
    timing: timingOf(o),
  };
}

export const serviceRule = statusRule({
  name: 'service',
  summary: 'a service not in its expected state in 3 checks in a row → critical; 2 good checks resolve it',
  valueKey: 'state',
  severityFromAgent: false,
});

export const processRule = statusRule({
  name: 'process',
  summary: 'a process not running (as configured) in 3 checks in a row → critical; 2 good checks resolve it',
  valueKey: 'count',
  severityFromAgent: false,
});

export const commandRule = statusRule({
  name: 'command',
  summary: "a local script's CRITICAL/WARNING in 3 checks in a row → critical/warning; 2 OK checks resolve it",
  valueKey: 'exit_code',
  severityFromAgent: true,
});
