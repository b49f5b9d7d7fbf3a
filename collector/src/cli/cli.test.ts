import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli, type ServeProcess, startServe } from '../fixtures/cli.js';
import { hostFacts, ingestRequest, range } from '../fixtures/reports.js';

let cli: string;
let dir: string;
let serve: ServeProcess;

beforeAll(async () => {
  cli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'vitals-cli-'));
  serve = await startServe(cli, ['--data', dir]);
});
afterAll(async () => {
  if (serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown, secret?: string) =>
  fetch(`${serve.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
    body: JSON.stringify(body),
  });

describe('vitals-collector CLI', () => {
  let agentId: string;
  let secret: string;
  let tokenId: string;

  it('token create prints a token that enrolls against the running server', async () => {
    const out = runCli(cli, ['token', 'create', '--client', 'Northside', '--site', 'Main St', '--json', '--data', dir]);
    expect(out.status).toBe(0);
    const created = JSON.parse(out.stdout) as { id: string; token: string; client: string; expires_at: string };
    expect(created.token).toMatch(/^vt_/);
    expect(Date.parse(created.expires_at) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    tokenId = created.id;
    const res = await post('/api/v1/enroll', { token: created.token, host: hostFacts('EMR-SRV01') });
    expect(res.status).toBe(200);
    ({ agent_id: agentId, secret } = (await res.json()) as { agent_id: string; secret: string });
  });

  it('export prints every seq exactly once, in order, after shuffled and replayed batches', async () => {
    const batches = [range(101, 150), range(1, 50), range(51, 100), range(1, 50), range(90, 120)];
    for (const seqs of batches) {
      const res = await post(
        '/api/v1/ingest',
        ingestRequest(agentId, seqs, { buffer_depth: 12, dropped_total: 3 }),
        secret,
      );
      expect(res.status).toBe(200);
    }
    const out = runCli(cli, ['export', '--host', 'emr-srv01', '--data', dir]);
    expect(out.status).toBe(0);
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; boot_id: string });
    expect(lines.map((l) => l.seq)).toEqual(range(1, 150));
    expect(lines[0]).toMatchObject({ agent_id: agentId, boot_id: 'boot-1', check: 'disk', kind: 'disk', status: 'OK' });
    const csv = runCli(cli, ['export', '--host', agentId, '--format', 'csv', '--data', dir]);
    expect(csv.stdout.trim().split('\n')).toHaveLength(151);
  });

  it('agents shows the host online with the buffer depth and dropped count it reported', () => {
    const out = runCli(cli, ['agents', '--json', '--data', dir]);
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject([
      {
        client: 'Northside',
        site: 'Main St',
        hostname: 'EMR-SRV01',
        agent_id: agentId,
        status: 'online',
        buffer_depth: 12,
        dropped_total: 3,
      },
    ]);
    expect(runCli(cli, ['agents', '--data', dir]).stdout).toMatch(/EMR-SRV01\s+ag_\S+\s+online/);
  });

  it('agent retire makes the secret fail with 401, token revoke stops enrollment', async () => {
    expect(runCli(cli, ['agent', 'retire', agentId, '--data', dir]).status).toBe(0);
    expect((await post('/api/v1/ingest', ingestRequest(agentId, [151]), secret)).status).toBe(401);
    expect(JSON.parse(runCli(cli, ['agents', '--json', '--data', dir]).stdout)[0].status).toBe('retired');

    const token = runCli(cli, [
      'token',
      'create',
      '--client',
      'Northside',
      '--site',
      'Main St',
      '--data',
      dir,
    ]).stdout.trim();
    const list = JSON.parse(runCli(cli, ['token', 'list', '--json', '--data', dir]).stdout) as { id: string }[];
    const newest = list.find((t) => t.id !== tokenId)!;
    expect(runCli(cli, ['token', 'revoke', newest.id, '--data', dir]).status).toBe(0);
    expect((await post('/api/v1/enroll', { token, host: hostFacts('PC-2') })).status).toBe(401);
    expect(runCli(cli, ['token', 'revoke', 'tk_nonexistent', '--data', dir]).status).toBe(1);
  });

  it('exits 2 on usage and config errors, naming the problem', () => {
    expect(runCli(cli, ['token', 'create', '--site', 'x', '--data', dir]).status).toBe(2);
    expect(runCli(cli, ['agents', '--bogus']).status).toBe(2);
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'limits:\n  rate_per_minute: -1\n');
    const bad = runCli(cli, ['agents', '--config', config]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('limits.rate_per_minute');
    expect(runCli(cli, ['export', '--host', 'nobody', '--data', dir]).status).toBe(1);
    expect(runCli(cli, ['--help']).status).toBe(0);
  });

  it('stops cleanly on SIGTERM with exit 0', async () => {
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    expect(serve.lines.join('\n')).not.toContain(secret);
  });
});
