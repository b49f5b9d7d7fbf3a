import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { globToRegExp, judgeFileScan, scanBackupFolder } from './backup-file.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2024, 10, 22, 9, 0);
const thresholds = { warnMs: 26 * HOUR, critMs: 30 * HOUR };

let dir: string;

/** A file of `size` bytes whose mtime is `ageHours` before NOW. */
function backupFile(relPath: string, size: number, ageHours: number): string {
  const full = join(dir, relPath);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, Buffer.alloc(size, 1));
  const when = new Date(NOW - ageHours * HOUR);
  utimesSync(full, when, when);
  return full;
}

async function check(
  options: { path?: string; pattern?: string; maxDepth?: number; maxEntries?: number; minSize?: number } = {},
) {
  const path = options.path ?? dir;
  const pattern = options.pattern ?? '*';
  const scan = await scanBackupFolder({
    path,
    pattern,
    maxDepth: options.maxDepth ?? 3,
    maxEntries: options.maxEntries ?? 10_000,
    caseInsensitive: false,
  });
  return judgeFileScan(scan, { path, pattern, minSize: options.minSize ?? 1, thresholds, now: NOW });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-backup-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('file backup provider', () => {
  it('is OK when the newest backup is fresh and not empty, and names it with its size', async () => {
    backupFile('monday.tar', 2_000, 50);
    backupFile('tuesday.tar', 1_200_000_000 / 1000, 3);
    const outcome = await check();
    expect(outcome.status).toBe('OK');
    expect(outcome.message).toBe('the newest backup is 3 h old (tuesday.tar, 1.2 MB)');
    expect(outcome.values).toMatchObject({
      age_hours: { value: 3, unit: 'hours' },
      size_bytes: { value: 1_200_000, unit: 'bytes' },
      files: { value: 2, unit: 'count' },
      last_success: { value: NOW - 3 * HOUR, unit: 'epoch_ms' },
    });
  });

  it('warns when the newest backup is 27 h old', async () => {
    backupFile('nightly.tar', 4096, 27);
    const outcome = await check();
    expect(outcome.status).toBe('WARNING');
    expect(outcome.message).toBe('the newest backup is 27 h old (nightly.tar, 4.1 KB) — it should be less than 26 h');
  });

  it('is CRITICAL when the newest backup is 31 h old', async () => {
    backupFile('nightly.tar', 4096, 31);
    expect((await check()).status).toBe('CRITICAL');
  });

  it('is CRITICAL when the newest backup file is empty, even if it is fresh', async () => {
    backupFile('older.tar', 4096, 20);
    backupFile('newest.tar', 0, 1);
    const outcome = await check();
    expect(outcome.status).toBe('CRITICAL');
    expect(outcome.message).toBe('the newest backup file is empty (newest.tar, written 1 h ago)');
    expect(outcome.values['last_success']).toBeUndefined();
  });

  it('is CRITICAL when the newest backup is smaller than min_size', async () => {
    backupFile('nightly.vbk', 12_000, 1);
    const outcome = await check({ minSize: 1_000_000_000 });
    expect(outcome.status).toBe('CRITICAL');
    expect(outcome.message).toBe('the newest backup file is only 12.0 KB (nightly.vbk) — it should be at least 1.0 GB');
  });

  it('is CRITICAL when the backup folder does not exist, and suggests the drive is unplugged', async () => {
    const missing = join(dir, 'E-drive', 'Backups');
    const outcome = await check({ path: missing });
    expect(outcome.status).toBe('CRITICAL');
    expect(outcome.message).toBe(`backup folder ${missing} does not exist (is the backup drive connected?)`);
  });

  it('is CRITICAL when the backup folder holds no files', async () => {
    mkdirSync(join(dir, 'empty-subfolder'));
    const outcome = await check();
    expect(outcome.status).toBe('CRITICAL');
    expect(outcome.message).toBe(`no files in backup folder ${dir}`);
  });

  it('only counts files matching the pattern, found in subfolders up to max_depth', async () => {
    backupFile('2024-11/22/job.vbk', 100, 2);
    backupFile('2024-11/22/job.vbm', 100, 1);
    backupFile('a/b/c/d/deep.vbk', 100, 0.5);
    const outcome = await check({ pattern: '*.vbk', maxDepth: 3 });
    expect(outcome.status).toBe('OK');
    expect(outcome.message).toBe(`the newest backup is 2 h old (${join('2024-11', '22', 'job.vbk')}, 100 B)`);
    const shallow = await check({ pattern: '*.vbk', maxDepth: 1 });
    expect(shallow.message).toBe(`no files matching "*.vbk" in backup folder ${dir}`);
  });

  it('stops after max_files entries and says so', async () => {
    for (let i = 0; i < 10; i++) backupFile(`f${i}.bak`, 10, 1);
    const outcome = await check({ maxEntries: 3 });
    expect(outcome.message).toMatch(/stopped looking after the entry limit/);
    expect(outcome.values['files']).toEqual({ value: 3, unit: 'count' });
  });

  it('accepts a path naming one backup file', async () => {
    const file = backupFile('image.vhdx', 5_000, 2);
    const outcome = await check({ path: file });
    expect(outcome.status).toBe('OK');
    expect(outcome.message).toBe('the newest backup is 2 h old (image.vhdx, 5.0 KB)');
  });

  it('is UNKNOWN, not OK, when the scan was denied permission', () => {
    const outcome = judgeFileScan(
      { kind: 'denied', reason: 'EACCES' },
      { path: '/mnt/nas/backups', pattern: '*', minSize: 1, thresholds, now: NOW },
    );
    expect(outcome.status).toBe('UNKNOWN');
    expect(outcome.message).toBe(
      "permission denied reading backup folder /mnt/nas/backups (EACCES); the agent's account needs read access",
    );
  });
});

describe('backup file patterns', () => {
  it('matches * and ? against whole names and treats other characters literally', () => {
    const re = globToRegExp('backup-????-*.tar.gz', false);
    expect(re.test('backup-2024-11-22.tar.gz')).toBe(true);
    expect(re.test('backup-24-11.tar.gz')).toBe(false);
    expect(re.test('backup-2024-11-22.tarXgz')).toBe(false);
    expect(globToRegExp('*.VBK', true).test('job.vbk')).toBe(true);
    expect(globToRegExp('*.VBK', false).test('job.vbk')).toBe(false);
    expect(globToRegExp('a(1)+[x]', false).test('a(1)+[x]')).toBe(true);
  });
});
