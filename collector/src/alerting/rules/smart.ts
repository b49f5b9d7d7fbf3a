// smart: a disk that reports SMART FAILED or an NVMe critical warning is critical at once; sector
// counts that rose within a day, wear above 90 % or a temperature above 60 °C for 15 minutes are
// warnings. Wear and temperature resolve only 5 points below their limits (hysteresis).
import Type from 'typebox';
import type { LatestResult, Observation, RuleTiming, Severity } from '../types.js';
import { type Band, bandAbove, combineLevels, type Level } from './levels.js';
import { durationOption, enabledOption, percentOption, readDuration, readEnabled, readNumber } from './options.js';
import { numberValue, stringValue } from './readings.js';
import type { HostRule, RuleContext } from './rule.js';
import { sayDuration } from './wording.js';

export interface SmartOptions {
  growthWindowMs: number;
  wearPercent: number;
  temperatureC: number;
  temperatureForMs: number;
  recoverMargin: number;
}

/** Counts that only grow on a dying disk; any rise within the window is news. */
const COUNTERS = [
  ['reallocated', 'reallocated sectors'],
  ['pending', 'sectors pending reallocation'],
  ['uncorrectable', 'uncorrectable errors'],
] as const;

interface Finding {
  level: Level;
  text: string;
  value: Observation['value'];
  threshold: Observation['threshold'];
  unit?: string;
  /** Whether this warning must hold for temperature_for before firing (only the temperature). */
  sustained?: boolean;
}

export const smartRule: HostRule<SmartOptions> = {
  name: 'smart',
  scope: 'host',
  summary:
    'SMART FAILED / NVMe critical warning → critical; sector counts rising within 24h, wear > 90 % ' +
    'or temperature > 60 °C for 15 min → warning',
  options: Type.Object(
    {
      enabled: enabledOption(),
      growth_window: durationOption(
        '24h',
        'a reallocated/pending/uncorrectable count higher than within this → warning',
      ),
      wear_percent: percentOption(90, 'rated life used above this (SSD/NVMe wear) → warning'),
      temperature_c: Type.Number({ minimum: 0, maximum: 150, default: 60, description: 'above this (°C) → warning' }),
      temperature_for: durationOption('15m', 'how long the temperature must stay above temperature_c'),
      recover_margin: Type.Number({
        minimum: 0,
        maximum: 50,
        default: 5,
        description: 'a firing wear or temperature alert resolves only this far below its limit',
      }),
    },
    { additionalProperties: false },
  ),
  kinds: ['smart'],
  timeDriven: false,
  parse: (raw) => ({
    enabled: readEnabled(raw),
    growthWindowMs: readDuration(raw, 'growth_window', true),
    wearPercent: readNumber(raw, 'wear_percent'),
    temperatureC: readNumber(raw, 'temperature_c'),
    temperatureForMs: readDuration(raw, 'temperature_for'),
    recoverMargin: readNumber(raw, 'recover_margin'),
  }),
  evaluate(o, ctx) {
    return ctx.latest.filter((r) => r.kind === 'smart').map((r) => judge(o, r, ctx));
  },
};

function judge(o: SmartOptions, r: LatestResult, ctx: RuleContext): Observation {
  const firing = ctx.firing(r.target);
  const findings: Finding[] =
    r.status === 'UNKNOWN'
      ? [{ level: 'hold', text: `no SMART reading this time (${r.message.trim()})`, value: null, threshold: null }]
      : [failed(r), ...growth(o, r, ctx), ...limits(o, r, firing)];
  const level = combineLevels(
    findings.map((f) => f.level),
    firing,
  );
  const bad = findings.filter((f) => f.level === 'critical').concat(findings.filter((f) => f.level === 'warning'));
  const head = bad[0] ?? findings.find((f) => f.level === 'hold') ?? (findings[0] as Finding);
  // The temperature alone must last temperature_for; anything else that warns does so at once.
  const warningFor = bad.some((f) => f.level === 'warning' && !f.sustained) ? 0 : o.temperatureForMs;
  const timing: RuleTiming = {
    critical: { forMs: 0, consecutive: 1 },
    warning: { forMs: warningFor, consecutive: 1 },
    recoverConsecutive: 1,
  };
  // Nothing wrong: everything that was read, so the summary shows the disk is looked after.
  const texts = (bad.length > 0 ? bad : findings).map((f) => f.text);
  const obs: Observation = {
    rule: 'smart',
    target: r.target,
    at: r.ts,
    level,
    value: head.value,
    threshold: head.threshold,
    summary: `Disk ${r.target || r.check} on ${ctx.host.host}: ${texts.join('; ')}`,
    timing,
  };
  if (head.unit) obs.unit = head.unit;
  return obs;
}

function failed(r: LatestResult): Finding {
  const health = stringValue(r.values, 'health');
  // The agent reports CRITICAL only for FAILED health or an NVMe critical warning.
  if (health === 'FAILED' || r.status === 'CRITICAL')
    return {
      level: 'critical',
      text: `the disk is failing: ${r.message.trim()}`,
      value: health ?? r.status,
      threshold: null,
    };
  return { level: 'ok', text: `SMART health ${health ?? 'not reported'}`, value: health ?? null, threshold: null };
}

/** Counts above their lowest value in the window (so 0 → 8 → 8 still shows the rise). */
function growth(o: SmartOptions, r: LatestResult, ctx: RuleContext): Finding[] {
  if (!ctx.history) return [];
  const findings: Finding[] = [];
  for (const [metric, words] of COUNTERS) {
    const now = numberValue(r.values, metric);
    if (now === undefined) continue;
    const before = ctx.history(r.check, r.target, metric, r.ts - o.growthWindowMs).filter((p) => p.ts < r.ts);
    if (before.length === 0) continue;
    const low = Math.min(...before.map((p) => p.value));
    if (now <= low) continue;
    findings.push({
      level: 'warning',
      text: `${words} rose from ${low} to ${now} within ${sayDuration(o.growthWindowMs)}`,
      value: now,
      threshold: low,
      unit: 'count',
    });
  }
  return findings;
}

function limits(o: SmartOptions, r: LatestResult, firing: Severity | undefined): Finding[] {
  const findings: Finding[] = [];
  const wear = numberValue(r.values, 'wear_percent');
  if (wear !== undefined) {
    const band = bandAbove(wear, o.wearPercent, o.wearPercent - o.recoverMargin, firing !== undefined);
    findings.push({
      level: band === 'beyond' ? 'warning' : band,
      text: `${wear} % of its rated life is used${bandWords(band, `${o.wearPercent} %`, `${o.wearPercent - o.recoverMargin} %`)}`,
      value: wear,
      threshold: o.wearPercent,
      unit: 'percent',
    });
  }
  const temp = numberValue(r.values, 'temperature_c');
  if (temp !== undefined) {
    const band = bandAbove(temp, o.temperatureC, o.temperatureC - o.recoverMargin, firing !== undefined);
    const lasting = ` (alert when it lasts ${sayDuration(o.temperatureForMs)})`;
    findings.push({
      level: band === 'beyond' ? 'warning' : band,
      text: `it runs at ${temp} °C${bandWords(band, `${o.temperatureC} °C`, `${o.temperatureC - o.recoverMargin} °C`)}${band === 'beyond' ? lasting : ''}`,
      value: temp,
      threshold: o.temperatureC,
      unit: 'celsius',
      sustained: true,
    });
  }
  return findings;
}

function bandWords(band: Band, limit: string, recover: string): string {
  if (band === 'beyond') return `, above the ${limit} limit`;
  return band === 'hold' ? `; the alert resolves below ${recover}` : '';
}
