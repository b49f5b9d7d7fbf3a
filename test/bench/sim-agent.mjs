// A simulated agent for the ingest benchmark: a host profile (platform, 1–3 disks, one watched
// service, maybe a disk that fills or a service that keeps stopping) and the check results its
// built-in checks would produce each simulated minute, shaped like the real agent's.
//
// Simulated time: check cycle k of an agent is stamped `base + k × 60 s` (the default interval
// of cpu, memory, disk and service; uptime runs every 5th cycle), whatever the real pace, so a
// run of minutes holds hours of data and rules that wait for durations really see them pass.

export const SIM_INTERVAL_MS = 60_000;
const GB = 1e9;

/** Deterministic per host index, so two runs simulate the same fleet. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// One host in ten has a disk that fills (0.5 point per simulated minute from 35 % to 1 %, held
// there 10 minutes, then cleaned up): it crosses the default warning (15 %, 15 min) and critical
// (5 %, 5 min) thresholds and resolves, so disk_space alerts fire and clear all run long.
const FILL = { from: 35, step: 0.5, floor: 1, holdCycles: 10 };
const FILL_PERIOD = Math.ceil((FILL.from - FILL.floor) / FILL.step) + FILL.holdCycles;
// One host in twenty has its service stopped 8 minutes out of every 40: 3 bad checks fire the
// default service rule, 2 good ones resolve it.
const STOP = { period: 40, stoppedCycles: 8 };

const WINDOWS_SERVICES = ['Spooler', 'EMRService', 'VeeamEndpointBackupSvc', 'W32Time', 'Dnscache'];

/** The profile of host number `index` (0-based). */
export function hostProfile(index) {
  const rnd = mulberry32(index * 7919 + 17);
  const kind = index % 10 === 0 ? 'server' : index % 10 === 1 ? 'linux' : 'workstation';
  const diskCount = 1 + Math.floor(rnd() * 3);
  const targets = kind === 'linux' ? ['/', '/var', '/srv'] : ['C:', 'D:', 'E:'];
  const disks = targets.slice(0, diskCount).map((target, i) => ({
    target,
    size: (i === 0 ? [256, 512, 1000][Math.floor(rnd() * 3)] : [1000, 2000, 4000][Math.floor(rnd() * 3)]) * GB,
    freePercent: 25 + rnd() * 50,
  }));
  const facts = {
    server: { platform: 'win32', os_release: 'Windows Server 2022 Standard 10.0.20348' },
    linux: { platform: 'linux', os_release: 'Debian GNU/Linux 12 (bookworm) 6.1.0-25-amd64' },
    workstation: { platform: 'win32', os_release: 'Windows 11 Pro 10.0.22631' },
  }[kind];
  return {
    index,
    hostname: `${kind === 'server' ? 'SRV' : kind === 'linux' ? 'lnx' : 'WS'}-${String(index).padStart(5, '0')}`,
    facts,
    cores: kind === 'workstation' ? 8 : 16,
    memTotal: (kind === 'workstation' ? 16 : 64) * 2 ** 30,
    disks,
    service: kind === 'linux' ? 'postgresql' : kind === 'server' ? 'MSSQLSERVER' : WINDOWS_SERVICES[index % 5],
    fills: index % 10 === 3,
    stops: index % 20 === 7,
    // Where in its fill / stop cycle the host starts, so alerts fire throughout a run.
    phase: Math.floor(rnd() * 1000),
    bootedCyclesAgo: Math.floor(rnd() * 20_000),
  };
}

/** Results per cycle averaged over the 5-cycle uptime period (what sets the fleet's report rate). */
export function reportsPerCycle(profile) {
  return 3 + profile.disks.length + 1 / 5;
}

function fillPercent(profile, cycle) {
  const k = (cycle + profile.phase) % FILL_PERIOD;
  return Math.max(FILL.floor, FILL.from - k * FILL.step);
}

const round1 = (n) => Math.round(n * 10) / 10;
const pct = (n) => ({ value: round1(n), unit: 'percent' });
const bytes = (n) => ({ value: Math.round(n), unit: 'bytes' });

