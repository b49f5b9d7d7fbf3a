// The df / Win32_LogicalDisk parsers and the volume selection, on output captured from real machines.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePowerShellJson } from '../platform/powershell.js';
import { judgeVolume, selectVolumes } from './disk.js';
import {
  DiskOutputError,
  gnuDfArgs,
  parseBsdDf,
  parseGnuDf,
  parseWindowsDisks,
  type Volume,
  windowsDiskScript,
} from './disk-volumes.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/disk/${name}`, import.meta.url), 'utf8');
const targets = (selected: ReturnType<typeof selectVolumes>) => selected.map((v) => v.target);
const thresholds = {
  warnFreePercent: 15,
  critFreePercent: 5,
  warnFreeBytes: 0,
  critFreeBytes: 0,
  warnInodesFreePercent: 10,
  critInodesFreePercent: 5,
};

describe('GNU df', () => {
  const volumes = parseGnuDf(fixture('gnu-df-ubuntu-docker-host.txt'));

  it('reads every row, including sources and mount points with spaces', () => {
    expect(volumes).toHaveLength(33);
    const share = volumes.find((v) => v.target === '/mnt/practice share');
    expect(share).toMatchObject({ source: '//nas01/Practice Share', fstype: 'cifs', availBytes: 1734579884032 });
    expect(share?.inodes).toBeUndefined();
  });

  it('reads bytes and inodes, and leaves inodes out where the filesystem has none', () => {
    const root = volumes.find((v) => v.target === '/');
    expect(root).toEqual({
      target: '/',
      source: '/dev/mapper/ubuntu--vg-ubuntu--lv',
      fstype: 'ext4',
      sizeBytes: 100861726720,
      usedBytes: 95168937984,
      availBytes: 546508800,
      inodes: { total: 6291456, free: 5879455 },
    });
    expect(volumes.find((v) => v.target === '/boot/efi')?.inodes).toBeUndefined();
  });

  it('keeps only real local filesystems by default and one mount per device', () => {
    expect(targets(selectVolumes(volumes, [], 'linux'))).toEqual([
      '/',
      '/boot',
      '/boot/efi',
      '/srv/backup',
      '/var/spool/imaging',
    ]);
  });

  it('checks a named mount whatever its type, and says when a named mount is missing', () => {
    const selected = selectVolumes(volumes, ['/run/lock', '/mnt/scans/', '/mnt/nothing'], 'linux');
    expect(targets(selected)).toEqual(['/run/lock', '/mnt/scans', '/mnt/nothing']);
    expect(selected[2]).toMatchObject({ status: 'UNKNOWN', message: 'Disk /mnt/nothing is not mounted' });
  });

  it("passes on df's own error for a named mount it could not read, instead of not mounted", () => {
    const [result] = selectVolumes(volumes, ['/mnt/nas'], 'linux', 'df: /mnt/nas: Stale file handle\n');
    expect(result).toMatchObject({
      status: 'UNKNOWN',
      message: 'Disk /mnt/nas cannot be read: df: /mnt/nas: Stale file handle',
    });
  });

  it('judges a nearly full root CRITICAL and an inode-exhausted volume CRITICAL despite free bytes', () => {
    const root = judgeVolume(volumes.find((v) => v.target === '/') as Volume, thresholds);
    expect(root.status).toBe('CRITICAL');
    expect(root.message).toBe('Disk / has 0.6 % free (547 MB of 95.7 GB) — critically low');
    expect(Object.keys(root.values)[0]).toBe('free_percent');
    const imaging = judgeVolume(volumes.find((v) => v.target === '/var/spool/imaging') as Volume, thresholds);
    expect(imaging.status).toBe('CRITICAL');
    expect(imaging.message).toMatch(/has 55 % free .*, but only 0\.0 % of its inodes free — critically low$/);
  });

  it('lets a free-bytes floor trigger when the percentage alone is fine, but only on a volume at least 10x the floor', () => {
    const backup = volumes.find((v) => v.target === '/srv/backup') as Volume;
    expect(judgeVolume(backup, thresholds).status).toBe('OK');
    // 8 % free: fine for percent thresholds of 5 / 2; a floor of a tenth of the volume is crossed.
    const usable = backup.usedBytes + backup.availBytes;
    const low = { ...backup, availBytes: Math.round(usable * 0.08), usedBytes: Math.round(usable * 0.92) };
    const percentOnly = { ...thresholds, warnFreePercent: 5, critFreePercent: 2 };
    expect(judgeVolume(low, percentOnly).status).toBe('OK');
    expect(judgeVolume(low, { ...percentOnly, warnFreeBytes: Math.floor(low.sizeBytes / 10) }).status).toBe('WARNING');
    expect(judgeVolume(low, { ...percentOnly, critFreeBytes: Math.floor(low.sizeBytes / 10) }).message).toMatch(
      /— critically low$/,
    );
    // A floor larger than a tenth of the volume never marks it on its own (SPEC 4.3: small volumes).
    expect(judgeVolume(low, { ...percentOnly, warnFreeBytes: low.sizeBytes }).status).toBe('OK');
  });

  it('rejects output without the header or with a cut-off row', () => {
    expect(() => parseGnuDf(fixture('gnu-df-no-header.txt'))).toThrow(DiskOutputError);
    expect(() => parseGnuDf('')).toThrow(/no header/);
    expect(() => parseGnuDf(fixture('gnu-df-truncated.txt'))).toThrow(/cannot read df line "\/dev\/sda2/);
  });

  it('skips a mount df may not stat (all "-") instead of failing every volume', () => {
    const text = [
      'Filesystem     Type  Inodes IUsed IFree         1B-blocks          Used         Avail Mounted on',
      '/dev/sda1      ext4  655360 10000 645360       10000000000    4000000000    6000000000 /',
      'vitals-detect  -          -     -     -                 -             -             - /tmp/vitals-detect-Fl',
    ].join('\n');
    expect(parseGnuDf(text).map((v) => v.target)).toEqual(['/']);
  });

  it('asks df for local filesystems only when no mount is named', () => {
    expect(gnuDfArgs(true)).toContain('-l');
    expect(gnuDfArgs(false)).not.toContain('-l');
  });
});

describe('macOS df -k -P', () => {
  const volumes = parseBsdDf(fixture('macos-df-kP.txt'));

  it('reads 1024-byte blocks into bytes', () => {
    expect(volumes.find((v) => v.target === '/')).toMatchObject({
      source: '/dev/disk3s1s1',
      sizeBytes: 482797652 * 1024,
      availBytes: 233468524 * 1024,
    });
  });

  it('keeps /, Data and external disks; drops devfs, autofs maps, system helper volumes and shares', () => {
    expect(targets(selectVolumes(volumes, [], 'darwin'))).toEqual([
      '/',
      '/System/Volumes/Data',
      '/Volumes/Time Machine',
    ]);
  });

  it('judges the nearly full Time Machine disk CRITICAL', () => {
    const tm = judgeVolume(volumes.find((v) => v.target === '/Volumes/Time Machine') as Volume, thresholds);
    expect(tm.status).toBe('CRITICAL');
    expect(tm.message).toMatch(
      /^Disk \/Volumes\/Time Machine has 3\.3 % free \(65\.6 GB of 2\.0 TB\) — critically low$/,
    );
  });

  it('rejects a garbled row', () => {
    expect(() => parseBsdDf(fixture('macos-df-garbled.txt'))).toThrow(DiskOutputError);
    expect(() => parseBsdDf(fixture('gnu-df-no-header.txt'))).toThrow(/no POSIX header/);
  });
});

describe('Windows Win32_LogicalDisk', () => {
  it('reads fixed drives and skips a drive with no medium', () => {
    const volumes = parseWindowsDisks(parsePowerShellJson(fixture('windows-logicaldisk.json')));
    expect(volumes.map((v) => [v.target, v.fstype])).toEqual([
      ['C:', 'NTFS'],
      ['D:', 'ReFS'],
    ]);
    const c = judgeVolume(volumes[0] as Volume, thresholds);
    expect(c.status).toBe('CRITICAL');
    expect(c.message).toBe('Disk C: has 3.8 % free (9.7 GB of 255 GB) — critically low');
  });

  it('finds a named drive letter however it is written', () => {
    const volumes = parseWindowsDisks(parsePowerShellJson(fixture('windows-logicaldisk.json')));
    expect(targets(selectVolumes(volumes, ['d:\\'], 'win32'))).toEqual(['D:']);
    expect(windowsDiskScript(['e:\\'])).toContain(`DriveType=3 OR DeviceID='E:'`);
  });

  it('rejects rows without a DeviceID', () => {
    expect(() => parseWindowsDisks(parsePowerShellJson(fixture('windows-logicaldisk-malformed.json')))).toThrow(
      /no DeviceID/,
    );
  });
});
