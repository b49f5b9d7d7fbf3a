import type { Measurement, Status } from '@vitals/shared';
import { describe, expect, it } from 'vitest';
import { resolveRules } from '../rule-config.js';
import type { HostView, LatestResult, Severity } from '../types.js';
import { type DiskSpaceOptions, diskSpaceRule } from './disk-space.js';
import { RuleOptionError } from './options.js';
import type { RuleContext } from './rule.js';

const GB = 1e9;
const NOW = Date.UTC(2025, 0, 6, 9, 0);
const WHO = { client: 'c', site: 's', host: 'pc-1' };
const HOST: HostView = {
  agent_id: 'ag_1',
  ...WHO,
  platform: 'win32',
  os_release: '10.0.19045',
  enrolled_at: 0,
  last_seen: NOW,
  state: 'running',
  retired: false,
};

function diskResult(target: string, free: number, size: number, status: Status = 'OK'): LatestResult {
  const values: Record<string, Measurement> = {
    free_percent: { value: (free / size) * 100, unit: 'percent' },
    free_bytes: { value: free, unit: 'bytes' },
    size_bytes: { value: size, unit: 'bytes' },
  };
  return { check: 'disk', kind: 'disk', target, status, values, message: '', ts: NOW, known: null };
}

function observe(latest: LatestResult[], firing: Record<string, Severity> = {}, rules = {}) {
  const ctx: RuleContext = {
    host: HOST,
    latest,
    diskSeries: () => [],
    firing: (target) => firing[target],
    now: NOW,
  };
  const options = resolveRules({ rules: { disk_space: rules } }, WHO).options<DiskSpaceOptions>('disk_space');
  return diskSpaceRule.evaluate(options, ctx);
}

