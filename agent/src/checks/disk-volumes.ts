// Where the disk check's volumes come from on each OS (GNU df, macOS df -P, Win32_LogicalDisk) and
// which of them are real local filesystems. Parsers are pure so captured output is their test.

export interface Volume {
  /** Mount point (Linux, macOS) or drive letter (Windows): the result's target. */
  target: string;
  source: string;
  /** Empty when the OS tool does not say (macOS df -P). */
  fstype: string;
  sizeBytes: number;
  usedBytes: number;
  /** What an ordinary user can still write (excludes root-reserved blocks). */
  availBytes: number;
  /** Only where the filesystem has a fixed inode table (not btrfs, vfat, NTFS). */
  inodes?: { total: number; free: number };
}

export class DiskOutputError extends Error {
  override name = 'DiskOutputError';
}

// Kernel and container filesystems that hold no user data, or whose "free space" is RAM.
const VIRTUAL_TYPES = new Set([
  'tmpfs',
  'devtmpfs',
  'ramfs',
  'overlay',
  'overlayfs',
  'aufs',
  'squashfs',
  'proc',
  'sysfs',
  'devpts',
  'securityfs',
  'pstore',
  'efivarfs',
  'bpf',
  'tracefs',
  'debugfs',
  'configfs',
  'fusectl',
  'hugetlbfs',
  'mqueue',
  'autofs',
  'binfmt_misc',
  'nsfs',
  'rpc_pipefs',
  'nfsd',
  'selinuxfs',
  'iso9660',
  'udf',
  'devfs',
]);
// FUSE helpers that expose views of other things (container /proc, snap images, desktop portals).
const VIRTUAL_FUSE = /^fuse\.(lxcfs|gvfsd-fuse|gvfs-fuse-daemon|portal|snapfuse|xdg-document-portal|kio-fuse)$/;
// Network filesystems are someone else's disk; they are checked only when named.
const NETWORK_TYPES = /^(nfs4?|cifs|smb3?|smbfs|afpfs|sshfs|fuse\.sshfs|fuse\.rclone|davfs|9p|ceph|glusterfs|lustre)$/;

export function isVirtualFsType(fstype: string): boolean {
  return VIRTUAL_TYPES.has(fstype) || fstype.startsWith('cgroup') || VIRTUAL_FUSE.test(fstype);
}

/** True for filesystems the disk check reports without being told to. */
export function isRealLocalVolume(v: Volume, platform: NodeJS.Platform): boolean {
  if (v.sizeBytes === 0) return false; // every pseudo filesystem df -a lists reports size 0
  if (platform === 'darwin') return isRealDarwinVolume(v);
  return !isVirtualFsType(v.fstype) && !NETWORK_TYPES.test(v.fstype);
}

