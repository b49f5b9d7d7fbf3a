// The `file` backup provider: the newest file under a folder (bounded depth and entry count) judged by
// its age and size. Privacy: only names and stat() — a file's contents are never opened.
import { type Dirent, promises as fs, type Stats } from 'node:fs';
import { join, relative } from 'node:path';
import { formatBytes, type Measurement } from '@vitals/shared';
import { type AgeThresholds, ageHoursValue, ageStatus, formatAge } from './backup-age.js';
import type { CheckOutcome } from './check.js';

export interface FileScanOptions {
  path: string;
  /** Matched against file names (not folders): `*` any run of characters, `?` one character. */
  pattern: string;
  /** 0 = only the folder itself; 3 = up to three levels of subfolders. */
  maxDepth: number;
  /** Directory entries examined before the scan stops, so a huge share cannot stall the check. */
  maxEntries: number;
  caseInsensitive: boolean;
  signal?: AbortSignal;
}

export interface BackupFile {
  /** Relative to the scanned folder, e.g. "2024-11/nightly.tar". */
  name: string;
  mtimeMs: number;
  size: number;
}

export type FileScan =
  | { kind: 'missing' }
  | { kind: 'denied'; reason: string }
  | { kind: 'scanned'; newest?: BackupFile; matched: number; truncated: boolean; unreadable: number };

export function globToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

const DENIED = new Set(['EACCES', 'EPERM']);

export async function scanBackupFolder(options: FileScanOptions): Promise<FileScan> {
  let root: Stats;
  try {
    root = await fs.stat(options.path);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    if (code !== undefined && DENIED.has(code)) return { kind: 'denied', reason: code };
    throw error;
  }
  // A path naming one file (an image that is overwritten each night) is that backup itself.
  if (root.isFile()) {
    const name = options.path.split(/[\\/]/).pop() ?? options.path;
    return {
      kind: 'scanned',
      newest: { name, mtimeMs: root.mtimeMs, size: root.size },
      matched: 1,
      truncated: false,
      unreadable: 0,
    };
  }

  const match = globToRegExp(options.pattern, options.caseInsensitive);
  const queue: { dir: string; depth: number }[] = [{ dir: options.path, depth: 0 }];
  let newest: BackupFile | undefined;
  let matched = 0;
  let entries = 0;
  let unreadable = 0;
  let truncated = false;
  while (queue.length > 0 && !truncated) {
    options.signal?.throwIfAborted();
    const { dir, depth } = queue.shift() as { dir: string; depth: number };
    let handle: AsyncIterable<Dirent>;
    try {
      handle = await fs.opendir(dir);
    } catch (error) {
      const code = errnoCode(error);
      if (dir === options.path && code !== undefined && DENIED.has(code)) return { kind: 'denied', reason: code };
      if (code !== 'ENOENT') unreadable++;
      continue;
    }
    for await (const entry of handle) {
      if (++entries > options.maxEntries) {
        truncated = true;
        break;
      }
      const full = join(dir, entry.name);
      // Symlinked folders are not followed: a link back up the tree would loop.
      if (entry.isDirectory()) {
        if (depth < options.maxDepth) queue.push({ dir: full, depth: depth + 1 });
        continue;
      }
      if (!(entry.isFile() || entry.isSymbolicLink()) || !match.test(entry.name)) continue;
      let stat: Stats;
      try {
        stat = await fs.stat(full);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') unreadable++;
        continue;
      }
      if (!stat.isFile()) continue;
      matched++;
      if (!newest || stat.mtimeMs > newest.mtimeMs)
        newest = { name: relative(options.path, full), mtimeMs: stat.mtimeMs, size: stat.size };
    }
  }
  return { kind: 'scanned', newest, matched, truncated, unreadable };
}

export interface FileJudgement {
  path: string;
  pattern: string;
  minSize: number;
  thresholds: AgeThresholds;
  now: number;
}

/** Pure verdict on a scan: fresh and non-empty is OK; old, empty, missing or absent is not. */
export function judgeFileScan(scan: FileScan, j: FileJudgement): CheckOutcome {
  const target = j.path;
  if (scan.kind === 'missing')
    return {
      target,
      status: 'CRITICAL',
      values: {},
      message: `backup folder ${j.path} does not exist (is the backup drive connected?)`,
    };
  if (scan.kind === 'denied')
    return {
      target,
      status: 'UNKNOWN',
      values: {},
      message: `permission denied reading backup folder ${j.path} (${scan.reason}); the agent's account needs read access`,
    };
  const note = scan.truncated ? ' (stopped looking after the entry limit; raise max_files or narrow the path)' : '';
  const { newest } = scan;
  if (!newest) {
    if (scan.unreadable > 0)
      return {
        target,
        status: 'UNKNOWN',
        values: {},
        message: `no readable backup file in ${j.path}: ${scan.unreadable} entries could not be read (permission denied?)${note}`,
      };
    const which = j.pattern === '*' ? 'no files' : `no files matching "${j.pattern}"`;
    return {
      target,
      status: 'CRITICAL',
      values: { files: { value: 0, unit: 'count' } },
      message: `${which} in backup folder ${j.path}${note}`,
    };
  }

  const ageMs = Math.max(0, j.now - newest.mtimeMs);
  const values: Record<string, Measurement> = {
    age_hours: ageHoursValue(ageMs),
    size_bytes: { value: newest.size, unit: 'bytes' },
    files: { value: scan.matched, unit: 'count' },
  };
  if (newest.size === 0)
    return {
      target,
      status: 'CRITICAL',
      values,
      message: `the newest backup file is empty (${newest.name}, written ${formatAge(ageMs)} ago)${note}`,
    };
  if (newest.size < j.minSize)
    return {
      target,
      status: 'CRITICAL',
      values,
      message: `the newest backup file is only ${formatBytes(newest.size)} (${newest.name}) — it should be at least ${formatBytes(j.minSize)}${note}`,
    };
  const status = ageStatus(ageMs, j.thresholds);
  // Only a non-empty file counts as a backup that happened.
  values.last_success = { value: newest.mtimeMs, unit: 'epoch_ms' };
  const head = `the newest backup is ${formatAge(ageMs)} old (${newest.name}, ${formatBytes(newest.size)})`;
  const tail = status === 'OK' ? '' : ` — it should be less than ${formatAge(j.thresholds.warnMs)}`;
  return { target, status, values, message: `${head}${tail}${note}` };
}
