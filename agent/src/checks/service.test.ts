import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSchema } from '@vitals/shared';
import Type from 'typebox';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckContext } from './check.js';
import { serviceCheck } from './service.js';
import { judgeService } from './service-state.js';
import { findUnitFile, readSystemdServices, statesWithoutSystemd } from './service-systemd.js';

const ctx = (platform: NodeJS.Platform = 'linux'): CheckContext => ({
  now: Date.now,
  signal: new AbortController().signal,
  timeoutMs: 10_000,
  platform,
});
const expectRunning = { expect: 'running', missing_status: 'CRITICAL' } as const;
// sd_booted(3): systemd is the running init exactly when this directory exists.
const systemdRunning = existsSync('/run/systemd/system');

const root = mkdtempSync(join(tmpdir(), 'vitals-units-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const search = { unitDirs: [join(root, 'etc'), join(root, 'lib')], sysvDirs: [join(root, 'init.d')] };
for (const d of [...search.unitDirs, ...search.sysvDirs]) mkdirSync(d);
writeFileSync(join(root, 'lib', 'emr-sync.service'), '[Service]\nExecStart=/usr/local/bin/emr-sync\n');
writeFileSync(join(root, 'lib', 'backup.timer'), '[Timer]\nOnCalendar=daily\n');
writeFileSync(join(root, 'lib', 'pacs-worker@.service'), '[Service]\nExecStart=/opt/pacs/worker %i\n');
writeFileSync(join(root, 'init.d', 'legacy-lab'), '#!/bin/sh\n');
symlinkSync('/dev/null', join(root, 'etc', 'telnet.service'));

describe('finding unit files without systemd', () => {
  it('finds a bare name as <name>.service in any unit directory', () => {
    expect(findUnitFile('emr-sync', search)).toBe(join(root, 'lib', 'emr-sync.service'));
    expect(findUnitFile('emr-sync.service', search)).toBe(join(root, 'lib', 'emr-sync.service'));
    expect(findUnitFile('backup.timer', search)).toBe(join(root, 'lib', 'backup.timer'));
  });

  it('finds an instance through its template, a SysV script through the generator rule, a masked unit via its link', () => {
    expect(findUnitFile('pacs-worker@ct1', search)).toBe(join(root, 'lib', 'pacs-worker@.service'));
    expect(findUnitFile('legacy-lab', search)).toBe(join(root, 'init.d', 'legacy-lab'));
    expect(findUnitFile('telnet', search)).toBe(join(root, 'etc', 'telnet.service'));
  });

  it('finds nothing for a name no directory holds, nor for another unit type of an existing name', () => {
    expect(findUnitFile('vitals-none', search)).toBeUndefined();
    expect(findUnitFile('emr-sync.socket', search)).toBeUndefined();
    expect(findUnitFile('legacy-lab.timer', search)).toBeUndefined();
  });

  it('says missing only when there is no unit file, and unknown with the reason when there is one', () => {
    expect(statesWithoutSystemd(['emr-sync', 'vitals-none'], search)).toEqual([
      { name: 'emr-sync', state: 'unknown', reason: 'systemd is not running here, cannot read the state of emr-sync' },
      { name: 'vitals-none', state: 'missing' },
    ]);
  });
});

describe('reading systemd on this machine', () => {
  const ghost = `vitals-no-such-unit-${randomBytes(4).toString('hex')}`;

  it('calls a unit that exists nowhere missing, with or without systemd running', async () => {
    const [state] = await readSystemdServices([ghost], ctx());
    expect(state).toEqual({ name: ghost, state: 'missing' });
  });

  it('reports a unit whose file exists as UNKNOWN with the reason when systemd is not running', async () => {
    const [state] = await readSystemdServices(['emr-sync'], ctx(), search);
    // With systemd running, systemd's own answer counts and the temp directory is none of its.
    if (systemdRunning) expect(state?.state).toBe('missing');
    else expect(state).toEqual(statesWithoutSystemd(['emr-sync'], search)[0]);
  });

  it('gives one CRITICAL result per missing service through the check, saying it does not exist', async () => {
    const outcomes = await serviceCheck.run({ services: [ghost, ghost], ...expectRunning }, ctx());
    expect(outcomes).toEqual([
      {
        target: ghost,
        status: 'CRITICAL',
        values: { state: { value: 'missing' } },
        message: `Service ${ghost} does not exist on this machine`,
      },
    ]);
    const relaxed = await serviceCheck.run({ services: [ghost], expect: 'running', missing_status: 'WARNING' }, ctx());
    expect(relaxed[0]?.status).toBe('WARNING');
  });

  it('reports UNKNOWN on a platform it has no reader for', async () => {
    const [outcome] = await serviceCheck.run({ services: ['x'], ...expectRunning }, ctx('aix'));
    expect(outcome).toMatchObject({ status: 'UNKNOWN', message: 'service checks are not supported on aix' });
  });
});

describe('judging a service state', () => {
  it('words a running systemd unit with its unit-file state and puts the state first in values', () => {
    const o = judgeService(
      { name: 'postgresql', state: 'running', startMode: 'enabled', pid: 812 },
      expectRunning,
      'linux',
    );
    expect(o.status).toBe('OK');
    expect(o.message).toBe('Service postgresql is running (enabled)');
    expect(Object.keys(o.values)).toEqual(['state', 'start_mode', 'pid']);
  });

  it('says a stopped Windows service with its start mode should be running', () => {
    const o = judgeService({ name: 'MSSQLSERVER', state: 'stopped', startMode: 'Automatic' }, expectRunning, 'win32');
    expect(o).toMatchObject({
      status: 'CRITICAL',
      message: 'Service MSSQLSERVER is stopped (start mode: Automatic) — it should be running',
    });
  });

  it('warns while a service is starting and counts systemd restarts in the message', () => {
    const o = judgeService(
      { name: 'nginx', state: 'starting', startMode: 'enabled', restarts: 2 },
      expectRunning,
      'linux',
    );
    expect(o.status).toBe('WARNING');
    expect(o.message).toBe('Service nginx is starting (enabled) — it should be running; restarted 2 times by systemd');
    expect(o.values.restarts).toEqual({ value: 2, unit: 'count' });
  });

  it('is CRITICAL for failed and paused services, and for a running one that should be stopped', () => {
    expect(judgeService({ name: 'a', state: 'failed' }, expectRunning, 'linux').status).toBe('CRITICAL');
    expect(judgeService({ name: 'a', state: 'paused' }, expectRunning, 'win32').status).toBe('CRITICAL');
    const shouldStop = { expect: 'stopped', missing_status: 'CRITICAL' } as const;
    const telnet = judgeService({ name: 'telnet', state: 'running' }, shouldStop, 'linux');
    expect(telnet).toMatchObject({ status: 'CRITICAL', message: 'Service telnet is running — it should be stopped' });
    expect(judgeService({ name: 'telnet', state: 'stopped' }, shouldStop, 'linux').status).toBe('OK');
  });

  it('passes an unreadable state on as UNKNOWN with its reason, never as OK', () => {
    const o = judgeService(
      { name: 'x', state: 'unknown', reason: 'systemd is not running here' },
      expectRunning,
      'linux',
    );
    expect(o).toMatchObject({ status: 'UNKNOWN', message: 'systemd is not running here' });
  });
});

describe('service options', () => {
  const validator = compileSchema(Type.Object(serviceCheck.options));
  const valid = (services: unknown) => validator.check({ services, expect: 'running', missing_status: 'CRITICAL' });

  it('accepts real service names: units, templates, MSSQL instances, launchd labels', () => {
    expect(valid(['postgresql', 'getty@tty1.service', 'MSSQL$DENTRIX', 'com.apple.logd', 'Windows Update'])).toBe(true);
  });

  it('rejects an empty list and names that would be read as options, quotes or wildcards', () => {
    expect(valid([])).toBe(false);
    for (const bad of ['--all', "a'b", 'sql*', 'x"y', '']) expect(valid([bad])).toBe(false);
  });
});
