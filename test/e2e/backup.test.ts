// `backup --to FILE` against a real `serve` child under ingest load, then the documented restore:
// the file copied into a new data dir, a new serve on it, every report acked before the backup there.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCli, runCli, type ServeProcess, startServe } from '../../collector/src/fixtures/cli.js';
import { hostFacts, ingestRequest, range } from '../../collector/src/fixtures/reports.js';

const root = mkdtempSync(join(tmpdir(), 'vitals-backup-'));
const serves: ServeProcess[] = [];
afterAll(() => {
  for (const s of serves) s.child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

async function post(url: string, body: unknown, secret?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret) headers.authorization = `Bearer ${secret}`;
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

describe('vitals-collector backup', () => {
  it('snapshots a serving collector under load; the restored copy passes integrity_check and holds every acked report', async () => {
    const cli = await buildCli();
    const data = join(root, 'data');
    const serve = await startServe(cli, ['--data', data]);
    serves.push(serve);
    const token = JSON.parse(
      runCli(cli, ['token', 'create', '--data', data, '--client', 'C', '--site', 'S', '--json']).stdout,
    ).token;
    const enrolled = (await (await post(`${serve.url}/api/v1/enroll`, { token, host: hostFacts('BK-1') })).json()) as {
      agent_id: string;
      secret: string;
    };
    const ackedBefore = new Set<number>();
    let next = 1;
    let stop = false;
    let backupStarted = false;
    // Ingest keeps going while the backup runs: 50 reports a request, acks recorded as they come.
    const load = (async () => {
      while (!stop) {
        const seqs = range(next, next + 49);
        next += 50;
        // Reports of now: the restored serve's first maintenance pass prunes anything past raw retention.
        const body = ingestRequest(enrolled.agent_id, seqs);
        for (const r of body.reports) r.result.ts = Date.now();
        const res = await post(`${serve.url}/api/v1/ingest`, body, enrolled.secret);
        expect(res.status).toBe(200);
        const { acked } = (await res.json()) as { acked: number[] };
        if (!backupStarted) for (const s of acked) ackedBefore.add(s);
      }
    })();
    while (ackedBefore.size < 2000) await new Promise((r) => setTimeout(r, 50));
    backupStarted = true;
    const file = join(root, 'snapshot.db');
    const backup = runCli(cli, ['backup', '--data', data, '--to', file, '--json']);
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({ to: file, integrity: 'ok' });
    // A second backup to the same name is refused, the first left as it is.
    expect(runCli(cli, ['backup', '--data', data, '--to', file]).status).toBe(2);
    stop = true;
    await load;

    // Restore as docs/api.md says: a new (or emptied) data dir, the file as collector.db, no -wal/-shm.
    const restored = join(root, 'restored');
    mkdirSync(restored);
    copyFileSync(file, join(restored, 'collector.db'));
    const again = await startServe(cli, ['--data', restored]);
    serves.push(again);
    again.child.kill('SIGTERM');
    await again.exited;
    const db = new Database(join(restored, 'collector.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const seqs = new Set(
      (db.prepare('SELECT seq FROM report WHERE agent_id = ?').all(enrolled.agent_id) as { seq: number }[]).map(
        (r) => r.seq,
      ),
    );
    db.close();
    const missing = [...ackedBefore].filter((s) => !seqs.has(s));
    expect(missing).toEqual([]);
    expect(ackedBefore.size).toBeGreaterThanOrEqual(2000);
  }, 120_000);
});
