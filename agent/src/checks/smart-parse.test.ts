import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeSmartReport, parseScan, type SmartRun } from './smart-parse.js';

const limits = { warnTemperatureC: 60, warnWearPercent: 90 };
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'smart', name), 'utf8');

function judge(name: string, overrides: Partial<SmartRun> = {}) {
  const run = { device: '/dev/sdx', exitCode: 0, isAdmin: true, ...overrides };
  return judgeSmartReport({ ...run, stdout: overrides.stdout ?? fixture(name) }, limits);
}

/** The fixture with some fields changed, as smartctl would print them for another disk. */
// biome-ignore lint/suspicious/noExplicitAny: tests poke at smartctl's JSON freely; the parser under test is what must be careful
function variant(name: string, change: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(fixture(name));
  change(doc);
  return JSON.stringify(doc);
}

describe('smartctl --scan-open', () => {
  it('lists each disk with the -d type smartctl detected', () => {
    expect(parseScan(fixture('scan-open.json'))).toEqual([
      { name: '/dev/sda', type: 'sat' },
      { name: '/dev/sdb', type: 'sat' },
      { name: '/dev/nvme0', type: 'nvme' },
    ]);
  });

  it('finds no disks in a virtual machine, where smartctl prints no devices key at all', () => {
    expect(parseScan(fixture('scan-open-vm.json'))).toEqual([]);
  });

  it('throws a readable error on truncated output', () => {
    expect(() => parseScan('{"json_format_version": [1, 0], "devi')).toThrow(/not valid JSON/);
  });
});

