import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext } from './check.js';
import { parseDeviceOption, smartCheck } from './smart.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'smart');
const defaults = { devices: [] as string[], warn_temperature: 60, warn_wear_percent: 90 };

function context(timeoutMs = 5_000): CheckContext {
  return { now: Date.now, signal: new AbortController().signal, timeoutMs, platform: 'linux' };
}

let dir: string;
let log: string;

/** A stand-in smartctl that answers from the fixtures by argument list and logs every call. */
function fakeSmartctl(name: string, cases: Record<string, { fixture: string; exit: number }>): string {
  const path = join(dir, name);
  const arms = Object.entries(cases)
    .map(([args, { fixture, exit }]) => `  "${args}") cat "${join(FIXTURES, fixture)}"; exit ${exit} ;;`)
    .join('\n');
  writeFileSync(
    path,
    `#!/bin/sh\necho "$*" >> "${log}"\ncase "$*" in\n${arms}\n  *) echo "unexpected: $*" >&2; exit 1 ;;\nesac\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-smart-'));
  log = join(dir, 'calls.log');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('smart check', () => {
  it('is UNKNOWN "smartctl not installed" when the program does not exist', async () => {
    const outcomes = await smartCheck.run({ ...defaults, smartctl: join(dir, 'no', 'smartctl') }, context());
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.status).toBe('UNKNOWN');
    expect(outcomes[0]!.message).toMatch(/^smartctl not installed/);
  });

  it('scans, then reads each disk with the -d type the scan reported, one result per disk', async () => {
    writeFileSync(log, '');
    const smartctl = fakeSmartctl('smartctl-server', {
      '-j --scan-open': { fixture: 'scan-open.json', exit: 0 },
      '-j -a -d sat /dev/sda': { fixture: 'sata-ssd-healthy.json', exit: 0 },
      '-j -a -d sat /dev/sdb': { fixture: 'sata-hdd-failing.json', exit: 88 },
      '-j -a -d nvme /dev/nvme0': { fixture: 'nvme-healthy.json', exit: 0 },
    });
    const outcomes = await smartCheck.run({ ...defaults, smartctl }, context());
    expect(outcomes.map((o) => [o.target, o.status])).toEqual([
      ['/dev/sda', 'OK'],
      ['/dev/sdb', 'CRITICAL'],
      ['/dev/nvme0', 'OK'],
    ]);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      '-j --scan-open',
      '-j -a -d sat /dev/sda',
      '-j -a -d sat /dev/sdb',
      '-j -a -d nvme /dev/nvme0',
    ]);
  });

  it('is UNKNOWN, not FAILED, in a VM where the scan finds no disks', async () => {
    const smartctl = fakeSmartctl('smartctl-vm', { '-j --scan-open': { fixture: 'scan-open-vm.json', exit: 0 } });
    const outcomes = await smartCheck.run({ ...defaults, smartctl }, context());
    // As root an empty scan means no SMART disks; as another user it may mean no rights.
    const message =
      process.getuid?.() === 0
        ? 'SMART not available: smartctl found no disks it can read (usual in a virtual machine)'
        : 'reading SMART needs administrator rights: smartctl found no disks this user can open';
    expect(outcomes).toEqual([{ target: '', status: 'UNKNOWN', values: {}, message }]);
  });

  it('reads only the configured devices, and says SMART is not available on a virtual disk', async () => {
    writeFileSync(log, '');
    const smartctl = fakeSmartctl('smartctl-named', {
      '-j -a /dev/vda': { fixture: 'vm-unable-to-detect.json', exit: 1 },
      '-j -a -d nvme /dev/nvme0': { fixture: 'nvme-healthy.json', exit: 0 },
    });
    const outcomes = await smartCheck.run(
      { ...defaults, smartctl, devices: ['/dev/vda', '/dev/nvme0 -d nvme'] },
      context(),
    );
    expect(outcomes.map((o) => [o.target, o.status, o.message.slice(0, 32)])).toEqual([
      ['/dev/vda', 'UNKNOWN', 'SMART not available on this disk'],
      ['/dev/nvme0', 'OK', 'Samsung SSD 980 1TB: healthy, 41'],
    ]);
    expect(readFileSync(log, 'utf8')).not.toContain('--scan-open');
  });

  it('is UNKNOWN with the reason when the scan output is not JSON', async () => {
    const smartctl = fakeSmartctl('smartctl-broken', { '-j --scan-open': { fixture: 'truncated.json', exit: 0 } });
    const [outcome] = await smartCheck.run({ ...defaults, smartctl }, context());
    expect(outcome).toMatchObject({ status: 'UNKNOWN' });
    expect(outcome!.message).toMatch(/--scan-open output is not valid JSON/);
  });

  it('is UNKNOWN when smartctl hangs past the timeout', async () => {
    const smartctl = join(dir, 'smartctl-hang');
    writeFileSync(smartctl, '#!/bin/sh\nsleep 30\n');
    chmodSync(smartctl, 0o755);
    const started = Date.now();
    const [outcome] = await smartCheck.run({ ...defaults, smartctl, devices: ['/dev/sda'] }, context(300));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome).toMatchObject({ target: '/dev/sda', status: 'UNKNOWN' });
    expect(outcome!.message).toMatch(/did not answer/);
  });
});

describe('smart devices option', () => {
  it('splits an optional -d type off the device name', () => {
    expect(parseDeviceOption('/dev/sdb -d sat')).toEqual({ name: '/dev/sdb', type: 'sat' });
    expect(parseDeviceOption(' /dev/sda ')).toEqual({ name: '/dev/sda', type: undefined });
    expect(parseDeviceOption('/dev/sdc -d megaraid,0')).toEqual({ name: '/dev/sdc', type: 'megaraid,0' });
  });
});
