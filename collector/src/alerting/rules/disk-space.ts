// disk_space: the static rule. Free below a percent OR below a size for a while → warning, lower
// still → critical; an alert clears only some points above its threshold, so a disk hovering at
// the threshold does not page every few minutes.
import { crossesDiskLevel, DEFAULT_DISK_LEVELS, formatBytes, parseSize, SIZE_PATTERN } from '@vitals/shared';
import Type, { type TSchema } from 'typebox';
import type { Observation, RuleTiming, Severity } from '../types.js';
import { type DiskReading, diskName, diskReadings, roundPercent, sayFree, sayLimit } from './disk-reading.js';
import {
  durationOption,
  enabledOption,
  percentOption,
  RuleOptionError,
  readDuration,
  readEnabled,
  readNumber,
} from './options.js';
import type { HostRule } from './rule.js';
import { type LevelFindings, twoLevels } from './two-levels.js';

interface LevelThreshold {
  /** 0 = this half is off. */
  freePercent: number;
  /** 0 = this half is off. */
  freeBytes: number;
  forMs: number;
}

export interface DiskSpaceOptions {
  warning: LevelThreshold;
  critical: LevelThreshold;
  /** Percentage points above a percent threshold, and percent of the disk size above a byte threshold. */
  recoverMarginPercent: number;
}

function sizeOption(defaultValue: string, description: string): TSchema {
  return Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: SIZE_PATTERN })], {
    default: defaultValue,
    description,
  });
}

function readSize(raw: Record<string, unknown>, key: string): number {
  const value = raw[key];
  const bytes = typeof value === 'string' || typeof value === 'number' ? parseSize(value) : undefined;
  if (bytes === undefined)
    throw new RuleOptionError(key, `must be a size such as 10GB or 0 (off), got ${String(value)}`);
  return bytes;
}

function readLevel(raw: Record<string, unknown>, level: Severity): LevelThreshold {
  return {
    freePercent: readNumber(raw, `${level}_free_percent`),
    freeBytes: readSize(raw, `${level}_free_bytes`),
    forMs: readDuration(raw, `${level}_for`),
  };
}

interface Crossing {
  breach: boolean;
  band: boolean;
  /** What the summary and `threshold` name: the percent if that half is crossed, else the size. */
  byPercent: boolean;
}

function cross(d: DiskReading, t: LevelThreshold, marginPercent: number): Crossing {
  // The shared definition (the agent's disk check judges with it too): one verdict per volume.
  const breach = crossesDiskLevel(d.freePercent, d.freeBytes, d.sizeBytes, t);
  const band = crossesDiskLevel(d.freePercent, d.freeBytes, d.sizeBytes, t, marginPercent);
  const pctOn = t.freePercent > 0;
  // Name the half that is crossed (or, in the band, not yet cleared); the percent when both are.
  let byPercent = pctOn;
  if (breach.percent || breach.bytes) byPercent = breach.percent;
  else if (band.percent || band.bytes) byPercent = band.percent;
  return { breach: breach.percent || breach.bytes, band: band.percent || band.bytes, byPercent };
}

/** Value, threshold and unit of one half: percent with percent, bytes with bytes. */
function measured(
  d: DiskReading,
  t: LevelThreshold,
  byPercent: boolean,
): { value: number; threshold: number; unit: string } {
  if (byPercent || d.freeBytes === undefined)
    return { value: roundPercent(d.freePercent), threshold: t.freePercent, unit: 'percent' };
  return { value: d.freeBytes, threshold: t.freeBytes, unit: 'bytes' };
}

function sayThreshold(t: LevelThreshold, byPercent: boolean): string {
  return byPercent ? sayLimit(t.freePercent) : formatBytes(t.freeBytes);
}

/** "10 % and 7.0 GB": the free space the alert still needs to clear. */
function sayClearsAt(d: DiskReading, t: LevelThreshold, marginPercent: number): string {
  const parts: string[] = [];
  if (t.freePercent > 0 && d.freePercent < t.freePercent + marginPercent)
    parts.push(sayLimit(t.freePercent + marginPercent));
  const marginBytes = d.sizeBytes !== undefined ? (d.sizeBytes * marginPercent) / 100 : 0;
  if (t.freeBytes > 0 && d.freeBytes !== undefined && d.freeBytes < t.freeBytes + marginBytes)
    parts.push(formatBytes(t.freeBytes + marginBytes));
  return parts.join(' and ');
}

