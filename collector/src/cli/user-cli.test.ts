import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../auth/password.js';
import { alertRecord } from '../fixtures/alerts.js';
import { buildCli, type CliRun, runCli, type ServeProcess, startServe } from '../fixtures/cli.js';
import { SqliteStore } from '../store/sqlite.js';
import { SqliteAlertStore } from '../store/sqlite-alerts.js';

let cli: string;
let dir: string;
let serve: ServeProcess;

beforeAll(async () => {
  cli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'vitals-user-cli-'));
  const store = SqliteStore.open(dir);
  const alerts = new SqliteAlertStore(store.db);
  alerts.save(alertRecord({ id: 'al_north', client: 'Northside', started_at: Date.now() - 60_000 }));
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

/** The CLI with something on stdin (a pipe, as in `echo "$PW" | vitals-collector user add …`). */
function runWithStdin(args: string[], input: string): CliRun {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 20_000, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const login = (email: string, password: string) =>
  fetch(`${serve.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
const alertsWith = (cookie: string) => fetch(`${serve.url}/api/v1/alerts`, { headers: { cookie } });

interface AuditRow {
  actor: { kind: string; id: string; name: string };
  action: string;
  target: string | null;
  client: string | null;
  detail: Record<string, unknown> | null;
}

describe('vitals-collector user', () => {
  let adminPassword: string;

  it('add --generate-password prints the password once, alone on stdout, and stores only a scrypt hash', async () => {
    const out = runCli(cli, [
      'user',
      'add',
      'Admin@Example.com',
      '--role',
      'admin',
      '--generate-password',
      '--data',
      dir,
    ]);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^[A-Za-z0-9_-]{20}\n$/);
    adminPassword = out.stdout.trim();
    expect(out.stderr).toMatch(
      /^user us_[0-9a-f]{12} Admin@Example\.com \(Admin\): admin of every client; the password is shown only this once\n$/,
    );
    const db = new Database(join(dir, 'collector.db'), { readonly: true });
    const row = db.prepare('SELECT * FROM user WHERE email = ?').get('Admin@Example.com') as Record<string, string>;
    db.close();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword(adminPassword, row.password_hash as string)).toBe(true);
    // Nowhere in the database files (the main file and its WAL).
    for (const file of readdirSync(dir).filter((f) => f.startsWith('collector.db'))) {
      expect(readFileSync(join(dir, file)).includes(adminPassword)).toBe(false);
    }
    // And the running server lets the admin in.
    const res = await login('admin@example.com', adminPassword);
    expect(res.status).toBe(200);
  });

  it('reads a password from stdin or a file, never from an argument, and refuses a short one', async () => {
    const piped = runWithStdin(
      [
        'user',
        'add',
        'tia@example.com',
        '--role',
        'technician',
        '--client',
        'Northside',
        '--name',
        'Tia Tech',
        '--data',
        dir,
      ],
      'a long enough password\n',
    );
    expect(piped.status).toBe(0);
    expect(piped.stdout).toMatch(
      /^added user us_[0-9a-f]{12} tia@example\.com \(Tia Tech\): technician of clients Northside\n$/,
    );
    expect((await login('tia@example.com', 'a long enough password')).status).toBe(200);

    const file = join(dir, 'viewer-password.txt');
    writeFileSync(file, 'from a file, twelve+\r\n');
    const fromFile = runCli(cli, [
      'user',
      'add',
      'vic@example.com',
      '--role',
      'viewer',
      '--password-file',
      file,
      '--data',
      dir,
    ]);
    expect(fromFile.status).toBe(0);
    expect((await login('vic@example.com', 'from a file, twelve+')).status).toBe(200);

    const short = runWithStdin(['user', 'add', 'short@example.com', '--role', 'viewer', '--data', dir], 'short\n');
    expect(short.status).toBe(2);
    expect(short.stderr).toBe('vitals-collector: stdin: the password must be at least 12 characters long (got 5)\n');
    const flag = runCli(cli, [
      'user',
      'add',
      'p@example.com',
      '--role',
      'viewer',
      '--password',
      'hunter2hunter2',
      '--data',
      dir,
    ]);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--password'/);
    const both = runCli(cli, [
      'user',
      'add',
      'b@example.com',
      '--role',
      'viewer',
      '--password-file',
      file,
      '--generate-password',
      '--data',
      dir,
    ]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/not both/);
  });

  it('refuses a duplicate email in another case, a bad role, and an admin limited to clients (exit 2)', () => {
    const dup = runCli(cli, [
      'user',
      'add',
      'TIA@example.com',
      '--role',
      'viewer',
      '--generate-password',
      '--data',
      dir,
    ]);
    expect(dup.status).toBe(2);
    expect(dup.stderr).toMatch(/a user with the email TIA@example\.com already exists/);
    const role = runCli(cli, ['user', 'add', 'r@example.com', '--role', 'owner', '--generate-password', '--data', dir]);
    expect(role.status).toBe(2);
    expect(role.stderr).toBe('vitals-collector: --role: must be one of admin, technician, viewer, got "owner"\n');
    const admin = runCli(cli, [
      'user',
      'add',
      'a@example.com',
      '--role',
      'admin',
      '--client',
      'X',
      '--generate-password',
      '--data',
      dir,
    ]);
    expect(admin.status).toBe(2);
    expect(admin.stderr).toMatch(/--client: an admin sees every client/);
  });

  it('list shows users with role, clients and status, never a hash', () => {
    const out = runCli(cli, ['user', 'list', '--json', '--data', dir]);
    expect(out.status).toBe(0);
    const users = JSON.parse(out.stdout) as { email: string; role: string; clients: string[] | null; status: string }[];
    expect(users.map((u) => [u.email, u.role, u.clients, u.status])).toEqual([
      ['Admin@Example.com', 'admin', null, 'active'],
      ['tia@example.com', 'technician', ['Northside'], 'active'],
      ['vic@example.com', 'viewer', null, 'active'],
    ]);
    expect(out.stdout).not.toContain('scrypt');
    const table = runCli(cli, ['user', 'list', '--data', dir]);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+EMAIL\s+NAME\s+ROLE\s+CLIENTS\s+STATUS\s+LAST LOGIN$/);
  });

  it('disable ends the user’s session on the running server and refuses their next login', async () => {
    const cookie = cookieOf(await login('vic@example.com', 'from a file, twelve+'));
    expect((await alertsWith(cookie)).status).toBe(200);
    const out = runCli(cli, ['user', 'disable', 'VIC@example.com', '--data', dir]);
    expect(out.status).toBe(0);
    expect(out.stdout).toBe('disabled vic@example.com; their sessions ended and they cannot log in\n');
    expect((await alertsWith(cookie)).status).toBe(401);
    expect((await login('vic@example.com', 'from a file, twelve+')).status).toBe(401);
    const again = runCli(cli, ['user', 'disable', 'vic@example.com', '--data', dir]);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe('vitals-collector: user vic@example.com is already disabled\n');
    expect(runCli(cli, ['user', 'disable', 'nobody@example.com', '--data', dir]).status).toBe(1);
  });

  it('passwd sets a new password, ends the old sessions, and the new one logs in', async () => {
    const cookie = cookieOf(await login('admin@example.com', adminPassword));
    const out = runCli(cli, ['user', 'passwd', 'admin@example.com', '--generate-password', '--data', dir]);
    expect(out.status).toBe(0);
    const fresh = out.stdout.trim();
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(fresh).not.toBe(adminPassword);
    expect((await alertsWith(cookie)).status).toBe(401);
    expect((await login('admin@example.com', adminPassword)).status).toBe(401);
    expect((await login('admin@example.com', fresh)).status).toBe(200);
  });
});

describe('vitals-collector audit list', () => {
  it('shows CLI actions with the OS user, and the API actions of users, oldest first', async () => {
    const osUser = userInfo().username;
    const token = runCli(cli, [
      'token',
      'create',
      '--client',
      'Northside',
      '--site',
      'Main St',
      '--json',
      '--data',
      dir,
    ]);
    const tokenId = (JSON.parse(token.stdout) as { id: string }).id;
    expect(runCli(cli, ['token', 'revoke', tokenId, '--data', dir]).status).toBe(0);
    const key = runCli(cli, ['apikey', 'create', '--name', 'psa', '--role', 'viewer', '--json', '--data', dir]);
    const keyId = (JSON.parse(key.stdout) as { id: string }).id;
    expect(runCli(cli, ['apikey', 'revoke', keyId, '--data', dir]).status).toBe(0);
    const silenced = runCli(cli, [
      'silence',
      'add',
      '--match',
      'client=Eastside',
      '--for',
      '1h',
      '--reason',
      'move',
      '--author',
      'sam',
      '--data',
      dir,
    ]);
    const silenceId = silenced.stdout.trim();
    expect(runCli(cli, ['silence', 'expire', silenceId, '--data', dir]).status).toBe(0);
    expect(runCli(cli, ['alert', 'ack', 'al_east', '--by', 'sam', '--comment', 'looking', '--data', dir]).status).toBe(
      0,
    );

    // Tia (technician of Northside) acknowledges through the dashboard API.
    const tia = await login('tia@example.com', 'a long enough password');
    const { csrf_token } = (await tia.json()) as { csrf_token: string };
    const acked = await fetch(`${serve.url}/api/v1/alerts/al_north/ack`, {
      method: 'POST',
      headers: { cookie: cookieOf(tia), 'x-csrf-token': csrf_token, 'content-type': 'application/json' },
      body: JSON.stringify({ comment: 'on it' }),
    });
    expect(acked.status).toBe(200);

    const out = runCli(cli, ['audit', 'list', '--json', '--data', dir]);
    expect(out.status).toBe(0);
    const rows = JSON.parse(out.stdout) as AuditRow[];
    const byCli = { kind: 'cli', id: osUser, name: osUser };
    expect(rows.filter((r) => r.actor.kind === 'cli').map((r) => [r.action, r.actor])).toEqual([
      ['user.add', byCli],
      ['user.add', byCli],
      ['user.add', byCli],
      ['user.disable', byCli],
      ['user.passwd', byCli],
      ['token.create', byCli],
      ['token.revoke', byCli],
      ['apikey.create', byCli],
      ['apikey.revoke', byCli],
      ['silence.add', byCli],
      ['silence.expire', byCli],
      ['alert.ack', byCli],
    ]);
    expect(rows.find((r) => r.action === 'token.create')).toMatchObject({ target: tokenId, client: 'Northside' });
    expect(rows.find((r) => r.action === 'silence.add')).toMatchObject({
      target: silenceId,
      client: 'Eastside',
      detail: { author: 'sam', matchers: ['client=Eastside'], reason: 'move' },
    });
    expect(rows.find((r) => r.actor.kind === 'cli' && r.action === 'alert.ack')).toMatchObject({
      target: 'al_east',
      detail: { by: 'sam', comment: 'looking' },
    });
    expect(rows.at(-1)).toMatchObject({
      action: 'alert.ack',
      actor: { kind: 'user', name: 'Tia Tech' },
      target: 'al_north',
      client: 'Northside',
      detail: { comment: 'on it' },
    });
    expect(rows.filter((r) => r.action === 'login.failed').length).toBeGreaterThan(0);
    // Passwords typed in these tests never reach the audit log.
    expect(out.stdout).not.toContain('a long enough password');
    expect(out.stdout).not.toContain('twelve+');

    const table = runCli(cli, ['audit', 'list', '--since', '1h', '--data', dir]);
    expect(table.status).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AT\s+ACTOR\s+ACTION\s+TARGET\s+CLIENT\s+DETAIL$/);
    expect(lines.at(-1)).toMatch(/user Tia Tech\s+alert\.ack\s+al_north\s+Northside\s+\{"comment":"on it"/);
    const future = runCli(cli, ['audit', 'list', '--since', '2999-01-01T00:00Z', '--data', dir]);
    expect(future.stdout).toBe('nothing in the audit log since then\n');
  });
});
