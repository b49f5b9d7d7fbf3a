// One fact, one verdict: the agent's disk check and the collector's disk_space rule, both with
// their defaults, say the same thing about the same volume (SPEC §4.3).
import type { Measurement } from '@vitals/shared';
import { describe, expect, it } from 'vitest';
import { judgeVolume } from '../agent/src/checks/disk.js';
import { resolveRules } from '../collector/src/alerting/rule-config.js';
import { type DiskSpaceOptions, diskSpaceRule } from '../collector/src/alerting/rules/disk-space.js';
import type { LatestResult } from '../collector/src/alerting/types.js';

const WHO = { client: 'c', site: 's', host: 'pc-1' };
const NOW = Date.UTC(2026, 0, 1);
const AGENT_DEFAULTS = {
  warnFreePercent: 15,
  critFreePercent: 5,
  warnFreeBytes: 0,
  critFreeBytes: 0,
  warnInodesFreePercent: 10,
  critInodesFreePercent: 5,
};

function collectorStatus(values: Record<string, Measurement>, target: string): string {
  const latest: LatestResult = {
    check: 'disk',
    kind: 'disk',
    target,
    status: 'OK',
    values,
    message: '',
    ts: NOW,
    known: null,
  };
  const options = resolveRules({}, WHO).options<DiskSpaceOptions>('disk_space');
  const [o] = diskSpaceRule.evaluate(options, {
    host: {
      agent_id: 'a',
      ...WHO,
      platform: 'linux',
      os_release: '',
      enrolled_at: 0,
      last_seen: NOW,
      state: 'running',
      retired: false,
    },
    latest: [latest],
    diskSeries: () => [],
    firing: () => undefined,
    now: NOW,
  });
  return o?.level === 'critical' ? 'CRITICAL' : o?.level === 'warning' ? 'WARNING' : 'OK';
}

describe('agent disk check and collector disk_space rule, defaults', () => {
  const volumes = [
    { name: '120 MB at 50 % free', size: 120e6, avail: 60e6 },
    { name: '120 MB at 4 % free', size: 120e6, avail: 4.8e6 },
    { name: '40 GB at 20 % free (8 GB)', size: 40e9, avail: 8e9 },
    { name: '250 GB at 12 % free', size: 250e9, avail: 30e9 },
    { name: '20 TB at 16 % free (3.2 TB)', size: 20e12, avail: 3.2e12 },
    { name: '20 TB at 4 % free', size: 20e12, avail: 0.8e12 },
  ];
  for (const v of volumes) {
    it(`same verdict for ${v.name}`, () => {
      const outcome = judgeVolume(
        {
          target: '/v',
          source: '/dev/x',
          fstype: 'ext4',
          sizeBytes: v.size,
          usedBytes: v.size - v.avail,
          availBytes: v.avail,
        },
        AGENT_DEFAULTS,
      );
      expect(collectorStatus(outcome.values, '/v')).toBe(outcome.status);
    });
  }

  it('the 120 MB volume at 50 % free is fine on both sides', () => {
    const outcome = judgeVolume(
      { target: '/boot', source: '/dev/x', fstype: 'ext4', sizeBytes: 120e6, usedBytes: 60e6, availBytes: 60e6 },
      AGENT_DEFAULTS,
    );
    expect(outcome.status).toBe('OK');
    expect(collectorStatus(outcome.values, '/boot')).toBe('OK');
  });
});
