// A small, realistic MSP fleet for the dashboard's browser tests and screenshots: three practices,
// nine hosts, 26 hours of check results each, enrolled and ingested through the collector's real
// API. EMR-SRV01's data disk fills steadily and is below 5 % free (CRITICAL, with a forecast);
// a workstation is short of memory and a NAS and a workstation of disk (WARNING); a front desk PC
// had its EMR client service stopped for half an hour last night (a resolved alert).
import { gzipSync } from 'node:zlib';
import { createToken } from '../e2e/harness.js';

const GB = 1e9;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const HISTORY_MS = 26 * HOUR;

type Platform = 'server' | 'workstation' | 'linux';

interface Disk {
  target: string;
  sizeGb: number;
  /** Free percent at `ago` ms before now. */
  free: (ago: number) => number;
}

interface HostSpec {
  client: string;
  site: string;
  hostname: string;
  platform: Platform;
  intervalMin: number;
  disks: Disk[];
  /** Memory available percent at `ago`. */
  memory?: (ago: number) => number;
  service?: { name: string; stopped?: (ago: number) => boolean };
}

const wave = (ago: number, period: number, phase = 0) => Math.sin((2 * Math.PI * (ago + phase)) / period);
const flat =
  (percent: number, swing = 0.3) =>
  (ago: number) =>
    percent + swing * wave(ago, DAY);

/** The data disk of EMR-SRV01: 4.5 % free now, filling 0.05 points an hour (about 4 days left). */
export const FILLING_DISK = { target: 'D:', nowFree: 4.5, perHour: 0.05 };

export const NORTHSIDE = 'Northside Family Practice';
export const EASTSIDE = 'Eastside Dental';
export const HARBOR = 'Harbor Pediatrics';

export const FLEET: HostSpec[] = [
  {
    client: NORTHSIDE,
    site: 'Main St',
    hostname: 'EMR-SRV01',
    platform: 'server',
    intervalMin: 2,
    disks: [
      { target: 'C:', sizeGb: 250, free: flat(41.2) },
      {
        target: FILLING_DISK.target,
        sizeGb: 500,
        free: (ago) => FILLING_DISK.nowFree + (FILLING_DISK.perHour * ago) / HOUR + 0.04 * wave(ago, 3 * HOUR),
      },
    ],
    memory: (ago) => 38 + 6 * wave(ago, DAY, 5 * HOUR),
    service: { name: 'EMRService' },
  },
  {
    client: NORTHSIDE,
    site: 'Main St',
    hostname: 'FRONT-DESK-01',
    platform: 'workstation',
    intervalMin: 5,
    disks: [{ target: 'C:', sizeGb: 512, free: flat(63) }],
    service: { name: 'EMRClient', stopped: (ago) => ago > 10 * HOUR && ago < 10.5 * HOUR },
  },
  {
    client: NORTHSIDE,
    site: 'Main St',
    hostname: 'RECEPTION-02',
    platform: 'workstation',
    intervalMin: 5,
    disks: [{ target: 'C:', sizeGb: 256, free: flat(48) }],
    memory: (ago) => (ago < 2 * HOUR ? 7.5 : 35 + 5 * wave(ago, DAY)),
  },
  {
    client: NORTHSIDE,
    site: 'Main St',
    hostname: 'EXAM-ROOM-3',
    platform: 'workstation',
    intervalMin: 5,
    disks: [{ target: 'C:', sizeGb: 256, free: flat(71) }],
  },
  {
    client: NORTHSIDE,
    site: 'Westgate Clinic',
    hostname: 'NAS-WG',
    platform: 'linux',
    intervalMin: 5,
    disks: [
      { target: '/', sizeGb: 32, free: flat(66) },
      { target: '/volume1', sizeGb: 4000, free: flat(11.4, 0.1) },
    ],
  },
  {
    client: NORTHSIDE,
    site: 'Westgate Clinic',
    hostname: 'WG-PC-01',
    platform: 'workstation',
    intervalMin: 5,
    disks: [{ target: 'C:', sizeGb: 512, free: flat(58) }],
  },
  {
    client: EASTSIDE,
    site: 'Clinic',
    hostname: 'DENTAL-SRV',
    platform: 'server',
    intervalMin: 5,
    disks: [
      { target: 'C:', sizeGb: 250, free: flat(52) },
      { target: 'E:', sizeGb: 2000, free: flat(44) },
    ],
    service: { name: 'DentrixServer' },
  },
  {
    client: EASTSIDE,
    site: 'Clinic',
    hostname: 'XRAY-WS',
    platform: 'workstation',
    intervalMin: 5,
    disks: [{ target: 'C:', sizeGb: 1000, free: flat(37) }],
  },
  {
    client: HARBOR,
    site: 'Harbor Rd',
    hostname: 'HP-SRV01',
    platform: 'server',
    intervalMin: 5,
    disks: [{ target: 'C:', sizeGb: 500, free: flat(61) }],
  },
  {
    client: HARBOR,
    site: 'Harbor Rd',
    hostname: 'HP-WS-02',
    platform: 'workstation',
    intervalMin: 5,
    disks: [{ target: 'C:', sizeGb: 256, free: flat(12.6, 0.1) }],
  },
];

