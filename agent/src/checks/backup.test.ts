import { chmodSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configIssues, resolveConfig } from '../config.js';
import { backupCheck } from './backup.js';
import type { CheckContext } from './check.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2024, 10, 22, 9, 0);

const defaults = {
  warn_age: '26h',
  crit_age: '30h',
  pattern: '*',
  max_depth: 3,
  max_files: 20_000,
  min_size: '1B',
  lookback_days: 7,
  log: 'Veeam Agent',
  args: [] as string[],
};

function context(platform: NodeJS.Platform = 'linux'): CheckContext {
  return { now: () => NOW, signal: new AbortController().signal, timeoutMs: 5_000, platform };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-backup-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('backup check', () => {
  it('judges the file provider against the injected clock', async () => {
    const folder = mkdtempSync(join(dir, 'nas-'));
    const file = join(folder, 'nightly.tar');
    writeFileSync(file, 'x'.repeat(2048));
    const when = new Date(NOW - 27 * HOUR);
    utimesSync(file, when, when);
    const [outcome] = await backupCheck.run({ ...defaults, provider: 'file', path: folder }, context());
    expect(outcome).toMatchObject({ target: folder, status: 'WARNING' });
    expect(outcome!.message).toBe('the newest backup is 27 h old (nightly.tar, 2.0 KB) — it should be less than 26 h');
  });

  it('honours configured ages', async () => {
    const folder = mkdtempSync(join(dir, 'weekly-'));
    const file = join(folder, 'weekly.img');
    writeFileSync(file, 'x');
    const when = new Date(NOW - 5 * 24 * HOUR);
    utimesSync(file, when, when);
    const opts = { ...defaults, provider: 'file' as const, path: folder, warn_age: '8d', crit_age: '10d' };
    const [outcome] = await backupCheck.run(opts, context());
    expect(outcome!.status).toBe('OK');
    expect(outcome!.message).toBe('the newest backup is 5 days old (weekly.img, 1 B)');
  });

  it('is UNKNOWN when the file provider has no path', async () => {
    const [outcome] = await backupCheck.run({ ...defaults, provider: 'file' }, context());
    expect(outcome!.status).toBe('UNKNOWN');
    expect(outcome!.message).toMatch(/needs `path`/);
  });

  it('is OK when the backup command exits 0, quoting its first line', async () => {
    const command = script('ok.sh', 'echo "last job: Success at 02:00"\necho detail\nexit 0');
    const [outcome] = await backupCheck.run({ ...defaults, provider: 'command', command }, context());
    expect(outcome).toMatchObject({ target: command, status: 'OK' });
    expect(outcome!.message).toBe('the backup command reports success: last job: Success at 02:00');
    expect(outcome!.values).toEqual({ last_result: { value: 'success' }, exit_code: { value: 0 } });
  });

  it('warns at once when the backup command exits non-zero', async () => {
    const command = script('fail.sh', 'echo "last job: Failed (target offline)" >&2\nexit 1');
    const [outcome] = await backupCheck.run({ ...defaults, provider: 'command', command }, context());
    expect(outcome!.status).toBe('WARNING');
    expect(outcome!.message).toBe(
      'the backup command reports a failure (exit code 1): last job: Failed (target offline)',
    );
  });

  it('is UNKNOWN when the backup command is not installed', async () => {
    const command = join(dir, 'no-such-backup-tool');
    const [outcome] = await backupCheck.run({ ...defaults, provider: 'command', command }, context());
    expect(outcome!.status).toBe('UNKNOWN');
    expect(outcome!.message).toMatch(/not installed/);
  });

  it('is UNKNOWN, not a crash, when an event-log provider runs on a machine that is not Windows', async () => {
    const [wsb] = await backupCheck.run({ ...defaults, provider: 'windows-server-backup' }, context('linux'));
    const [veeam] = await backupCheck.run({ ...defaults, provider: 'veeam' }, context('darwin'));
    expect(wsb).toMatchObject({ status: 'UNKNOWN', target: 'Windows Server Backup' });
    expect(veeam).toMatchObject({ status: 'UNKNOWN', target: 'Veeam Agent' });
    expect(wsb!.message).toMatch(/Windows event log; this is not Windows/);
  });
});

describe('backup config', () => {
  it('defaults to 26 h / 30 h ages and a 15 min interval', () => {
    const config = resolveConfig(
      { builtin_checks: false, checks: [{ kind: 'backup', provider: 'file', path: '/srv/backups' } as never] },
      undefined,
    );
    const [check] = config.checks;
    expect(check).toMatchObject({ id: 'backup', intervalMs: 15 * 60_000 });
    expect(check!.options).toMatchObject({ warn_age: '26h', crit_age: '30h', max_depth: 3, min_size: '1B' });
  });

  it('rejects an unknown provider and a quote in a Veeam log name, naming the key', () => {
    const issues = configIssues({
      checks: [
        { kind: 'backup', provider: 'tape' },
        { kind: 'backup', id: 'veeam', provider: 'veeam', log: "x'; Remove-Item C:\\ -Recurse; '" },
      ],
    });
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['checks[0].provider', 'checks[1].log']));
  });

  it('requires each provider’s own key and a warning age below the critical age', () => {
    const issues = configIssues({
      checks: [
        { kind: 'backup', id: 'nas', provider: 'file' },
        { kind: 'backup', id: 'script', provider: 'command' },
        { kind: 'backup', id: 'wsb', provider: 'windows-server-backup', warn_age: '2d', crit_age: '30h' },
        { kind: 'backup', id: 'ok', provider: 'veeam', log: 'Veeam Backup', job: 'EMR Nightly' },
      ],
    });
    expect(issues).toEqual([
      { path: 'checks[0].path', message: 'the file provider needs `path`: the folder the backups are written to' },
      { path: 'checks[1].command', message: 'the command provider needs `command`: the program to run' },
      { path: 'checks[2].warn_age', message: 'must be shorter than crit_age (30h)' },
    ]);
  });
});