function gb(n) {
  return n >= 100 * GB ? `${Math.round(n / GB)} GB` : `${(n / GB).toFixed(1)} GB`;
}

function diskStatus(free) {
  return free < 5 ? 'CRITICAL' : free < 15 ? 'WARNING' : 'OK';
}

function duration(seconds) {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  return d > 0 ? `${d} day${d === 1 ? '' : 's'} ${h} h` : `${h} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/**
 * The check results of one cycle, grouped by check run (the real agent ships each run's results
 * as they come). `ts` is the cycle's simulated time; `rnd` a random source for jitter.
 */
export function cycleResults(profile, cycle, ts, rnd = Math.random) {
  const run = (check, kind, target, status, values, message, offset) => ({
    check,
    kind,
    target,
    status,
    values,
    message,
    ts: ts + offset,
    duration_ms: round1(1 + rnd() * 20),
  });
  const groups = [];
  const cpu = 2 + rnd() * (profile.facts.platform === 'linux' ? 30 : 45);
  groups.push([
    run(
      'cpu',
      'cpu',
      '',
      'OK',
      { used_percent: pct(cpu), cores: { value: profile.cores, unit: 'count' } },
      `CPU is ${Math.round(cpu)} % used across all ${profile.cores} cores — fine`,
      3,
    ),
  ]);
  const avail = 30 + rnd() * 40;
  const availBytes = (profile.memTotal * avail) / 100;
  groups.push([
    run(
      'memory',
      'memory',
      '',
      'OK',
      {
        available_percent: pct(avail),
        available_bytes: bytes(availBytes),
        total_bytes: bytes(profile.memTotal),
        used_bytes: bytes(profile.memTotal - availBytes),
      },
      `Memory has ${Math.round(avail)} % available (${gb(availBytes)} of ${gb(profile.memTotal)}) — fine`,
      14,
    ),
  ]);
  groups.push(
    profile.disks.map((disk, i) => {
      const last = i === profile.disks.length - 1;
      const free = profile.fills && last ? fillPercent(profile, cycle) : disk.freePercent + (rnd() - 0.5) * 0.2;
      const freeBytes = (disk.size * free) / 100;
      const status = diskStatus(free);
      const verdict = status === 'OK' ? 'fine' : status === 'WARNING' ? 'getting low' : 'critically low';
      return run(
        'disk',
        'disk',
        disk.target,
        status,
        {
          free_percent: pct(free),
          free_bytes: bytes(freeBytes),
          size_bytes: bytes(disk.size),
          used_bytes: bytes(disk.size - freeBytes),
          fstype: { value: profile.facts.platform === 'linux' ? 'ext4' : 'NTFS' },
        },
        `Disk ${disk.target} has ${Math.round(free)} % free (${gb(freeBytes)} of ${gb(disk.size)}) — ${verdict}`,
        25 + i,
      );
    }),
  );
  const stopped = profile.stops && (cycle + profile.phase) % STOP.period < STOP.stoppedCycles;
  const windows = profile.facts.platform === 'win32';
  groups.push([
    run(
      'service',
      'service',
      profile.service,
      stopped ? 'CRITICAL' : 'OK',
      {
        state: { value: stopped ? 'stopped' : 'running' },
        start_mode: { value: windows ? 'auto' : 'enabled' },
      },
      `Service ${profile.service} ${stopped ? 'is stopped' : 'is running'}${windows ? ' (start mode: Automatic)' : ' (enabled)'}${
        stopped ? ' — it should be running' : ''
      }`,
      40,
    ),
  ]);
  if ((cycle + profile.phase) % 5 === 0) {
    const up = (profile.bootedCyclesAgo + cycle) * 60;
    groups.push([
      run(
        'uptime',
        'uptime',
        '',
        'OK',
        { uptime_seconds: { value: up, unit: 'seconds' }, reboot_pending: { value: false } },
        `Up ${duration(up)}, no reboot pending`,
        52,
      ),
    ]);
  }
  return groups;
}
