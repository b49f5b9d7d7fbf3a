import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRecord } from '../fixtures/alerts.js';
import { buildCli, runCli } from '../fixtures/cli.js';
import { SqliteStore } from '../store/sqlite.js';
import { SqliteAlertStore } from '../store/sqlite-alerts.js';

let cli: string;
let dir: string;
const now = Date.now();
const HOUR = 3600_000;

beforeAll(async () => {
  cli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'vitals-alerts-cli-'));
  const store = SqliteStore.open(dir);
  const alerts = new SqliteAlertStore(store.db);
  alerts.save(alertRecord({ id: 'al_warn', severity: 'warning', target: 'D:', started_at: now - 3 * HOUR }));
  alerts.save(alertRecord({ id: 'al_crit', severity: 'critical', target: 'C:', started_at: now - HOUR }));
  alerts.save(
    alertRecord({ id: 'al_pend', state: 'pending', target: 'E:', started_at: null, pending_since: now - 60_000 }),
  );
  alerts.save(
    alertRecord({
      id: 'al_done',
      state: 'resolved',
      target: 'F:',
      started_at: now - 5 * HOUR,
      resolved_at: now - 4 * HOUR,
      summary: 'Disk F: has 40 % free',
    }),
  );
  alerts.save(
    alertRecord({ id: 'al_east', client: 'Eastside', agent_id: 'ag_east', host: 'PC-1', started_at: now - 2 * HOUR }),
  );
  await store.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const cliJson = <T>(args: string[]): T => {
  const out = runCli(cli, [...args, '--json', '--data', dir]);
  expect(out.stderr).toBe('');
  expect(out.status).toBe(0);
  return JSON.parse(out.stdout) as T;
};

interface AlertRow {
  id: string;
  state: string;
  severity: string;
  ack: { by: string; at: string; comment: string } | null;
  silenced_by: string | null;
  summary: string;
}

