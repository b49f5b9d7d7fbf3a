// What the two disk rules read from a host's latest disk results: free percent, free bytes and
// size per target, and how a summary names the disk ("Disk C:", "Disk /srv").
import { formatBytes, formatPercent } from '@vitals/shared';
import type { LatestResult } from '../types.js';
import { numberValue } from './readings.js';

export interface DiskReading {
  target: string;
  /** The result's time: what the observation's `at` is. */
  ts: number;
  freePercent: number;
  freeBytes: number | undefined;
  sizeBytes: number | undefined;
}

/**
 * One reading per disk target, from results whose status is known (an UNKNOWN disk says nothing
 * about its free space: no observation, so an open alert stays as it is). When two checks report
 * the same target the newer result wins.
 */
export function diskReadings(latest: readonly LatestResult[]): DiskReading[] {
  const byTarget = new Map<string, DiskReading>();
  for (const r of latest) {
    if (r.kind !== 'disk' || r.status === 'UNKNOWN') continue;
    const freeBytes = numberValue(r.values, 'free_bytes');
    const sizeBytes = numberValue(r.values, 'size_bytes');
    const freePercent =
      numberValue(r.values, 'free_percent') ??
      (freeBytes !== undefined && sizeBytes ? (freeBytes / sizeBytes) * 100 : undefined);
    if (freePercent === undefined) continue;
    const seen = byTarget.get(r.target);
    if (seen && seen.ts >= r.ts) continue;
    byTarget.set(r.target, { target: r.target, ts: r.ts, freePercent, freeBytes, sizeBytes });
  }
  return [...byTarget.values()];
}

export function diskName(target: string): string {
  return target === '' ? 'Disk' : `Disk ${target}`;
}

/** "4.2 % free (10.5 GB of 250 GB)", shortened when the agent sent no byte counts. */
export function sayFree(d: DiskReading): string {
  const pct = `${formatPercent(d.freePercent)} free`;
  if (d.freeBytes === undefined) return pct;
  if (d.sizeBytes === undefined) return `${pct} (${formatBytes(d.freeBytes)})`;
  return `${pct} (${formatBytes(d.freeBytes)} of ${formatBytes(d.sizeBytes)})`;
}

/** A configured percent as written: "5 %", "7.5 %" (formatPercent would say "5.0 %"). */
export function sayLimit(percent: number): string {
  return Number.isInteger(percent) ? `${percent} %` : formatPercent(percent);
}

/** The percent an observation carries as its value: two decimals are plenty for a person and a chart. */
export function roundPercent(value: number): number {
  return Math.round(value * 100) / 100;
}
