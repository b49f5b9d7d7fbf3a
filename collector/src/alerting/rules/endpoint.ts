// endpoint: a web portal, clearinghouse or NAS the agent could not use (CRITICAL: unreachable, a
// wrong answer, a certificate the agent refuses) in 3 checks in a row is critical; a TLS
// certificate expiring within 14 days is a warning at once. One alert per endpoint: its level is
// the worse of the two, and the summary names both when both apply.
import Type from 'typebox';
import type { LatestResult, Observation, RuleTiming, Severity } from '../types.js';
import { combineLevels, type Level } from './levels.js';
import { countOption, enabledOption, readEnabled, readNumber } from './options.js';
import { numberValue } from './readings.js';
import type { HostRule } from './rule.js';
import { count } from './wording.js';

export interface EndpointOptions {
  consecutive: number;
  recoverConsecutive: number;
  certWarningDays: number;
}

export const endpointRule: HostRule<EndpointOptions> = {
  name: 'endpoint',
  scope: 'host',
  summary: 'unreachable in 3 checks in a row → critical (2 good checks resolve); TLS certificate < 14 days → warning',
  options: Type.Object(
    {
      enabled: enabledOption(),
      consecutive: countOption(3, 'failed checks in a row before the alert fires'),
      recover_consecutive: countOption(2, 'good checks in a row before a firing alert resolves'),
      cert_warning_days: Type.Number({
        minimum: 0,
        maximum: 3650,
        default: 14,
        description: 'a TLS certificate expiring in fewer days than this → warning',
      }),
    },
    { additionalProperties: false },
  ),
  kinds: ['endpoint'],
  timeDriven: false,
  parse: (raw) => ({
    enabled: readEnabled(raw),
    consecutive: readNumber(raw, 'consecutive'),
    recoverConsecutive: readNumber(raw, 'recover_consecutive'),
    certWarningDays: readNumber(raw, 'cert_warning_days'),
  }),
  evaluate(o, ctx) {
    return ctx.latest.filter((r) => r.kind === 'endpoint').map((r) => judge(o, r, ctx.firing(r.target)));
  },
};

function judge(o: EndpointOptions, r: LatestResult, firing: Severity | undefined): Observation {
  const down: Level = r.status === 'UNKNOWN' ? 'hold' : r.status === 'CRITICAL' ? 'critical' : 'ok';
  // The last known certificate while the check is UNKNOWN: it does not renew itself in between.
  const certDays = r.known ? numberValue(r.known.values, 'cert_days_left') : undefined;
  const certBad = certDays !== undefined && certDays < o.certWarningDays;
  const level = combineLevels([down, certBad ? 'warning' : 'ok'], firing);
  // Warning timing only while the certificate is the problem: a failed check (critical) also
  // counts toward warning, and must not page at once as a "warning" before its 3 checks.
  const timing: RuleTiming = {
    critical: { forMs: 0, consecutive: o.consecutive },
    ...(certBad ? { warning: { forMs: 0, consecutive: 1 } } : {}),
    recoverConsecutive: o.recoverConsecutive,
  };
  const said = r.message.trim() || `${r.target} is ${r.status}`;
  const cert = certBad
    ? certDays < 0
      ? `its TLS certificate has expired`
      : `its TLS certificate expires in ${count(certDays, 'day')}, under the ${o.certWarningDays}-day limit`
    : '';
  const parts: string[] = [];
  if (down === 'critical') parts.push(`${said} (an alert after ${o.consecutive} checks in a row)`);
  if (certBad) parts.push(cert);
  if (parts.length === 0)
    parts.push(down === 'hold' ? `no verdict this time (${said}); the alert keeps its state` : said);
  return {
    rule: 'endpoint',
    target: r.target,
    at: r.ts,
    level,
    value: down === 'critical' || !certBad ? r.status : certDays,
    threshold: down === 'critical' || !certBad ? `${o.consecutive} checks in a row` : o.certWarningDays,
    ...(down !== 'critical' && certBad ? { unit: 'days' } : {}),
    summary: parts.join('; '),
    timing,
  };
}
