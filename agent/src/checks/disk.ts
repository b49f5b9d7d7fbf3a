// Free space per volume (bytes, %, inodes) on every real local filesystem, or on the mounts named.
// Read through a df child process, never fs.statfs: a dead NFS mount would hang libuv's threadpool.
import {
  DEFAULT_DISK_LEVELS,
  diskSpaceStatus,
  formatBytes,
  formatPercent,
  parseSize,
  SIZE_PATTERN,
  type Status,
  worstStatus,
} from '@vitals/shared';
import Type from 'typebox';
import { describeSpawnError, execFile } from '../exec.js';
import { parsePowerShellJson, runPowerShell } from '../platform/powershell.js';
import { type CheckContext, type CheckOutcome, defineCheck, statusBelow, unknownOutcome } from './check.js';
import {
  dropDuplicateDevices,
  gnuDfArgs,
  isRealLocalVolume,
  normaliseDriveLetter,
  parseBsdDf,
  parseGnuDf,
  parseWindowsDisks,
  type Volume,
  windowsDiskScript,
} from './disk-volumes.js';

export interface DiskThresholds {
  warnFreePercent: number;
  critFreePercent: number;
  /** 0 = off. */
  warnFreeBytes: number;
  critFreeBytes: number;
  warnInodesFreePercent: number;
  critInodesFreePercent: number;
}

/** Free share as df reports it: of the space users can have (used + available), not counting root's reserve. */
export function freePercent(v: Volume): number {
  const usable = v.usedBytes + v.availBytes;
  return usable > 0 ? (v.availBytes / usable) * 100 : 0;
}

/**
 * One volume's result: the worst of the %, bytes and inode thresholds. The message's "of" is the
 * usable size, so its two numbers agree with its percentage; size_bytes carries the raw size.
 */
export function judgeVolume(v: Volume, t: DiskThresholds): CheckOutcome {
  const free = freePercent(v);
  const inodesFree = v.inodes ? (v.inodes.free / v.inodes.total) * 100 : undefined;
  // The shared verdict (the collector's disk_space rule uses the same): a byte floor never marks a small volume.
  const bySpace = diskSpaceStatus(free, v.availBytes, v.sizeBytes, {
    warning: { freePercent: t.warnFreePercent, freeBytes: t.warnFreeBytes },
    critical: { freePercent: t.critFreePercent, freeBytes: t.critFreeBytes },
  });
  const byInodes =
    inodesFree === undefined ? 'OK' : statusBelow(inodesFree, t.warnInodesFreePercent, t.critInodesFreePercent);
  const status = worstStatus([bySpace, byInodes]);
  const values: CheckOutcome['values'] = {
    free_percent: { value: round1(free), unit: 'percent' },
    free_bytes: { value: v.availBytes, unit: 'bytes' },
    size_bytes: { value: v.sizeBytes, unit: 'bytes' },
    used_bytes: { value: v.usedBytes, unit: 'bytes' },
  };
  if (inodesFree !== undefined && v.inodes) {
    values.inodes_free_percent = { value: round1(inodesFree), unit: 'percent' };
    values.inodes_free = { value: v.inodes.free, unit: 'count' };
  }
  if (v.fstype) values.fstype = { value: v.fstype };
  // Name inodes only when they, not space, are what is running out: "No space left" with free bytes.
  const inodeNote =
    byInodes !== 'OK' && inodesFree !== undefined ? `, but only ${formatPercent(inodesFree)} of its inodes free` : '';
  return {
    target: v.target,
    status,
    values,
    message: `Disk ${v.target} has ${formatPercent(free)} free (${formatBytes(v.availBytes)} of ${formatBytes(v.usedBytes + v.availBytes)})${inodeNote} — ${verdict(status)}`,
  };
}

