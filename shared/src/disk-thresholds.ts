// The one meaning of the disk free-space thresholds (SPEC §4.3), used by the agent's disk check and
// the collector's disk_space rule, so `vitals check` and the collector give one verdict per volume.
import type { Status } from './status.js';

export interface DiskLevel {
  /** Free below this percent of the volume → this level (0: off). */
  freePercent: number;
  /** Free below this size → this level, on volumes big enough for it (0: off). */
  freeBytes: number;
}

export interface DiskLevels {
  warning: DiskLevel;
  critical: DiskLevel;
}

/** Defaults of both sides: percent only; byte floors are an opt-in. */
export const DEFAULT_DISK_LEVELS: DiskLevels = {
  warning: { freePercent: 15, freeBytes: 0 },
  critical: { freePercent: 5, freeBytes: 0 },
};

/**
 * A byte floor counts only on a volume at least this many times its size: a 2 GB floor never marks
 * a 120 MB (or 8 GB) volume on its own, where it would mean "always nearly full".
 */
export const BYTE_FLOOR_MIN_SIZE_FACTOR = 10;

export function byteFloorApplies(floorBytes: number, sizeBytes: number | undefined): boolean {
  return floorBytes > 0 && sizeBytes !== undefined && sizeBytes >= floorBytes * BYTE_FLOOR_MIN_SIZE_FACTOR;
}

export interface DiskLevelCrossing {
  percent: boolean;
  bytes: boolean;
}

/** Whether free space is below a level, by its percent and by its (applicable) byte floor; `margin` raises both (hysteresis). */
export function crossesDiskLevel(
  freePercent: number,
  freeBytes: number | undefined,
  sizeBytes: number | undefined,
  level: DiskLevel,
  marginPercent = 0,
): DiskLevelCrossing {
  const percent = level.freePercent > 0 && freePercent < level.freePercent + marginPercent;
  const marginBytes = sizeBytes !== undefined ? (sizeBytes * marginPercent) / 100 : 0;
  const bytes =
    freeBytes !== undefined &&
    byteFloorApplies(level.freeBytes, sizeBytes) &&
    freeBytes < level.freeBytes + marginBytes;
  return { percent, bytes };
}

/** The verdict for one reading against the levels: what the agent reports and the collector's rule breaches on. */
export function diskSpaceStatus(
  freePercent: number,
  freeBytes: number | undefined,
  sizeBytes: number | undefined,
  levels: DiskLevels = DEFAULT_DISK_LEVELS,
): Status {
  const crit = crossesDiskLevel(freePercent, freeBytes, sizeBytes, levels.critical);
  if (crit.percent || crit.bytes) return 'CRITICAL';
  const warn = crossesDiskLevel(freePercent, freeBytes, sizeBytes, levels.warning);
  return warn.percent || warn.bytes ? 'WARNING' : 'OK';
}
