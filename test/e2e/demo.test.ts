// The README's first quick-start command: the demo starts a collector and an enrolled agent and
// prints the dashboard URL and a login that really logs in and sees this machine.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, freePort, ROOT, sleep, tempDir } from './harness.js';

let demo: ChildProcess | undefined;
afterAll(() => {
  demo?.kill('SIGKILL');
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

describe('pnpm demo', () => {
  it('prints the dashboard URL and an admin login that signs in and sees this machine enrolled', async () => {
    const dir = tempDir('vitals-demo-');
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'scripts/demo.mjs')], {
      env: { ...process.env, VITALS_DEMO_DIR: dir, VITALS_DEMO_PORT: String(port), VITALS_DEMO_NO_BUILD: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo = child;
    let out = '';
    child.stdout?.on('data', (d) => (out += d.toString()));
    child.stderr?.on('data', (d) => (out += d.toString()));

    await until('the demo banner', () => (/Vitals demo is running/.test(out) ? true : undefined));
    const url = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
    expect(url).toBe(`http://127.0.0.1:${port}`);
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

    // The enrolled agent's first report reaches the fleet the admin sees.
    const host = await until('the demo agent in the fleet', async () => {
      const fleet = (await (await fetch(`${url}/api/v1/fleet`, { headers: { cookie } })).json()) as {
        clients: { name: string; sites: { hosts: unknown[] }[] }[];
      };
      const hosts = fleet.clients.flatMap((c) => c.sites.flatMap((s) => s.hosts));
      return hosts.length > 0 && fleet.clients[0]?.name === 'Demo Practice' ? hosts : undefined;
    });
    expect(host).toHaveLength(1);

    // A wrong password is refused: the printed one is the real one.
    const wrong = await fetch(`${url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@demo.local', password: `${login?.[2]}x` }),
    });
    expect(wrong.status).toBe(401);

    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
  }, 90_000);
});
