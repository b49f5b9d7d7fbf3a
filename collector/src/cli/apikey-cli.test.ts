import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRecord } from '../fixtures/alerts.js';
import { buildCli, runCli, type ServeProcess, startServe } from '../fixtures/cli.js';
import { SqliteStore } from '../store/sqlite.js';
import { SqliteAlertStore } from '../store/sqlite-alerts.js';

let cli: string;
let dir: string;
let serve: ServeProcess;

beforeAll(async () => {
  cli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'vitals-apikey-cli-'));
  const store = SqliteStore.open(dir);
  const alerts = new SqliteAlertStore(store.db);
  alerts.save(alertRecord({ id: 'al_north', client: 'Northside' }));
  alerts.save(alertRecord({ id: 'al_east', client: 'Eastside', agent_id: 'ag_east', host: 'PC-1' }));
  await store.close();
  serve = await startServe(cli, ['--data', dir]);
});
afterAll(async () => {
  if (serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, secret: string) =>
  fetch(`${serve.url}${path}`, { headers: { authorization: `Bearer ${secret}` } });

interface KeyRow {
  id: string;
  name: string;
  role: string;
  clients: string[] | null;
  status: string;
  last_used_at: string | null;
  secret?: string;
}

describe('vitals-collector apikey', () => {
  let techId: string;
  let techSecret: string;

  it('create prints the secret alone on stdout, and the key works against the running server', async () => {
    const out = runCli(cli, [
      'apikey',
      'create',
      '--name',
      'north tech',
      '--role',
      'technician',
      '--client',
      'Northside',
      '--data',
      dir,
    ]);
    expect(out.status).toBe(0);
    techSecret = out.stdout.trim();
    expect(techSecret).toMatch(/^vk_[A-Za-z0-9_-]{43}$/);
    expect(out.stderr).toMatch(/^API key ak_[0-9a-f]{12} "north tech": technician of clients Northside; it is shown/);
    const res = await get('/api/v1/alerts', techSecret);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { alerts: { id: string }[] };
    expect(body.alerts.map((a) => a.id)).toEqual(['al_north']);
  });

  it('create --json gives the id and secret; several --client flags limit to several clients', () => {
    const out = runCli(cli, [
      'apikey',
      'create',
      '--name',
      'owners',
      '--role',
      'viewer',
      '--client',
      'Northside',
      '--client',
      'Eastside',
      '--json',
      '--data',
      dir,
    ]);
    expect(out.status).toBe(0);
    const created = JSON.parse(out.stdout) as KeyRow;
    expect(created).toMatchObject({ name: 'owners', role: 'viewer', clients: ['Northside', 'Eastside'] });
    expect(created.secret).toMatch(/^vk_/);
  });

  it('refuses a role it does not know and an admin limited to clients, with exit code 2', () => {
    const role = runCli(cli, ['apikey', 'create', '--name', 'x', '--role', 'owner', '--data', dir]);
    expect(role.status).toBe(2);
    expect(role.stderr).toMatch(/--role must be one of admin, technician, viewer, got "owner"/);
    const admin = runCli(cli, ['apikey', 'create', '--name', 'x', '--role', 'admin', '--client', 'A', '--data', dir]);
    expect(admin.status).toBe(2);
    expect(admin.stderr).toMatch(/an admin key sees every client/);
  });

  it('list shows every key with its role, clients and last use, never a secret', () => {
    const out = runCli(cli, ['apikey', 'list', '--json', '--data', dir]);
    expect(out.status).toBe(0);
    expect(out.stdout).not.toContain('vk_');
    const rows = JSON.parse(out.stdout) as KeyRow[];
    expect(rows.map((r) => [r.name, r.role, r.clients, r.status])).toEqual([
      ['north tech', 'technician', ['Northside'], 'active'],
      ['owners', 'viewer', ['Northside', 'Eastside'], 'active'],
    ]);
    expect(rows[0]?.last_used_at).not.toBeNull();
    expect(rows[1]?.last_used_at).toBeNull();
    techId = rows[0]!.id;
    const table = runCli(cli, ['apikey', 'list', '--data', dir]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+ROLE\s+CLIENTS\s+STATUS\s+CREATED\s+LAST USED$/);
    expect(table.stdout).toMatch(new RegExp(`${techId}\\s+north tech\\s+technician\\s+Northside\\s+active`));
  });

  it('revoke makes the running server refuse the key at once; revoking again fails', async () => {
    const out = runCli(cli, ['apikey', 'revoke', techId, '--json', '--data', dir]);
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ id: techId, revoked: true });
    const res = await get('/api/v1/alerts', techSecret);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toMatch(new RegExp(`API key ${techId} was revoked`));
    const again = runCli(cli, ['apikey', 'revoke', techId, '--data', dir]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(`no active API key ${techId}`);
    const listed = JSON.parse(runCli(cli, ['apikey', 'list', '--json', '--data', dir]).stdout) as KeyRow[];
    expect(listed[0]?.status).toBe('revoked');
  });
});