const FACTS: Record<Platform, { platform: string; os_release: string }> = {
  server: { platform: 'win32', os_release: 'Windows Server 2022 Standard 10.0.20348' },
  workstation: { platform: 'win32', os_release: 'Windows 11 Pro 10.0.22631' },
  linux: { platform: 'linux', os_release: 'Debian GNU/Linux 12 (bookworm) 6.1.0-25-amd64' },
};

const r1 = (n: number) => Math.round(n * 10) / 10;
const gb = (bytes: number) => (bytes >= 100 * GB ? `${Math.round(bytes / GB)} GB` : `${(bytes / GB).toFixed(1)} GB`);

/** A deterministic jitter source per host, so screenshots look the same run to run. */
function jitter(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function results(spec: HostSpec, ts: number, ago: number, cycle: number, rnd: () => number) {
  const out: Record<string, unknown>[] = [];
  const push = (check: string, target: string, status: string, values: object, message: string, offset: number) =>
    out.push({ check, kind: check, target, status, values, message, ts: ts + offset, duration_ms: 4 });
  const busy = spec.platform === 'workstation' ? 12 : 22;
  const cpu = Math.max(1, busy + 10 * wave(ago, DAY, 15 * HOUR) + rnd() * 14);
  push(
    'cpu',
    '',
    'OK',
    { used_percent: { value: r1(cpu), unit: 'percent' }, cores: { value: 8, unit: 'count' } },
    `CPU is ${Math.round(cpu)} % used across all 8 cores — fine`,
    1000,
  );
  const total = (spec.platform === 'workstation' ? 16 : 64) * GB;
  const avail = Math.max(1, (spec.memory ?? ((a) => 40 + 8 * wave(a, DAY)))(ago) + (rnd() - 0.5) * 2);
  const memStatus = avail < 10 ? 'WARNING' : 'OK';
  push(
    'memory',
    '',
    memStatus,
    {
      available_percent: { value: r1(avail), unit: 'percent' },
      available_bytes: { value: Math.round((total * avail) / 100), unit: 'bytes' },
      total_bytes: { value: total, unit: 'bytes' },
    },
    `Memory has ${Math.round(avail)} % available (${gb((total * avail) / 100)} of ${gb(total)})${memStatus === 'OK' ? ' — fine' : ' — below 10 %'}`,
    2000,
  );
  spec.disks.forEach((disk, i) => {
    const free = disk.free(ago);
    const size = disk.sizeGb * GB;
    const freeBytes = (size * free) / 100;
    const status = free < 5 ? 'CRITICAL' : free < 15 ? 'WARNING' : 'OK';
    const verdict = status === 'OK' ? 'fine' : status === 'WARNING' ? 'getting low' : 'critically low';
    push(
      'disk',
      disk.target,
      status,
      {
        free_percent: { value: r1(free), unit: 'percent' },
        free_bytes: { value: Math.round(freeBytes), unit: 'bytes' },
        size_bytes: { value: size, unit: 'bytes' },
        used_bytes: { value: Math.round(size - freeBytes), unit: 'bytes' },
      },
      `Disk ${disk.target} has ${r1(free)} % free (${gb(freeBytes)} of ${gb(size)}) — ${verdict}`,
      3000 + i,
    );
  });
  if (spec.service) {
    const stopped = spec.service.stopped?.(ago) ?? false;
    push(
      'service',
      spec.service.name,
      stopped ? 'CRITICAL' : 'OK',
      { state: { value: stopped ? 'stopped' : 'running' }, start_mode: { value: 'auto' } },
      `Service ${spec.service.name} ${stopped ? 'is stopped — it should be running' : 'is running (start mode: Automatic)'}`,
      4000,
    );
  }
  if (cycle % Math.max(1, Math.round(15 / spec.intervalMin)) === 0) {
    const up = 9 * 86_400 + (HISTORY_MS - ago) / 1000;
    push(
      'uptime',
      '',
      'OK',
      { uptime_seconds: { value: Math.round(up), unit: 'seconds' }, reboot_pending: { value: false } },
      `Up ${Math.floor(up / 86_400)} days, no reboot pending`,
      5000,
    );
  }
  return out;
}

export interface SeededHost {
  agentId: string;
  hostname: string;
  client: string;
  site: string;
}

async function ingest(url: string, agentId: string, secret: string, reports: unknown[]): Promise<void> {
  const body = gzipSync(
    JSON.stringify({
      agent_id: agentId,
      reports,
      agent: { boot_id: 'seed', version: '0.1.0', dropped_total: 0, buffer_depth: 0, state: 'running' },
    }),
  );
  const res = await fetch(`${url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${secret}` },
    body,
  });
  if (res.status !== 200) throw new Error(`ingest for ${agentId}: ${res.status} ${await res.text()}`);
}

