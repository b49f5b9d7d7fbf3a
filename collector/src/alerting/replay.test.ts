import type { Status } from '@vitals/shared';
import { describe, expect, it } from 'vitest';
import { type ReplayResult, replay } from './replay.js';
import { type AlertingRulesConfig, resolveRules } from './rule-config.js';

const MIN = 60_000;
const GB = 1e9;
const T0 = Date.UTC(2025, 0, 6, 9, 0);
const WHO = { client: 'Praxis Weber', site: 'Main St', host: 'weber-srv' };

function disk(minute: number, freeGb: number, status: Status = 'OK'): ReplayResult {
  return {
    ts: T0 + minute * MIN,
    check: 'disk',
    kind: 'disk',
    target: 'C:',
    status,
    values:
      status === 'UNKNOWN'
        ? {}
        : {
            free_percent: { value: freeGb, unit: 'percent' },
            free_bytes: { value: freeGb * GB, unit: 'bytes' },
            size_bytes: { value: 100 * GB, unit: 'bytes' },
          },
  };
}

const onlyStatic: AlertingRulesConfig = { rules: { disk_forecast: { enabled: false } } };

function run(results: ReplayResult[], config: AlertingRulesConfig = onlyStatic, until?: number) {
  return replay({ host: WHO, rules: resolveRules(config, WHO), results, ...(until ? { until } : {}) }).filter((e) =>
    e.rule.startsWith('disk_'),
  );
}

describe('replay', () => {
  it('lists what the alert did, when, with its summary, value and threshold', () => {
    const results = [0, 1, 2, 3, 4, 5].map((m) => disk(m, 4)).concat([disk(6, 11), disk(7, 30)]);
    const events = run(results);
    expect(events.map((e) => [(e.at - T0) / MIN, e.event, e.severity])).toEqual([
      [0, 'pending', 'critical'],
      [5, 'fired', 'critical'],
      [6, 'severity_changed', 'warning'],
      [7, 'resolved', 'warning'],
    ]);
    expect(events[1]).toMatchObject({
      rule: 'disk_space',
      target: 'C:',
      summary: 'Disk C: has 4.0 % free (4.0 GB of 100 GB), below the critical 5 %',
      value: 4,
      threshold: 5,
    });
    expect(events[1]?.forecast).toBeUndefined();
  });

  it('takes the results in time order, whatever order they come in', () => {
    const results = [0, 1, 2, 3, 4, 5].map((m) => disk(m, 4)).reverse();
    expect(run(results).map((e) => [(e.at - T0) / MIN, e.event])).toEqual([
      [0, 'pending'],
      [5, 'fired'],
    ]);
  });

  it('an UNKNOWN result neither cancels nor resolves', () => {
    const results = [
      disk(0, 4),
      disk(1, 4),
      disk(2, 0, 'UNKNOWN'),
      disk(3, 4),
      disk(4, 4),
      disk(5, 4),
      disk(6, 0, 'UNKNOWN'),
    ];
    expect(run(results).map((e) => [(e.at - T0) / MIN, e.event])).toEqual([
      [0, 'pending'],
      [5, 'fired'],
    ]);
  });

  it('applies the overrides of the host it replays as', () => {
    const config: AlertingRulesConfig = {
      ...onlyStatic,
      overrides: [{ client: 'Praxis Weber', rules: { disk_space: { critical_for: '0s' } } }],
    };
    expect(run([disk(0, 4)], config).map((e) => e.event)).toEqual(['fired']);
  });

  it('carries the forecast of a predictive alert', () => {
    const config: AlertingRulesConfig = {
      rules: {
        disk_space: { enabled: false },
        disk_forecast: { critical_min_data: '30m', critical_for: '0s' },
      },
    };
    // 14 % free, losing 0.02 % (20 MB) a minute: full in about 12 h.
    const results = Array.from({ length: 61 }, (_, m) => disk(m, 14 - 0.02 * m));
    const [fired] = run(results, config);
    expect(fired).toMatchObject({ rule: 'disk_forecast', event: 'fired', severity: 'critical' });
    expect((fired?.at ?? 0) - T0).toBe(30 * MIN);
    expect(fired?.forecast?.hours_left).toBeCloseTo(13.4 / 1.2, 1);
    expect(fired?.summary).toBe('Disk C: full in about 11 hours at the current rate (13 % free, filling 1.2 GB/h)');
  });

  it('has nothing to say about no results', () => {
    expect(replay({ rules: resolveRules({}, WHO), results: [] })).toEqual([]);
  });
});