describe('smartctl -a verdicts', () => {
  it('reports a healthy SATA SSD as OK with its temperature, wear and hours', () => {
    const outcome = judge('sata-ssd-healthy.json');
    expect(outcome).toMatchObject({ target: '/dev/sda', status: 'OK' });
    expect(outcome.message).toBe('Samsung SSD 870 EVO 500GB: healthy, 34 °C, 3 % worn, 12034 h powered on');
    expect(outcome.values).toEqual({
      health: { value: 'PASSED' },
      temperature_c: { value: 34, unit: 'celsius' },
      reallocated: { value: 0, unit: 'count' },
      uncorrectable: { value: 0, unit: 'count' },
      wear_percent: { value: 3, unit: 'percent' },
      power_on_hours: { value: 12034, unit: 'hours' },
    });
    // Samsung SSDs have no 197/198: an absent attribute is not reported as 0.
    expect(outcome.values['pending']).toBeUndefined();
  });

  it('reports a failing SATA disk as CRITICAL and lists its bad sectors', () => {
    const outcome = judge('sata-hdd-failing.json', { exitCode: 88 });
    expect(outcome).toMatchObject({ target: '/dev/sdb', status: 'CRITICAL' });
    expect(outcome.message).toBe(
      'WDC WD10EZEX-08WN4A0: the disk reports SMART overall health FAILED — replace it and check the backups now; ' +
        '1912 reallocated sectors; 37 sectors pending reallocation; 12 uncorrectable errors',
    );
    expect(outcome.values).toMatchObject({
      health: { value: 'FAILED' },
      reallocated: { value: 1912 },
      pending: { value: 37 },
      uncorrectable: { value: 12 },
      power_on_hours: { value: 52771 },
    });
  });

  it('is CRITICAL from exit_status bit 3 alone (disk failing), whatever else the document says', () => {
    const text = variant('sata-ssd-healthy.json', (d) => {
      d.smartctl.exit_status = 8;
    });
    expect(judge('sata-ssd-healthy.json', { stdout: text }).status).toBe('CRITICAL');
  });

  it('warns on sectors pending reallocation on an otherwise passing disk', () => {
    const text = variant('sata-hdd-failing.json', (d) => {
      d.smart_status.passed = true;
      d.smartctl.exit_status = 64;
      for (const row of d.ata_smart_attributes.table) if (row.id !== 197) row.raw.value = 0;
    });
    const outcome = judge('sata-hdd-failing.json', { stdout: text });
    expect(outcome.status).toBe('WARNING');
    expect(outcome.message).toBe('WDC WD10EZEX-08WN4A0: 37 sectors pending reallocation');
  });

  it('warns when a failed self-test is logged (exit_status bit 7)', () => {
    const text = variant('sata-ssd-healthy.json', (d) => {
      d.smartctl.exit_status = 128;
    });
    expect(judge('sata-ssd-healthy.json', { stdout: text }).message).toMatch(/self-test log records failed tests/);
  });

  it('reports a healthy NVMe drive as OK from its health log', () => {
    const outcome = judge('nvme-healthy.json');
    expect(outcome).toMatchObject({ target: '/dev/nvme0', status: 'OK' });
    expect(outcome.message).toBe('Samsung SSD 980 1TB: healthy, 41 °C, 3 % worn, 6120 h powered on');
    expect(outcome.values).toMatchObject({ uncorrectable: { value: 0 }, wear_percent: { value: 3 } });
  });

  it('is CRITICAL when an NVMe critical warning bit is set even though SMART passed', () => {
    const text = variant('nvme-healthy.json', (d) => {
      d.nvme_smart_health_information_log.critical_warning = 4;
    });
    const outcome = judge('nvme-healthy.json', { stdout: text });
    expect(outcome.status).toBe('CRITICAL');
    expect(outcome.message).toMatch(/NVMe critical warning 0x04 is set/);
  });

  it('warns when an NVMe drive has used more than 90 % of its life, and when it runs above 60 °C', () => {
    const worn = variant('nvme-healthy.json', (d) => {
      d.nvme_smart_health_information_log.percentage_used = 93;
    });
    const hot = variant('nvme-healthy.json', (d) => {
      d.temperature.current = 71;
    });
    expect(judge('nvme-healthy.json', { stdout: worn })).toMatchObject({
      status: 'WARNING',
      message: 'Samsung SSD 980 1TB: 93 % of its rated life is used',
    });
    expect(judge('nvme-healthy.json', { stdout: hot })).toMatchObject({
      status: 'WARNING',
      message: 'Samsung SSD 980 1TB: it runs hot at 71 °C',
    });
  });

  it('says SMART is not available on a VM disk (exit_status 1), not that it failed', () => {
    const outcome = judge('vm-unable-to-detect.json', { device: '/dev/vda', exitCode: 1 });
    expect(outcome).toMatchObject({ target: '/dev/vda', status: 'UNKNOWN', values: {} });
    expect(outcome.message).toBe('SMART not available on this disk (smartctl: /dev/vda: Unable to detect device type)');
  });

  it('says SMART is not available when the device cannot be opened for a reason other than rights', () => {
    const outcome = judge('no-such-device.json', { device: '/dev/sda', exitCode: 2 });
    expect(outcome.status).toBe('UNKNOWN');
    expect(outcome.message).toMatch(/^SMART not available on this disk \(smartctl: .*No such device\)$/);
  });

  it('asks for administrator rights when smartctl was denied permission', () => {
    const outcome = judge('not-root-permission-denied.json', { device: '/dev/vda', exitCode: 2, isAdmin: false });
    expect(outcome.status).toBe('UNKNOWN');
    expect(outcome.message).toMatch(/^reading SMART needs administrator rights/);
  });

  it('treats "Operation not permitted" as rights only when the agent is not root', () => {
    const text = variant('not-root-permission-denied.json', (d) => {
      d.smartctl.messages[0].string = 'Smartctl open device: /dev/vda [SAT] failed: Operation not permitted';
    });
    expect(judge('(inline)', { stdout: text, isAdmin: false }).message).toMatch(/needs administrator rights/);
    expect(judge('(inline)', { stdout: text, isAdmin: true }).message).toMatch(/^SMART not available on this disk/);
  });

  it('is UNKNOWN when a disk answers without any SMART status', () => {
    const text = variant('sata-ssd-healthy.json', (d) => {
      delete d.smart_status;
      d.smart_support = { available: false };
      d.smartctl.exit_status = 4;
    });
    expect(judge('(inline)', { stdout: text })).toMatchObject({
      status: 'UNKNOWN',
      message: 'SMART not available on this disk: a SMART command failed',
    });
  });

  it('is UNKNOWN with the reason on truncated JSON', () => {
    const outcome = judge('truncated.json', { device: '/dev/sda' });
    expect(outcome).toMatchObject({ target: '/dev/sda', status: 'UNKNOWN' });
    expect(outcome.message).toMatch(/^smartctl output for \/dev\/sda is not valid JSON .*truncated output\?$/);
  });

  it('keeps every fixture serial number obviously fake', () => {
    for (const name of ['sata-ssd-healthy.json', 'sata-hdd-failing.json', 'nvme-healthy.json'])
      expect(JSON.parse(fixture(name)).serial_number).toMatch(/FAKE/);
  });
});
