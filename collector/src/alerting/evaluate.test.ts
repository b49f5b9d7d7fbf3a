import type { Status } from '@vitals/shared';
import { describe, expect, it } from 'vitest';
import { alertKeyString, applyObservations, type EvaluateInput, evaluateHost } from './evaluate.js';
import { type AlertingRulesConfig, resolveRules } from './rule-config.js';
import type { AlertKey, AlertRecord, HostView, LatestResult } from './types.js';

const MIN = 60_000;
const GB = 1e9;
const T0 = Date.UTC(2025, 0, 6, 9, 0);
const HOST: HostView = {
  agent_id: 'ag_1',
  client: 'c',
  site: 's',
  host: 'pc-1',
  platform: 'win32',
  os_release: '',
  enrolled_at: 0,
  last_seen: T0,
  state: 'running',
  retired: false,
};

function disk(target: string, freeGb: number, ts = T0, status: Status = 'OK'): LatestResult {
  return {
    check: 'disk',
    kind: 'disk',
    target,
    status,
    values: {
      free_percent: { value: freeGb, unit: 'percent' },
      free_bytes: { value: freeGb * GB, unit: 'bytes' },
      size_bytes: { value: 100 * GB, unit: 'bytes' },
    },
    message: '',
    ts,
    known: null,
  };
}

function input(latest: LatestResult[], over: Partial<EvaluateInput> & { config?: AlertingRulesConfig } = {}) {
  const { config = {}, ...rest } = over;
  return {
    host: HOST,
    latest,
    diskSeries: () => [],
    rules: resolveRules(config, HOST),
    alerts: new Map<string, AlertRecord>(),
    now: T0,
    trigger: 'sample' as const,
    kinds: new Set(['disk']),
    ...rest,
  };
}

const diskRules = (items: ReturnType<typeof evaluateHost>) =>
  items.filter((i) => i.key.rule.startsWith('disk_')).map((i) => [i.key.rule, i.key.target, i.observation.level]);

describe('evaluateHost', () => {
  it('runs the rules fed by the arriving kinds, with the host’s key on each observation', () => {
    const items = evaluateHost(input([disk('C:', 4), disk('D:', 50)]));
    expect(diskRules(items)).toEqual([
      ['disk_space', 'C:', 'critical'],
      ['disk_space', 'D:', 'ok'],
      ['disk_forecast', 'C:', 'ok'],
      ['disk_forecast', 'D:', 'ok'],
    ]);
    expect(items[0]?.key).toEqual({
      client: 'c',
      site: 's',
      agent_id: 'ag_1',
      host: 'pc-1',
      rule: 'disk_space',
      target: 'C:',
    });
  });

  it('leaves out rules the arriving kinds do not feed, and sample rules on the timer', () => {
    expect(diskRules(evaluateHost(input([disk('C:', 4)], { kinds: new Set(['memory']) })))).toEqual([]);
    expect(diskRules(evaluateHost(input([disk('C:', 4)], { trigger: 'timer', kinds: undefined })))).toEqual([]);
  });

  it('skips a disabled or excluded rule and drops an excluded target', () => {
    const config: AlertingRulesConfig = {
      rules: { disk_forecast: { enabled: false } },
      overrides: [{ host: 'PC-1', exclude: ['disk_space:D:'] }],
    };
    expect(diskRules(evaluateHost(input([disk('C:', 4), disk('D:', 4)], { config })))).toEqual([
      ['disk_space', 'C:', 'critical'],
    ]);
    const excluded: AlertingRulesConfig = { overrides: [{ host: 'pc-1', exclude: ['disk_space', 'disk_forecast'] }] };
    expect(diskRules(evaluateHost(input([disk('C:', 4)], { config: excluded })))).toEqual([]);
  });

  it('tells a rule which of its alerts are firing, so it can hold them in the recovery band', () => {
    const key: AlertKey = { client: 'c', site: 's', agent_id: 'ag_1', host: 'pc-1', rule: 'disk_space', target: 'C:' };
    const [created] = applyObservations(
      new Map(),
      [
        {
          key,
          observation: {
            ...observed(disk('C:', 4)),
            timing: { critical: { forMs: 0, consecutive: 1 }, recoverConsecutive: 1 },
          },
        },
      ],
      T0,
      () => 'al_1',
    );
    const alerts = new Map([[alertKeyString(key), created?.next as AlertRecord]]);
    const items = evaluateHost(input([disk('C:', 7)], { alerts }));
    expect(items.find((i) => i.key.rule === 'disk_space')?.observation.level).toBe('hold');
    const pending = new Map([[alertKeyString(key), { ...(created?.next as AlertRecord), state: 'pending' as const }]]);
    expect(
      evaluateHost(input([disk('C:', 7)], { alerts: pending })).find((i) => i.key.rule === 'disk_space')?.observation
        .level,
    ).toBe('warning');
  });
});