describe('vitals-collector alerts', () => {
  it('lists open alerts firing-critical first, then oldest, and leaves resolved ones out', () => {
    const rows = cliJson<AlertRow[]>(['alerts', '--client', 'Northside']);
    expect(rows.map((r) => r.id)).toEqual(['al_crit', 'al_warn', 'al_pend']);
    const table = runCli(cli, ['alerts', '--data', dir]);
    expect(table.status).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+SEVERITY\s+STATE\s+CLIENT\s+SITE\s+HOST\s+RULE\s+TARGET\s+SINCE\s+ACK\s+SUMMARY$/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^al_east\s+critical\s+firing\s+Eastside\s+Main St\s+PC-1\s+disk_space\s+C:/);
    expect(table.stdout).not.toContain('al_done');
  });

  it('says so in words when a client has no open alerts', () => {
    const r = runCli(cli, ['alerts', '--client', 'Nobody Dental', '--data', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('no open alerts (--all shows resolved ones)\n');
  });

  it('shows resolved alerts too with --all', () => {
    const rows = cliJson<AlertRow[]>(['alerts', '--all', '--client', 'Northside']);
    expect(rows.map((r) => r.id)).toEqual(['al_crit', 'al_warn', 'al_pend', 'al_done']);
    expect(rows[3]).toMatchObject({ state: 'resolved', summary: 'Disk F: has 40 % free' });
  });

  it('acknowledges a firing alert, which then shows who acknowledged it', () => {
    const acked = cliJson<AlertRow>(['alert', 'ack', 'al_crit', '--by', 'sam', '--comment', 'new disk ordered']);
    expect(acked).toMatchObject({ id: 'al_crit', ack: { by: 'sam', comment: 'new disk ordered' } });
    const table = runCli(cli, ['alerts', '--data', dir]);
    expect(table.stdout).toMatch(/al_crit\s+critical\s+firing\s+.*\s+sam\s+Disk C:/);
    const rows = cliJson<AlertRow[]>(['alerts']);
    expect(rows.find((r) => r.id === 'al_crit')?.ack?.by).toBe('sam');
  });

  it('refuses to acknowledge an alert that is not firing or does not exist, with exit 1', () => {
    const pending = runCli(cli, ['alert', 'ack', 'al_pend', '--by', 'sam', '--data', dir]);
    expect(pending.status).toBe(1);
    expect(pending.stderr).toContain('alert al_pend is pending, not firing');
    const resolved = runCli(cli, ['alert', 'ack', 'al_done', '--by', 'sam', '--data', dir]);
    expect(resolved.status).toBe(1);
    expect(resolved.stderr).toMatch(/alert al_done resolved at .*only a firing alert can be acknowledged/);
    const missing = runCli(cli, ['alert', 'ack', 'al_nope', '--by', 'sam', '--data', dir]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no alert al_nope');
    expect(runCli(cli, ['alert', 'ack', 'al_warn', '--data', dir]).status).toBe(2);
  });
});

describe('vitals-collector silence', () => {
  interface SilenceRow {
    id: string;
    status: string;
    matchers: string[];
    ends_at: string;
    reason: string;
    author: string;
  }

  it('adds, lists and expires a silence; the silenced alert stays listed, marked', () => {
    const add = runCli(cli, [
      'silence',
      'add',
      '--match',
      'host=EMR-SRV01',
      'target=~"[CD]:"',
      '--for',
      '2h',
      '--reason',
      'disk swap',
      '--author',
      'sam',
      '--data',
      dir,
    ]);
    expect(add.status).toBe(0);
    const id = add.stdout.trim();
    expect(id).toMatch(/^si_[0-9a-f]{16}$/);
    expect(add.stderr).toContain('silenced host=EMR-SRV01, target=~[CD]: until');

    const listed = cliJson<SilenceRow[]>(['silence', 'list']);
    expect(listed).toMatchObject([
      { id, status: 'active', matchers: ['host=EMR-SRV01', 'target=~[CD]:'], reason: 'disk swap', author: 'sam' },
    ]);
    expect(Date.parse(listed[0]?.ends_at ?? '') - now).toBeGreaterThan(1.9 * HOUR);

    const alerts = cliJson<AlertRow[]>(['alerts', '--client', 'Northside']);
    expect(alerts.map((a) => [a.id, a.silenced_by])).toEqual([
      ['al_crit', id],
      ['al_warn', id],
      ['al_pend', null],
    ]);
    expect(runCli(cli, ['alerts', '--data', dir]).stdout).toMatch(/al_warn\s+warning\s+firing \(silenced\)/);

    expect(cliJson(['silence', 'expire', id])).toEqual({ id, expired: true });
    expect(cliJson<SilenceRow[]>(['silence', 'list'])).toEqual([]);
    expect(cliJson<SilenceRow[]>(['silence', 'list', '--all'])).toMatchObject([{ id, status: 'expired' }]);
    const again = runCli(cli, ['silence', 'expire', id, '--data', dir]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`silence ${id} is already over (expired)`);
  });

  it('adds a silence --until a time, given with --match more than once', () => {
    const until = new Date(now + 24 * HOUR).toISOString();
    const added = cliJson<SilenceRow>([
      'silence',
      'add',
      '--match',
      'client=Eastside',
      '--match',
      'severity!=warning',
      '--until',
      until,
      '--reason',
      'office move',
      '--author',
      'kim',
    ]);
    expect(added).toMatchObject({
      status: 'active',
      matchers: ['client=Eastside', 'severity!=warning'],
      ends_at: until,
    });
  });

  it('refuses a silence without an end, without a reason, or with a bad matcher, with exit 2', () => {
    const base = ['silence', 'add', '--match', 'host=X', '--reason', 'r', '--author', 'a', '--data', dir];
    const noEnd = runCli(cli, base);
    expect(noEnd.status).toBe(2);
    expect(noEnd.stderr).toContain('give exactly one of --for <duration> (e.g. 2h) or --until <ISO time>');
    const past = runCli(cli, [...base, '--until', '2020-01-01T00:00Z']);
    expect(past.status).toBe(2);
    expect(past.stderr).toContain('--until 2020-01-01T00:00Z is not in the future');
    const badMatcher = runCli(cli, [...base, '--match', 'colour=red', '--for', '1h']);
    expect(badMatcher.status).toBe(2);
    expect(badMatcher.stderr).toContain('unknown label "colour"');
    expect(
      runCli(cli, ['silence', 'add', '--match', 'host=X', '--for', '1h', '--author', 'a', '--data', dir]).status,
    ).toBe(2);
  });
});

describe('vitals-collector maintenance list', () => {
  it('lists the configured windows with whether they are open and their next change', () => {
    const config = join(dir, 'maint.yaml');
    writeFileSync(
      config,
      [
        'alerting:',
        '  default_time_zone: America/New_York',
        '  maintenance_windows:',
        '    - name: patch night',
        '      client: Northside',
        '      site: Main St',
        '      days: [sun]',
        '      start: "02:00"',
        '      duration: 3h',
      ].join('\n'),
    );
    const out = runCli(cli, ['maintenance', 'list', '--config', config, '--data', dir, '--json']);
    expect(out.status).toBe(0);
    const [row] = JSON.parse(out.stdout) as {
      name: string;
      time_zone: string;
      active: boolean;
      next_change: string;
      next_change_at: string;
    }[];
    expect(row).toMatchObject({ name: 'patch night', time_zone: 'America/New_York', start: '02:00', duration: '3 h' });
    expect(row?.next_change).toBe(row?.active ? 'ends' : 'starts');
    const next = Date.parse(row?.next_change_at ?? '');
    expect(next).toBeGreaterThan(now);
    expect(next - now).toBeLessThanOrEqual(7 * 24 * HOUR);
    // A start is 02:00 local on a Sunday, shown with New York's offset.
    if (!row?.active) expect(row?.next_change_at).toMatch(/T02:00:00-0[45]:00$/);
    const table = runCli(cli, ['maintenance', 'list', '--config', config, '--data', dir]);
    expect(table.stdout).toMatch(
      /patch night\s+Northside\s+Main St\s+\(all\)\s+\(all\)\s+sun\s+02:00\s+3 h\s+America\/New_York/,
    );
    expect(runCli(cli, ['maintenance', 'list', '--data', dir]).stdout).toContain('no maintenance windows');
  });
});

describe('vitals-collector rules test', () => {
  const G = 1e9;
  const T = Date.UTC(2026, 0, 1, 8);
  const diskCsv = (file: string) => {
    const rows = ['ts,kind,target,free_bytes,size_bytes'];
    for (let i = 0; i < 40; i++) {
      const free = i < 5 ? 50 * G : i < 20 ? 3 * G : 60 * G;
      rows.push(`${new Date(T + i * 60_000).toISOString()},disk,C:,${free},${100 * G}`);
    }
    writeFileSync(file, `${rows.join('\n')}\n`);
    return file;
  };

  it('prints when a disk alert would fire and resolve', () => {
    const file = diskCsv(join(dir, 'disk.csv'));
    const out = runCli(cli, ['rules', 'test', file]);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+RULE\s+TARGET\s+EVENT\s+SEVERITY\s+SUMMARY$/);
    // Below 5 % from 08:05; critical needs 5 minutes; 60 % free at 08:20 resolves it.
    expect(out.stdout).toMatch(
      /2026-01-01T08:10:00\.000Z\s+disk_space\s+C:\s+fired\s+critical\s+Disk C: has 3\.0 % free/,
    );
    expect(out.stdout).toMatch(/2026-01-01T08:20:00\.000Z\s+disk_space\s+C:\s+resolved\s+critical/);
    const events = runCli(cli, ['rules', 'test', file, '--json'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: string; event: string; rule: string });
    expect(events.map((e) => [e.time, e.event])).toEqual([
      ['2026-01-01T08:05:00.000Z', 'pending'],
      ['2026-01-01T08:10:00.000Z', 'fired'],
      ['2026-01-01T08:20:00.000Z', 'resolved'],
    ]);
  });

  it('applies the overrides of the config for the host it is told', () => {
    const file = diskCsv(join(dir, 'disk2.csv'));
    const config = join(dir, 'rules.yaml');
    writeFileSync(
      config,
      ['alerting:', '  overrides:', '    - host: EMR-SRV01', '      exclude: [disk_space]'].join('\n'),
    );
    const excluded = runCli(cli, ['rules', 'test', file, '--config', config, '--host', 'emr-srv01']);
    expect(excluded.status).toBe(0);
    expect(excluded.stdout).toBe('no alert would change over 40 results\n');
    const other = runCli(cli, ['rules', 'test', file, '--config', config, '--host', 'FRONT-DESK', '--json']);
    expect(other.stdout).toContain('"event":"fired"');
  });

  it('exits 2 naming the file and line of bad input', () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, `ts,kind,target,free_bytes\n${new Date(T).toISOString()},disk,C:,1\n2026-13-45,disk,C:,2\n`);
    const out = runCli(cli, ['rules', 'test', file]);
    expect(out.status).toBe(2);
    expect(out.stderr).toBe(
      `vitals-collector: ${file}:3: ts "2026-13-45" is not a time; write an ISO time (2026-01-01T08:00:00Z) or epoch milliseconds\n`,
    );
    const txt = join(dir, 'series.txt');
    writeFileSync(txt, 'x');
    expect(runCli(cli, ['rules', 'test', txt]).stderr).toContain('unknown format; name it .csv, .jsonl or .ndjson');
  });
});