export const diskSpaceRule: HostRule<DiskSpaceOptions> = {
  name: 'disk_space',
  scope: 'host',
  summary:
    'free < 15 % for 15m → warning; < 5 % for 5m → critical (optional byte floors count only on volumes ' +
    '≥ 10x the floor); clears 5 points above the threshold',
  options: Type.Object(
    {
      enabled: enabledOption(),
      warning_free_percent: percentOption(
        DEFAULT_DISK_LEVELS.warning.freePercent,
        'warning when free space is below this percent of the disk (0: off)',
      ),
      warning_free_bytes: sizeOption(
        String(DEFAULT_DISK_LEVELS.warning.freeBytes),
        'warning when free space is below this size, e.g. 10GB, on volumes at least 10x that size (0: off)',
      ),
      warning_for: durationOption('15m', 'how long the warning condition must hold before the alert fires'),
      critical_free_percent: percentOption(
        DEFAULT_DISK_LEVELS.critical.freePercent,
        'critical when free space is below this percent of the disk (0: off)',
      ),
      critical_free_bytes: sizeOption(
        String(DEFAULT_DISK_LEVELS.critical.freeBytes),
        'critical when free space is below this size, e.g. 2GB, on volumes at least 10x that size (0: off)',
      ),
      critical_for: durationOption('5m', 'how long the critical condition must hold before the alert fires'),
      recover_margin_percent: percentOption(
        5,
        'an alert clears only this many points above its percent threshold ' +
          '(and this percent of the disk size above its size threshold)',
      ),
    },
    { additionalProperties: false },
  ),
  kinds: ['disk'],
  timeDriven: false,
  parse: (raw) => ({
    enabled: readEnabled(raw),
    warning: readLevel(raw, 'warning'),
    critical: readLevel(raw, 'critical'),
    recoverMarginPercent: readNumber(raw, 'recover_margin_percent'),
  }),
  evaluate(o, ctx) {
    const timing: RuleTiming = {
      warning: { forMs: o.warning.forMs, consecutive: 1 },
      critical: { forMs: o.critical.forMs, consecutive: 1 },
      recoverConsecutive: 1,
    };
    return diskReadings(ctx.latest).map((d): Observation => {
      const firing = ctx.firing(d.target);
      const crossings = {
        warning: cross(d, o.warning, o.recoverMarginPercent),
        critical: cross(d, o.critical, o.recoverMarginPercent),
      };
      const findings: LevelFindings = {
        breach: { warning: crossings.warning.breach, critical: crossings.critical.breach },
        band: { warning: crossings.warning.band, critical: crossings.critical.band },
      };
      const level = twoLevels(findings, firing);
      const disk = diskName(d.target);
      const base = { rule: 'disk_space' as const, target: d.target, at: d.ts, level, timing };
      const margin = o.recoverMarginPercent;
      // A level reached through its recovery band only (critical stepping down into the warning
      // band) is not "below" anything: say what it takes to clear instead.
      const held = level === 'hold' ? firing : level === 'ok' || crossings[level].breach ? undefined : level;
      if (held) {
        const t = o[held];
        return {
          ...base,
          ...measured(d, t, crossings[held].byPercent),
          summary: `${disk} has ${sayFree(d)}; the ${held} alert clears at ${sayClearsAt(d, t, margin)} free`,
        };
      }
      if (level === 'warning' || level === 'critical') {
        const t = o[level];
        return {
          ...base,
          ...measured(d, t, crossings[level].byPercent),
          summary: `${disk} has ${sayFree(d)}, below the ${level} ${sayThreshold(t, crossings[level].byPercent)}`,
        };
      }
      const t = o.warning.freePercent > 0 || o.warning.freeBytes > 0 ? o.warning : o.critical;
      return {
        ...base,
        ...measured(d, t, t.freePercent > 0),
        summary: `${disk} has ${sayFree(d)}`,
      };
    });
  },
};