function isRealDarwinVolume(v: Volume): boolean {
  if (v.source === 'devfs' || v.source.startsWith('map ')) return false; // devfs, autofs maps
  if (v.source.startsWith('//') || /^[^/]+:\//.test(v.source)) return false; // smb, nfs
  // The sealed system snapshot's helpers (VM, Preboot, Update, xarts…) share the APFS container
  // with / and Data; only Data holds user files.
  if (v.target.startsWith('/System/Volumes/')) return v.target === '/System/Volumes/Data';
  return true;
}

/**
 * Keeps one entry per device: bind mounts (Docker's /etc/hosts, /var/lib/kubelet…) repeat the
 * same filesystem under other paths. The shortest path is the one a person recognises.
 */
export function dropDuplicateDevices(volumes: Volume[]): Volume[] {
  const byDevice = new Map<string, Volume>();
  for (const v of volumes) {
    const key = `${v.source}\0${v.fstype}`;
    const seen = byDevice.get(key);
    if (!seen || v.target.length < seen.target.length) byDevice.set(key, v);
  }
  const kept = new Set(byDevice.values());
  return volumes.filter((v) => kept.has(v));
}

const COUNT = String.raw`(\d+|-)`;
// source may contain spaces ("//nas/scan share"), target too; the numeric columns anchor both.
const GNU_ROW = new RegExp(String.raw`^(.+?)\s+(\S+)\s+${COUNT}\s+${COUNT}\s+${COUNT}\s+(\d+)\s+(\d+)\s+(\d+)\s+(.+)$`);

/** The command line whose output parseGnuDf reads; -l skips network mounts so a dead NFS server cannot hang df. */
export function gnuDfArgs(localOnly: boolean): string[] {
  return [
    ...(localOnly ? ['-l'] : []),
    '-a',
    '-B1',
    '--output=source,fstype,itotal,iused,iavail,size,used,avail,target',
  ];
}

// df prints "-" in every number column for a mount it may not stat (another user's private
// mount, a pseudo file system under -a): nothing to report, and no reason to fail the others.
const GNU_UNREADABLE = /^(.+?)\s+(\S+)(\s+-){6}\s+(.+)$/;

/** `df -a -B1 --output=source,fstype,itotal,iused,iavail,size,used,avail,target` (GNU coreutils). */
export function parseGnuDf(text: string): Volume[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (!/^Filesystem\s+Type\s+Inodes/.test(lines[0] ?? '')) {
    throw new DiskOutputError(`df printed no header (got "${(lines[0] ?? '').slice(0, 60)}")`);
  }
  return lines.slice(1).flatMap((line) => {
    if (GNU_UNREADABLE.test(line)) return [];
    const m = GNU_ROW.exec(line);
    if (!m) throw new DiskOutputError(`cannot read df line "${line.slice(0, 120)}"`);
    const [, source, fstype, itotal, , iavail, size, used, avail, target] = m as unknown as string[];
    const total = itotal === '-' ? 0 : Number(itotal);
    return {
      target: target as string,
      source: source as string,
      fstype: fstype as string,
      sizeBytes: Number(size),
      usedBytes: Number(used),
      availBytes: Number(avail),
      ...(total > 0 ? { inodes: { total, free: Number(iavail) } } : {}),
    };
  });
}

const BSD_ROW = /^(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(.+)$/;

/** macOS `df -k -P`: POSIX format, 1024-byte blocks, no type column, no inodes. */
export function parseBsdDf(text: string): Volume[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (!/^Filesystem\s+1024-blocks\s+Used\s+Avail/.test(lines[0] ?? '')) {
    throw new DiskOutputError(`df printed no POSIX header (got "${(lines[0] ?? '').slice(0, 60)}")`);
  }
  return lines.slice(1).map((line) => {
    const m = BSD_ROW.exec(line);
    if (!m) throw new DiskOutputError(`cannot read df line "${line.slice(0, 120)}"`);
    const [, source, blocks, used, avail, , target] = m as unknown as string[];
    return {
      target: target as string,
      source: source as string,
      fstype: '',
      sizeBytes: Number(blocks) * 1024,
      usedBytes: Number(used) * 1024,
      availBytes: Number(avail) * 1024,
    };
  });
}

/**
 * Win32_LogicalDisk, one CIM query in the shared PowerShell. DriveType 3 = local fixed disk; a
 * named drive (USB backup disk = 2, mapped share = 4) is asked for by its letter.
 */
export function windowsDiskScript(named: string[]): string {
  const letters = named.map((n) => normaliseDriveLetter(n)).filter((n) => /^[A-Z]:$/.test(n));
  const filter = ['DriveType=3', ...letters.map((l) => `DeviceID='${l}'`)].join(' OR ');
  return `Get-CimInstance Win32_LogicalDisk -Filter "${filter}" | Select-Object DeviceID,DriveType,FileSystem,Size,FreeSpace | ConvertTo-Json`;
}

export function normaliseDriveLetter(name: string): string {
  return name.replace(/[\\/]+$/, '').toUpperCase();
}

/** Parsed ConvertTo-Json rows of windowsDiskScript. Drives with no medium report Size null and are skipped. */
export function parseWindowsDisks(rows: unknown[]): Volume[] {
  return rows.flatMap((row) => {
    if (typeof row !== 'object' || row === null) throw new DiskOutputError('Win32_LogicalDisk row is not an object');
    const r = row as Record<string, unknown>;
    if (typeof r.DeviceID !== 'string') throw new DiskOutputError('Win32_LogicalDisk row has no DeviceID');
    if (typeof r.Size !== 'number' || typeof r.FreeSpace !== 'number') return [];
    return [
      {
        target: r.DeviceID,
        source: r.DeviceID,
        fstype: typeof r.FileSystem === 'string' ? r.FileSystem : '',
        sizeBytes: r.Size,
        usedBytes: r.Size - r.FreeSpace,
        availBytes: r.FreeSpace,
      },
    ];
  });
}