function verdict(status: Status): string {
  return status === 'CRITICAL' ? 'critically low' : status === 'WARNING' ? 'getting low' : 'fine';
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Picks the volumes to report: the named ones whatever their type, else every real local one. */
export function selectVolumes(
  volumes: Volume[],
  named: string[],
  platform: NodeJS.Platform,
  dfErrors = '',
): (Volume | CheckOutcome)[] {
  if (named.length === 0) return dropDuplicateDevices(volumes.filter((v) => isRealLocalVolume(v, platform)));
  return named.map((name) => {
    const wanted = platform === 'win32' ? normaliseDriveLetter(name) : stripTrailingSlash(name);
    // When a path is mounted over twice, the last entry is the one visible.
    const found = volumes.findLast((v) => (platform === 'win32' ? v.target.toUpperCase() : v.target) === wanted);
    if (found) return found;
    // df names a mount it could not read ("Permission denied", "Stale file handle"): that, not "not mounted".
    const error = dfErrors.split('\n').find((line) => line.includes(`${wanted}:`));
    return unknownOutcome(name, error ? `Disk ${name} cannot be read: ${error.trim()}` : `Disk ${name} is not mounted`);
  });
}

function stripTrailingSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

async function readVolumes(
  named: string[],
  ctx: CheckContext,
): Promise<{ volumes: Volume[]; errors: string } | string> {
  if (ctx.platform === 'win32') {
    const text = await runPowerShell(windowsDiskScript(named), { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    return { volumes: parseWindowsDisks(parsePowerShellJson(text)), errors: '' };
  }
  const darwin = ctx.platform === 'darwin';
  // Without named mounts, -l keeps df away from network shares, where a dead server would hang it.
  const args = darwin ? [...(named.length === 0 ? ['-l'] : []), '-k', '-P'] : gnuDfArgs(named.length === 0);
  const r = await execFile('df', args, { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  if (r.spawnError) return describeSpawnError('df', r.spawnError);
  if (r.timedOut) return `df did not answer within ${ctx.timeoutMs} ms (a hung network mount?)`;
  // df exits 1 when some mount could not be read (permission, stale handle) but still lists the rest.
  if (r.stdout.trim() === '') return `df failed (exit ${r.code}): ${firstLine(r.stderr) || 'no output'}`;
  return { volumes: darwin ? parseBsdDf(r.stdout) : parseGnuDf(r.stdout), errors: r.stderr };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

export const diskCheck = defineCheck({
  kind: 'disk',
  summary: 'Free space (bytes, %, inodes) on every real local filesystem, or on the mounts named',
  options: {
    mounts: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        'mount points (Linux, macOS) or drive letters (Windows, "D:") to check, whatever their type; empty = every real local filesystem',
    }),
    warn_free_percent: Type.Number({
      minimum: 0,
      maximum: 100,
      default: DEFAULT_DISK_LEVELS.warning.freePercent,
      description: 'WARNING below this % free',
    }),
    crit_free_percent: Type.Number({
      minimum: 0,
      maximum: 100,
      default: DEFAULT_DISK_LEVELS.critical.freePercent,
      description: 'CRITICAL below this % free',
    }),
    warn_free_bytes: Type.String({
      pattern: SIZE_PATTERN,
      default: '0B',
      description:
        'also WARNING when free space is below this size, e.g. "20GB", on volumes at least 10x that size; 0 = off',
    }),
    crit_free_bytes: Type.String({
      pattern: SIZE_PATTERN,
      default: '0B',
      description:
        'also CRITICAL when free space is below this size, e.g. "5GB", on volumes at least 10x that size; 0 = off',
    }),
    warn_inodes_free_percent: Type.Number({
      minimum: 0,
      maximum: 100,
      default: 10,
      description: 'WARNING below this % of free inodes (where the filesystem has them)',
    }),
    crit_inodes_free_percent: Type.Number({
      minimum: 0,
      maximum: 100,
      default: 5,
      description: 'CRITICAL below this % of free inodes',
    }),
  },
  defaultInterval: '60s',
  defaultTimeout: '15s',
  async run(options, ctx) {
    let volumes: Awaited<ReturnType<typeof readVolumes>>;
    try {
      volumes = await readVolumes(options.mounts, ctx);
    } catch (error) {
      volumes = `cannot read volumes: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (typeof volumes === 'string') return [unknownOutcome('', volumes)];
    const thresholds: DiskThresholds = {
      warnFreePercent: options.warn_free_percent,
      critFreePercent: options.crit_free_percent,
      warnFreeBytes: parseSize(options.warn_free_bytes) ?? 0,
      critFreeBytes: parseSize(options.crit_free_bytes) ?? 0,
      warnInodesFreePercent: options.warn_inodes_free_percent,
      critInodesFreePercent: options.crit_inodes_free_percent,
    };
    const selected = selectVolumes(volumes.volumes, options.mounts, ctx.platform, volumes.errors);
    if (selected.length === 0) return [unknownOutcome('', 'df listed no real local filesystem to check')];
    return selected.map((v) => ('status' in v ? v : judgeVolume(v, thresholds)));
  },
});