describe('disk_space', () => {
  it('says a roomy disk is fine', () => {
    const [o] = observe([diskResult('C:', 105 * GB, 250 * GB)]);
    expect(o).toMatchObject({
      rule: 'disk_space',
      target: 'C:',
      at: NOW,
      level: 'ok',
      value: 42,
      threshold: 15,
      unit: 'percent',
      summary: 'Disk C: has 42 % free (105 GB of 250 GB)',
    });
  });

  it('warns below 15 % and is critical below 5 %, with the SPEC timings', () => {
    const [w] = observe([diskResult('C:', 30 * GB, 250 * GB)]);
    expect(w).toMatchObject({ level: 'warning', value: 12, threshold: 15 });
    expect(w?.summary).toBe('Disk C: has 12 % free (30.0 GB of 250 GB), below the warning 15 %');
    const [c] = observe([diskResult('C:', 10.5 * GB, 250 * GB)]);
    expect(c).toMatchObject({ level: 'critical', value: 4.2, threshold: 5 });
    expect(c?.summary).toBe('Disk C: has 4.2 % free (10.5 GB of 250 GB), below the critical 5 %');
    expect(c?.timing).toEqual({
      warning: { forMs: 15 * 60_000, consecutive: 1 },
      critical: { forMs: 5 * 60_000, consecutive: 1 },
      recoverConsecutive: 1,
    });
  });

  it('warns on a small disk below 10 GB even when the percent is fine, and names the size', () => {
    const [o] = observe([diskResult('/', 8 * GB, 40 * GB)]);
    expect(o).toMatchObject({ level: 'warning', value: 20, threshold: '10.0 GB' });
    expect(o?.summary).toBe('Disk / has 20 % free (8.0 GB of 40.0 GB), below the warning 10.0 GB');
    const [c] = observe([diskResult('/', 1.8 * GB, 30 * GB)]);
    expect(c).toMatchObject({ level: 'critical', value: 6, threshold: '2.0 GB' });
  });

  it('a byte threshold of 0 turns that half off', () => {
    const [o] = observe([diskResult('/', 8 * GB, 40 * GB)], {}, { warning_free_bytes: 0 });
    expect(o?.level).toBe('ok');
  });

  it('a critical alert holds until 5 points above 5 %, then steps down to warning', () => {
    const firing = { 'C:': 'critical' as const };
    const [hold] = observe([diskResult('C:', 7 * GB, 100 * GB)], firing);
    expect(hold).toMatchObject({ level: 'hold', threshold: 5 });
    expect(hold?.summary).toBe('Disk C: has 7.0 % free (7.0 GB of 100 GB); the critical alert clears at 10 % free');
    const [down] = observe([diskResult('C:', 11 * GB, 100 * GB)], firing);
    expect(down?.level).toBe('warning');
    // Past the warning threshold but inside its band: a critical alert steps down, not out.
    const [band] = observe([diskResult('C:', 17 * GB, 100 * GB)], firing);
    expect(band?.level).toBe('warning');
    expect(band?.summary).toBe('Disk C: has 17 % free (17.0 GB of 100 GB); the warning alert clears at 20 % free');
  });

  it('a warning alert holds until 20 % free, then resolves', () => {
    const firing = { 'C:': 'warning' as const };
    expect(observe([diskResult('C:', 19.9 * GB, 100 * GB)], firing)[0]?.level).toBe('hold');
    expect(observe([diskResult('C:', 20 * GB, 100 * GB)], firing)[0]?.level).toBe('ok');
  });

  it('the recovery band only applies to a firing alert', () => {
    expect(observe([diskResult('C:', 17 * GB, 100 * GB)])[0]?.level).toBe('ok');
    expect(observe([diskResult('C:', 7 * GB, 100 * GB)])[0]?.level).toBe('warning');
  });

  it('a byte threshold recovers 5 % of the disk size above it', () => {
    const firing = { '/': 'warning' as const };
    // 40 GB disk: 10 GB + 2 GB.
    const [hold] = observe([diskResult('/', 11 * GB, 40 * GB)], firing);
    expect(hold).toMatchObject({ level: 'hold', threshold: '10.0 GB' });
    expect(hold?.summary).toBe('Disk / has 28 % free (11.0 GB of 40.0 GB); the warning alert clears at 12.0 GB free');
    expect(observe([diskResult('/', 12.1 * GB, 40 * GB)], firing)[0]?.level).toBe('ok');
  });

  it('uses the configured thresholds, margin and durations', () => {
    const rules = { critical_free_percent: 10, recover_margin_percent: 2, critical_for: '1m', warning_for: '1h' };
    const [c] = observe([diskResult('C:', 9 * GB, 100 * GB)], {}, rules);
    expect(c).toMatchObject({ level: 'critical', threshold: 10 });
    expect(c?.timing.critical?.forMs).toBe(60_000);
    expect(c?.timing.warning?.forMs).toBe(3_600_000);
    expect(observe([diskResult('C:', 11 * GB, 100 * GB)], { 'C:': 'critical' }, rules)[0]?.level).toBe('hold');
    expect(observe([diskResult('C:', 12 * GB, 100 * GB)], { 'C:': 'critical' }, rules)[0]?.level).toBe('warning');
  });

  it('observes each disk, skips an UNKNOWN one, and works out the percent from bytes if need be', () => {
    const bytesOnly = diskResult('/data', 3 * GB, 100 * GB);
    delete bytesOnly.values.free_percent;
    const obs = observe([
      diskResult('C:', 50 * GB, 100 * GB),
      diskResult('D:', 1 * GB, 100 * GB, 'UNKNOWN'),
      bytesOnly,
      { ...diskResult('X', 1, 100), kind: 'memory' },
    ]);
    expect(obs.map((o) => [o.target, o.level])).toEqual([
      ['C:', 'ok'],
      ['/data', 'critical'],
    ]);
  });

  it('refuses a size it cannot read', () => {
    expect(() =>
      diskSpaceRule.parse({
        enabled: true,
        warning_free_percent: 15,
        warning_free_bytes: 'lots',
        warning_for: '15m',
        critical_free_percent: 5,
        critical_free_bytes: '2GB',
        critical_for: '5m',
        recover_margin_percent: 5,
      }),
    ).toThrow(RuleOptionError);
  });
});