/** The disk_space observation for one result, with the default rules. */
function observed(result: LatestResult) {
  const item = evaluateHost(input([result])).find((i) => i.key.rule === 'disk_space');
  if (!item) throw new Error('no disk_space observation');
  return item.observation;
}

describe('alertKeyString', () => {
  it('one alert per agent, rule and target; a renamed host keeps its key', () => {
    const key: AlertKey = { client: 'c', site: 's', agent_id: 'ag_1', host: 'pc-1', rule: 'disk_space', target: 'C:' };
    expect(alertKeyString({ ...key, host: 'pc-renamed' })).toBe(alertKeyString(key));
    expect(alertKeyString({ ...key, target: 'D:' })).not.toBe(alertKeyString(key));
    expect(alertKeyString({ ...key, rule: 'disk_forecast' })).not.toBe(alertKeyString(key));
    expect(alertKeyString({ ...key, agent_id: 'ag_2' })).not.toBe(alertKeyString(key));
  });
});

describe('applyObservations', () => {
  const key: AlertKey = { client: 'c', site: 's', agent_id: 'ag_1', host: 'pc-1', rule: 'disk_space', target: 'C:' };
  const at = (minute: number, freeGb: number) => ({
    key,
    observation: observed(disk('C:', freeGb, T0 + minute * MIN)),
  });

  it('opens, updates, fires and resolves, keeping the map to open alerts', () => {
    const alerts = new Map<string, AlertRecord>();
    let n = 0;
    const newId = () => `al_${++n}`;
    const first = applyObservations(alerts, [at(0, 4)], T0, newId);
    expect(first.map((c) => c.event)).toEqual(['pending']);
    expect(alerts.get(alertKeyString(key))?.state).toBe('pending');
    // Bookkeeping moved (a count, the value): returned without an event, so the row gets saved.
    const second = applyObservations(alerts, [at(1, 4.1)], T0 + MIN, newId);
    expect(second).toHaveLength(1);
    expect(second[0]?.event).toBeUndefined();
    expect(second[0]?.next?.value).toBe(4.1);
    expect(applyObservations(alerts, [at(5, 4)], T0 + 5 * MIN, newId).map((c) => c.event)).toEqual(['fired']);
    const resolved = applyObservations(alerts, [at(6, 50)], T0 + 6 * MIN, newId);
    expect(resolved.map((c) => [c.event, c.next?.state, c.observation.summary])).toEqual([
      ['resolved', 'resolved', 'Disk C: has 50 % free (50.0 GB of 100 GB)'],
    ]);
    expect(alerts.size).toBe(0);
  });

  it('returns nothing when nothing changed, and nothing for an ok target without an alert', () => {
    const alerts = new Map<string, AlertRecord>();
    applyObservations(alerts, [at(0, 4)], T0, () => 'al_1');
    expect(applyObservations(alerts, [at(0, 4)], T0 + 30_000, () => 'x')).toEqual([]);
    expect(applyObservations(new Map(), [at(0, 50)], T0, () => 'x')).toEqual([]);
  });

  it('a cancelled pending alert is removed from the map and reported with the row it was', () => {
    const alerts = new Map<string, AlertRecord>();
    applyObservations(alerts, [at(0, 4)], T0, () => 'al_1');
    const [cancel] = applyObservations(alerts, [at(1, 50)], T0 + MIN, () => 'x');
    expect(cancel).toMatchObject({ event: 'cancelled', prev: { id: 'al_1' } });
    expect(cancel?.next).toBeUndefined();
    expect(alerts.size).toBe(0);
  });

  it('leaves an open alert alone when its disk is no longer reported, or reported UNKNOWN', () => {
    const alerts = new Map<string, AlertRecord>();
    applyObservations(alerts, [at(0, 4)], T0, () => 'al_1');
    const before = alerts.get(alertKeyString(key));
    for (const latest of [[disk('D:', 50, T0 + MIN)], [disk('C:', 0, T0 + MIN, 'UNKNOWN')]]) {
      const items = evaluateHost(input(latest, { alerts }));
      const touched = applyObservations(alerts, items, T0 + MIN, () => 'x').filter(
        (c) => (c.next ?? c.prev)?.target === 'C:',
      );
      expect(touched).toEqual([]);
      expect(alerts.get(alertKeyString(key))).toBe(before);
    }
  });
});
