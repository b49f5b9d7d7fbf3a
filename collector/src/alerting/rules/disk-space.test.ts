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

  it('has no byte floors by default: a 120 MB volume at 50 % free and a 20 TB one at 16 % are fine', () => {
    expect(observe([diskResult('/boot', 60e6, 120e6)])[0]).toMatchObject({ level: 'ok', value: 50, unit: 'percent' });
    expect(observe([diskResult('/srv', 3.2e12, 20e12)])[0]?.level).toBe('ok');
    expect(observe([diskResult('/srv', 2.8e12, 20e12)])[0]).toMatchObject({ level: 'warning', threshold: 15 });
  });

  it('a configured byte floor marks only volumes at least 10x its size, in bytes with bytes', () => {
    const rules = { warning_free_bytes: '10GB', critical_free_bytes: '2GB' };
    const [o] = observe([diskResult('/', 8 * GB, 200 * GB)], {}, rules);
    expect(o).toMatchObject({ level: 'critical', unit: 'percent', value: 4, threshold: 5 });
    const [w] = observe(
      [diskResult('/', 16 * GB, 200 * GB)],
      {},
      {
        warning_free_percent: 2,
        warning_free_bytes: '20GB',
      },
    );
    expect(w).toMatchObject({ level: 'warning', value: 16 * GB, threshold: 20 * GB, unit: 'bytes' });
    expect(w?.summary).toBe('Disk / has 8.0 % free (16.0 GB of 200 GB), below the warning 20.0 GB');
    // The same floor on a 100 GB volume (under 10x 20 GB) does not apply.
    expect(
      observe([diskResult('/', 8 * GB, 100 * GB)], {}, { warning_free_percent: 2, warning_free_bytes: '20GB' })[0]
        ?.level,
    ).toBe('ok');
    // 120 MB at 50 % free: a 2 GB floor would mean "always critical" — it does not apply.
    expect(observe([diskResult('/boot', 60e6, 120e6)], {}, rules)[0]?.level).toBe('ok');
  });

  it('a byte threshold of 0 turns that half off', () => {
    const [o] = observe([diskResult('/', 16 * GB, 200 * GB)], {}, { warning_free_percent: 2, warning_free_bytes: 0 });
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
    const rules = { warning_free_percent: 0, warning_free_bytes: '10GB' };
    // 100 GB disk: 10 GB + 5 GB.
    const [hold] = observe([diskResult('/', 11 * GB, 100 * GB)], firing, rules);
    expect(hold).toMatchObject({ level: 'hold', threshold: 10 * GB, unit: 'bytes' });
    expect(hold?.summary).toBe('Disk / has 11 % free (11.0 GB of 100 GB); the warning alert clears at 15.0 GB free');
    expect(observe([diskResult('/', 15.1 * GB, 100 * GB)], firing, rules)[0]?.level).toBe('ok');
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
