import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchdTarget, parseLaunchctlPrint } from './service-launchd.js';
import {
  isNoSystemdError,
  parseSystemctlShow,
  serviceStateFromSystemd,
  statesFromSystemctlShow,
  unitName,
} from './service-systemd.js';
import { getServiceScript, parseGetServiceJson } from './service-windows.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures/service', name), 'utf8');

describe('systemctl show parsing', () => {
  it('reads each unit of one multi-unit answer into its own state', () => {
    const blocks = parseSystemctlShow(fixture('systemctl-show-mixed.txt'));
    expect(blocks.map((b) => b.Id)).toEqual([
      'postgresql.service',
      'postgresql@15-main.service',
      'cups.service',
      'smartd.service',
      'emr-sync.service',
    ]);
    const names = ['postgresql', 'postgresql@15-main', 'cups', 'smartd', 'emr-sync'];
    const states = names.map((n, i) => serviceStateFromSystemd(n, blocks[i] as Record<string, string>));
    expect(states).toEqual([
      { name: 'postgresql', state: 'running', startMode: 'enabled', subState: 'exited', restarts: 0 },
      {
        name: 'postgresql@15-main',
        state: 'running',
        startMode: 'enabled-runtime',
        subState: 'running',
        pid: 812,
        restarts: 0,
      },
      { name: 'cups', state: 'stopped', startMode: 'disabled', subState: 'dead', restarts: 0 },
      { name: 'smartd', state: 'failed', startMode: 'enabled', subState: 'failed', restarts: 5 },
      { name: 'emr-sync', state: 'missing' },
    ]);
  });

  it('reports a restarting unit as starting and a masked unit as stopped with start mode masked', () => {
    const [nginx, telnet] = parseSystemctlShow(fixture('systemctl-show-activating.txt')) as Record<string, string>[];
    expect(serviceStateFromSystemd('nginx', nginx as Record<string, string>)).toMatchObject({
      state: 'starting',
      pid: 4411,
      restarts: 2,
    });
    expect(serviceStateFromSystemd('telnet.socket', telnet as Record<string, string>)).toMatchObject({
      state: 'stopped',
      startMode: 'masked',
    });
  });

  it('tolerates CRLF line ends and ignores lines that are not key=value', () => {
    const blocks = parseSystemctlShow('garbage line\r\nId=a.service\r\nActiveState=active\r\n\r\n=novalue\r\n');
    expect(blocks).toEqual([{ Id: 'a.service', ActiveState: 'active' }]);
  });

  it('gives no units for empty output', () => {
    expect(parseSystemctlShow('')).toEqual([]);
    expect(parseSystemctlShow('\n\n')).toEqual([]);
  });

  it('calls an ActiveState it does not know unknown, with the word in the reason, instead of guessing', () => {
    const s = serviceStateFromSystemd('odd', { Id: 'odd.service', LoadState: 'loaded', ActiveState: 'frobbing' });
    expect(s.state).toBe('unknown');
    expect(s.reason).toContain('"frobbing"');
    expect(serviceStateFromSystemd('empty', {}).state).toBe('unknown');
  });

  it('maps answers to names by position, so an alias answering with its target Id still counts', () => {
    const show = 'Id=systemd-timesyncd.service\nLoadState=loaded\nActiveState=active\nSubState=running\n';
    expect(statesFromSystemctlShow(['dbus-org.freedesktop.timesync1'], show)[0]).toMatchObject({
      name: 'dbus-org.freedesktop.timesync1',
      state: 'running',
    });
  });

  it('falls back to the Id when a block is missing, and calls the unanswered name unknown rather than missing', () => {
    const states = statesFromSystemctlShow(
      ['cups', 'smartd'],
      'Id=smartd.service\nLoadState=loaded\nActiveState=failed\n',
    );
    expect(states[0]).toEqual({
      name: 'cups',
      state: 'unknown',
      reason: 'systemctl show gave no answer for cups.service',
    });
    expect(states[1]?.state).toBe('failed');
  });

  it("recognises systemctl's own words for 'there is no systemd here' and nothing else", () => {
    expect(isNoSystemdError(fixture('systemctl-no-systemd.stderr.txt'))).toBe(true);
    expect(isNoSystemdError('Failed to get properties: Access denied')).toBe(false);
  });

  it('completes a bare name to .service and keeps an explicit unit type', () => {
    expect(unitName('postgresql')).toBe('postgresql.service');
    expect(unitName('backup.timer')).toBe('backup.timer');
    expect(unitName('getty@tty1.service')).toBe('getty@tty1.service');
    expect(unitName('my.app')).toBe('my.app.service');
  });
});

