// The README's first quick-start command: the demo starts a collector and an enrolled agent, seeds a
// made-up server with days of labelled history through the ingest API, prints a login that really
// logs in, and stops cleanly on a terminal's Ctrl-C (SIGINT to its whole process group).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COLLECTOR_JS, cleanupAll, freePort, ROOT, sleep, tempDir } from './harness.js';

const running = new Set<ChildProcess>();
afterAll(() => {
  // The demo's children run in their own process groups; a demo stopped by SIGTERM stops them too.
  for (const c of running) if (c.exitCode === null) c.kill('SIGTERM');
  cleanupAll();
});

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Starts the demo as a terminal starts a foreground job: in a process group of its own. */
async function startDemo(dir: string, port: number) {
  const started = Date.now();
  const child = spawn(process.execPath, [join(ROOT, 'scripts/demo.mjs')], {
    env: { ...process.env, VITALS_DEMO_DIR: dir, VITALS_DEMO_PORT: String(port), VITALS_DEMO_NO_BUILD: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  const demo = { child, out: '', startMs: 0 };
  child.stdout?.on('data', (d) => (demo.out += d.toString()));
  child.stderr?.on('data', (d) => (demo.out += d.toString()));
  await until('the demo banner', () => (/Vitals demo is running/.test(demo.out) ? true : undefined), 60_000);
  demo.startMs = Date.now() - started;
  return demo;
}

/** Ctrl-C in a terminal: SIGINT to every process of the foreground group at once. */
async function ctrlC(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  process.kill(-(child.pid as number), 'SIGINT');
  return exited;
}

interface AgentRow {
  hostname: string;
  agent_id: string;
  status: string;
  last_seq: number;
}
const agents = (dir: string): AgentRow[] =>
  JSON.parse(
    execFileSync(process.execPath, [COLLECTOR_JS, 'agents', '--json', '--data', join(dir, 'data')], {
      encoding: 'utf8',
    }),
  );

describe('pnpm demo', () => {
  it('shows this machine and a demo server with days of history and a forecast; Ctrl-C stops it cleanly, twice', async () => {
    const dir = tempDir('vitals-demo-');
    const port = await freePort();
    const first = await startDemo(dir, port);
    const out = first.out;
    const url = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(out).toContain('DEMO-EMR-SRV (demo data)');
    const login = /login\s+(\S+)\s+password (\S+)/.exec(out);
    expect(login?.[1]).toBe('admin@demo.local');

    const res = await fetch(`${url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: login?.[1], password: login?.[2] }),
    });
    expect(res.status).toBe(200);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(((await res.json()) as { user: { role: string } }).user.role).toBe('admin');
    const get = async <T>(path: string): Promise<T> => {
      const r = await fetch(`${url}${path}`, { headers: { cookie } });
      expect(r.status, path).toBe(200);
      return (await r.json()) as T;
    };

    // The enrolled agent's first report and the demo server both reach the fleet the admin sees.
    const hosts = await until('the demo agent in the fleet', async () => {
      const fleet = await get<{ clients: { name: string; sites: { hosts: { hostname: string }[] }[] }[] }>(
        '/api/v1/fleet',
      );
      const all = fleet.clients.flatMap((c) => c.sites.flatMap((s) => s.hosts));
      return all.length === 2 && fleet.clients[0]?.name === 'Demo Practice' ? all : undefined;
    });
    expect(hosts.map((h) => h.hostname)).toContain('DEMO-EMR-SRV (demo data)');

    // The demo server's charts are full on first look, on every range, and its D: has a forecast.
    const server = agents(dir).find((a) => a.hostname === 'DEMO-EMR-SRV (demo data)') as AgentRow;
    type SeriesAnswer = { resolution: string; points: unknown[]; from: number; forecast: { full_in: string } | null };
    for (const range of ['24h', '7d', '30d']) {
      for (const [check, metric, target] of [
        ['cpu', 'used_percent', ''],
        ['memory', 'available_percent', ''],
        ['disk', 'free_percent', 'D:'],
      ] as const) {
        const q = `check=${check}&metric=${metric}&target=${encodeURIComponent(target)}&range=${range}`;
        const s = await until(`${check} ${range} series`, async () => {
          const answer = await get<SeriesAnswer>(`/api/v1/hosts/${server.agent_id}/series?${q}`);
          return answer.points.length > 0 ? answer : undefined;
        });
        // 24 h every sample; 7 d and 30 d hourly: at least 4 days of hours (6 are seeded).
        if (range !== '24h') expect(s.points.length, `${check} ${range}`).toBeGreaterThan(4 * 24);
        if (check === 'disk') expect(s.forecast?.full_in, `D: forecast on ${range}`).toMatch(/^about \d+ days$/);
      }
    }

    // A wrong password is refused: the printed one is the real one.
    const wrong = await fetch(`${url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@demo.local', password: `${login?.[2]}x` }),
    });
    expect(wrong.status).toBe(401);

    expect(await ctrlC(first.child)).toBe(0);
    expect(first.out).not.toMatch(/Command failed|Error|unexpectedly/);
    const after1 = agents(dir);
    expect(after1.map((a) => [a.hostname, a.status]).sort()).toEqual(hosts.map((h) => [h.hostname, 'offline']).sort());
    console.log(`demo first start took ${first.startMs} ms`);

    // A second run seeds nothing again: the demo server keeps its history, only the gap since is filled.
    const second = await startDemo(dir, port);
    expect(await ctrlC(second.child)).toBe(0);
    expect(second.out).not.toMatch(/Command failed|Error|unexpectedly/);
    const after2 = agents(dir);
    expect(after2).toHaveLength(2);
    const server2 = after2.find((a) => a.agent_id === server.agent_id) as AgentRow;
    expect(server2.status).toBe('offline');
    expect(server2.last_seq).toBeGreaterThanOrEqual(server.last_seq);
    expect(server2.last_seq - server.last_seq).toBeLessThan(100);
    console.log(`demo second start took ${second.startMs} ms`);
  }, 180_000);
});
