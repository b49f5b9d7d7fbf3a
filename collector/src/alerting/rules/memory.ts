// memory: less than 10 % of memory available for 15 minutes is a warning; it resolves only above
// 15 %, so a machine hovering at the limit alerts once.
import { formatBytes } from '@vitals/shared';
import Type from 'typebox';
import type { LatestResult, Observation, RuleTiming, Severity } from '../types.js';
import { bandBelow } from './levels.js';
import {
  durationOption,
  enabledOption,
  percentOption,
  RuleOptionError,
  readDuration,
  readEnabled,
  readNumber,
} from './options.js';
import { numberValue } from './readings.js';
import type { HostRule } from './rule.js';
import { sayDuration } from './wording.js';

export interface MemoryOptions {
  warningAvailablePercent: number;
  recoverAvailablePercent: number;
  forMs: number;
}

const format = (n: number) => `${Math.round(n * 10) / 10} %`;

export const memoryRule: HostRule<MemoryOptions> = {
  name: 'memory',
  scope: 'host',
  summary: 'available memory below 10 % for 15 min → warning, resolved above 15 %',
  options: Type.Object(
    {
      enabled: enabledOption(),
      warning_available_percent: percentOption(10, 'available memory below this (percent) → warning'),
      recover_available_percent: percentOption(15, 'a firing alert resolves only when available memory is above this'),
      warning_for: durationOption('15m', 'how long memory must stay that low before the alert fires'),
    },
    { additionalProperties: false },
  ),
  kinds: ['memory'],
  timeDriven: false,
  parse(raw) {
    const o = {
      enabled: readEnabled(raw),
      warningAvailablePercent: readNumber(raw, 'warning_available_percent'),
      recoverAvailablePercent: readNumber(raw, 'recover_available_percent'),
      forMs: readDuration(raw, 'warning_for'),
    };
    if (o.recoverAvailablePercent < o.warningAvailablePercent)
      throw new RuleOptionError(
        'recover_available_percent',
        `must not be below warning_available_percent (${o.warningAvailablePercent})`,
      );
    return o;
  },
  evaluate(o, ctx) {
    return ctx.latest.filter((r) => r.kind === 'memory').map((r) => judge(o, r, ctx.host.host, ctx.firing(r.target)));
  },
};

function judge(o: MemoryOptions, r: LatestResult, host: string, firing: Severity | undefined): Observation {
  const timing: RuleTiming = { warning: { forMs: o.forMs, consecutive: 1 }, recoverConsecutive: 1 };
  const available = r.status === 'UNKNOWN' ? undefined : numberValue(r.values, 'available_percent');
  const base = {
    rule: 'memory' as const,
    target: r.target,
    at: r.ts,
    value: available ?? null,
    threshold: o.warningAvailablePercent,
    unit: 'percent',
    timing,
  };
  if (available === undefined)
    return { ...base, level: 'hold', summary: `Available memory on ${host} is not known right now` };
  const bytes = numberValue(r.values, 'available_bytes');
  const total = numberValue(r.values, 'total_bytes');
  const of = bytes !== undefined && total !== undefined ? ` (${formatBytes(bytes)} of ${formatBytes(total)})` : '';
  const band = bandBelow(available, o.warningAvailablePercent, o.recoverAvailablePercent, firing !== undefined);
  const said = `${host} has ${format(available)} of its memory available${of}`;
  if (band === 'beyond')
    return {
      ...base,
      level: 'warning',
      summary: `${said}, below the ${format(o.warningAvailablePercent)} limit (alert when it lasts ${sayDuration(o.forMs)})`,
    };
  if (band === 'hold')
    return {
      ...base,
      level: 'hold',
      summary: `${said}; the alert resolves above ${format(o.recoverAvailablePercent)}`,
    };
  return { ...base, level: 'ok', summary: `${said}, above the ${format(o.warningAvailablePercent)} limit` };
}