describe('Get-Service JSON parsing', () => {
  it('decodes the numeric Status and StartType enums of Windows PowerShell 5.1', () => {
    const names = ['MSSQLSERVER', 'Spooler', 'wuauserv', 'RemoteRegistry', 'MSSQL$DENTRIX'];
    expect(parseGetServiceJson(fixture('get-service-ps51.json'), names)).toEqual([
      { name: 'MSSQLSERVER', state: 'stopped', startMode: 'Automatic' },
      { name: 'Spooler', state: 'running', startMode: 'Automatic' },
      { name: 'wuauserv', state: 'starting', startMode: 'Manual' },
      { name: 'RemoteRegistry', state: 'stopped', startMode: 'Disabled' },
      { name: 'MSSQL$DENTRIX', state: 'paused', startMode: 'Automatic' },
    ]);
  });

  it('reads the enum names PowerShell 7 may write, from a single object rather than an array', () => {
    expect(parseGetServiceJson(fixture('get-service-ps7-single.json'), ['W32Time'])).toEqual([
      { name: 'W32Time', state: 'running', startMode: 'Manual' },
    ]);
    expect(parseGetServiceJson(fixture('get-service-ps51-single.json'), ['Spooler'])[0]?.state).toBe('running');
  });

  it('matches names case-insensitively and by display name, and calls a name not returned missing', () => {
    const states = parseGetServiceJson(fixture('get-service-ps51.json'), ['spooler', 'Windows Update', 'EmrSync']);
    expect(states.map((s) => s.state)).toEqual(['running', 'starting', 'missing']);
    expect(states.map((s) => s.name)).toEqual(['spooler', 'Windows Update', 'EmrSync']);
  });

  it('calls every name missing when Get-Service returned nothing', () => {
    expect(parseGetServiceJson('', ['a', 'b'])).toEqual([
      { name: 'a', state: 'missing' },
      { name: 'b', state: 'missing' },
    ]);
  });

  it('throws with the text it got when the output is not JSON', () => {
    expect(() => parseGetServiceJson(fixture('get-service-error-text.txt'), ['foo'])).toThrow(
      /did not return JSON: Get-Service : Cannot find/,
    );
  });

  it('calls a status number it does not know unknown instead of stopped', () => {
    const [s] = parseGetServiceJson('{"Name":"x","Status":99,"StartType":2}', ['x']);
    expect(s?.state).toBe('unknown');
    expect(s?.reason).toContain('99');
  });

  it('quotes names so PowerShell expands nothing in them', () => {
    expect(getServiceScript(['MSSQL$DENTRIX', "o'brien"])).toMatch(
      /^Get-Service -Name 'MSSQL\$DENTRIX','o''brien' -ErrorAction SilentlyContinue \| /,
    );
  });
});

describe('launchctl print parsing', () => {
  it('reads a running job and its pid', () => {
    expect(parseLaunchctlPrint('com.apple.logd', fixture('launchctl-print-running.txt'), 0)).toEqual({
      name: 'com.apple.logd',
      state: 'running',
      pid: 143,
    });
  });

  it("reads the job's own state line, not the state of its sockets or event triggers", () => {
    expect(parseLaunchctlPrint('com.openssh.sshd', fixture('launchctl-print-not-running.txt'), 0)).toEqual({
      name: 'com.openssh.sshd',
      state: 'stopped',
    });
  });

  it('calls a stopped job whose last exit code was an error failed', () => {
    expect(parseLaunchctlPrint('com.example.emr-sync', fixture('launchctl-print-failed.txt'), 0).state).toBe('failed');
  });

  it('calls "Could not find service" missing', () => {
    expect(parseLaunchctlPrint('com.example.nope', fixture('launchctl-print-missing.txt'), 113)).toEqual({
      name: 'com.example.nope',
      state: 'missing',
    });
  });

  it('reports any other failure or an answer without a state line as unknown with the reason', () => {
    const denied = parseLaunchctlPrint(
      'com.x',
      'Operation not permitted while System Integrity Protection is engaged',
      1,
    );
    expect(denied).toMatchObject({ state: 'unknown' });
    expect(denied.reason).toContain('Operation not permitted');
    expect(parseLaunchctlPrint('com.x', 'system/com.x = {\n\tpath = /x\n}\n', 0).state).toBe('unknown');
    expect(parseLaunchctlPrint('com.x', '', 0).state).toBe('unknown');
  });

  it('assumes the system domain for a bare label and keeps an explicit domain', () => {
    expect(launchdTarget('com.apple.logd')).toBe('system/com.apple.logd');
    expect(launchdTarget('gui/501/com.example.agent')).toBe('gui/501/com.example.agent');
  });
});