/** Enrolls every host of FLEET and ingests its history, ending at `now`. */
export async function seedFleet(url: string, dataDir: string, now = Date.now()): Promise<Map<string, SeededHost>> {
  const tokens = new Map<string, string>();
  const hosts = new Map<string, SeededHost>();
  for (const [index, spec] of FLEET.entries()) {
    const key = `${spec.client}\n${spec.site}`;
    if (!tokens.has(key)) tokens.set(key, createToken(dataDir, spec.client, spec.site));
    const enroll = await fetch(`${url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: tokens.get(key),
        host: { hostname: spec.hostname, arch: 'x64', agent_version: '0.1.0', ...FACTS[spec.platform] },
      }),
    });
    if (enroll.status !== 200) throw new Error(`enroll ${spec.hostname}: ${enroll.status} ${await enroll.text()}`);
    const { agent_id: agentId, secret } = (await enroll.json()) as { agent_id: string; secret: string };
    const rnd = jitter(index * 7919 + 17);
    const step = spec.intervalMin * MINUTE;
    const start = now - HISTORY_MS;
    let seq = start;
    let batch: unknown[] = [];
    for (let ts = start, cycle = 0; ts <= now - 5000; ts += step, cycle++) {
      for (const result of results(spec, ts, now - ts, cycle, rnd)) batch.push({ seq: seq++, boot_id: 'seed', result });
      if (batch.length >= 4000) {
        await ingest(url, agentId, secret, batch);
        batch = [];
      }
    }
    if (batch.length > 0) await ingest(url, agentId, secret, batch);
    hosts.set(spec.hostname, { agentId, hostname: spec.hostname, client: spec.client, site: spec.site });
  }
  return hosts;
}
