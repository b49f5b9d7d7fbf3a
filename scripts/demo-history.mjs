// The demo's made-up server "DEMO-EMR-SRV (demo data)": enrolled with a real token and fed through the
// real ingest API — a few days of past history on the first run, then a report a minute while the demo runs.
// Its data disk fills slowly, so the host page shows charts on every range and a "full in about N days".
import { gzipSync } from 'node:zlib';

export const DEMO_HOSTNAME = 'DEMO-EMR-SRV (demo data)';
export const HISTORY_DAYS = 6;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const GB = 1e9;
const BATCH = 4000;
const BOOT = 'demo-history';
const VERSION = 'demo';
const CORES = 8;
const MEM_TOTAL = 32 * 2 ** 30;
// C: holds the system and stays steady; D: holds the EMR data and fills 1 point a day from 28 % free,
// until an archive run every 12 days frees it again (so a demo kept for weeks never runs it full).
const FILL_PERIOD = 12 * DAY;
const DISKS = [
  { target: 'C:', size: 256 * GB, free: () => 0.46 },
  { target: 'D:', size: 2000 * GB, free: (ts, start) => 0.28 - (((ts - start) % FILL_PERIOD) / DAY) * 0.01 },
];

const round1 = (n) => Math.round(n * 10) / 10;
const pct = (n) => ({ value: round1(n), unit: 'percent' });
const bytes = (n) => ({ value: Math.round(n), unit: 'bytes' });
const gb = (n) => (n >= 100 * GB ? `${Math.round(n / GB)} GB` : `${(n / GB).toFixed(1)} GB`);

/** Deterministic noise in [0, 1) from a timestamp, so a minute always looks the same. */
function noise(ts, salt) {
  let t = (Math.floor(ts / MINUTE) * 2654435761 + salt * 40503) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Busy in practice hours (08–18 local), quiet at night, a backup spike at 01:00. */
function cpuAt(ts) {
  const hour = new Date(ts).getHours() + new Date(ts).getMinutes() / 60;
  const office = hour >= 8 && hour < 18 ? 25 + 15 * Math.sin(((hour - 8) / 10) * Math.PI) : 6;
  const backup = hour >= 1 && hour < 1.75 ? 45 : 0;
  return Math.min(100, office + backup + noise(ts, 1) * 8);
}

/** The results of one check cycle at `ts` (what the real agent's built-in checks send). */
export function demoResults(ts, start) {
  const at = (offset) => ts + offset;
  const r = (check, target, status, values, message, offset) => ({
    check,
    kind: check,
    target,
    status,
    values,
    message,
    ts: at(offset),
    duration_ms: round1(1 + noise(ts, offset) * 10),
  });
  const cpu = cpuAt(ts);
  const avail = 38 + 10 * Math.sin(((ts % DAY) / DAY) * 2 * Math.PI) + noise(ts, 2) * 4;
  const availBytes = (MEM_TOTAL * avail) / 100;
  const out = [
    r(
      'cpu',
      '',
      'OK',
      { used_percent: pct(cpu), cores: { value: CORES, unit: 'count' } },
      `CPU is ${Math.round(cpu)} % used across all ${CORES} cores — fine`,
      3,
    ),
    r(
      'memory',
      '',
      'OK',
      {
        available_percent: pct(avail),
        available_bytes: bytes(availBytes),
        total_bytes: bytes(MEM_TOTAL),
        used_bytes: bytes(MEM_TOTAL - availBytes),
      },
      `Memory has ${Math.round(avail)} % available (${gb(availBytes)} of ${gb(MEM_TOTAL)}) — fine`,
      14,
    ),
    ...DISKS.map((d, i) => {
      const freeBytes = d.size * Math.max(0.01, d.free(ts, start) + (noise(ts, 10 + i) - 0.5) * 0.0004);
      const free = (freeBytes / d.size) * 100;
      return r(
        'disk',
        d.target,
        free < 5 ? 'CRITICAL' : free < 15 ? 'WARNING' : 'OK',
        {
          free_percent: pct(free),
          free_bytes: bytes(freeBytes),
          size_bytes: bytes(d.size),
          used_bytes: bytes(d.size - freeBytes),
          fstype: { value: 'NTFS' },
        },
        `Disk ${d.target} has ${Math.round(free)} % free (${gb(freeBytes)} of ${gb(d.size)}) — fine`,
        25 + i,
      );
    }),
  ];
  if (Math.floor(ts / MINUTE) % 5 === 0) {
    const up = Math.round((ts - start) / 1000) + 3 * 86_400;
    out.push(
      r(
        'uptime',
        '',
        'OK',
        { uptime_seconds: { value: up, unit: 'seconds' }, reboot_pending: { value: false } },
        `Up ${Math.floor(up / 86_400)} days, no reboot pending`,
        52,
      ),
    );
  }
  return out;
}

/** Enrolls the demo server with a one-time token; returns what the feeder needs, to be kept in the marker file. */
export async function enrollDemoServer(url, token) {
  const res = await fetch(`${url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      host: {
        hostname: DEMO_HOSTNAME,
        platform: 'win32',
        arch: 'x64',
        os_release: 'Windows Server 2022 Standard 10.0.20348 (demo data)',
        agent_version: VERSION,
      },
    }),
  });
  if (res.status !== 200) throw new Error(`enrolling the demo server: HTTP ${res.status} ${await res.text()}`);
  const { agent_id, secret } = await res.json();
  const now = Date.now();
  return { agent_id, secret, start: now - HISTORY_DAYS * DAY, seq: 0, last_ts: null };
}

/** Posts reports (in batches) as the demo server; `state` "stopping" marks it offline. Mutates `state.seq`. */
export async function postReports(url, demo, results, state = 'running') {
  for (let i = 0; i === 0 || i < results.length; i += BATCH) {
    const reports = results.slice(i, i + BATCH).map((result) => ({ seq: ++demo.seq, boot_id: BOOT, result }));
    const last = i + BATCH >= results.length;
    const body = gzipSync(
      JSON.stringify({
        agent_id: demo.agent_id,
        reports,
        agent: { boot_id: BOOT, version: VERSION, dropped_total: 0, buffer_depth: 0, state: last ? state : 'running' },
      }),
    );
    const res = await fetch(`${url}/api/v1/ingest`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        authorization: `Bearer ${demo.secret}`,
      },
      body,
    });
    if (res.status !== 200) throw new Error(`ingest as the demo server: HTTP ${res.status} ${await res.text()}`);
    if (reports.length > 0) demo.last_ts = Math.max(demo.last_ts ?? 0, ...reports.map((r) => r.result.ts));
  }
}

/**
 * The cycles the demo server "missed" up to `now`: every 5 min for older history, every minute in the last
 * day (the 24 h chart shows every sample). On a next run only the gap since the last report is filled.
 */
export function backlog(demo, now) {
  const from = demo.last_ts === null ? demo.start : Math.max(demo.last_ts + MINUTE, now - HISTORY_DAYS * DAY);
  const results = [];
  for (let ts = Math.floor(from / MINUTE) * MINUTE; ts <= now - MINUTE; ) {
    results.push(...demoResults(ts, demo.start));
    ts += now - ts > DAY ? 5 * MINUTE : MINUTE;
  }
  return results;
}
