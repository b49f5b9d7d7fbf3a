import { compileSchema } from '@vitals/shared';
import { describe, expect, it } from 'vitest';
import {
  type AlertingRulesConfig,
  checkRulesConfig,
  OverridesSchema,
  parseExclusion,
  RulesConfigSchema,
  resolveRules,
} from './rule-config.js';
import type { DiskForecastOptions } from './rules/disk-forecast.js';
import type { DiskSpaceOptions } from './rules/disk-space.js';

const weber = { client: 'Praxis Weber', site: 'Main St', host: 'weber-srv' };
const weberDesk = { ...weber, host: 'weber-desk' };
const other = { client: 'Dental Kim', site: 'Main St', host: 'kim-srv' };

const space = (config: AlertingRulesConfig, who = weber) =>
  resolveRules(config, who).options<DiskSpaceOptions>('disk_space');

describe('resolveRules', () => {
  it('without config, every rule has the SPEC defaults', () => {
    expect(space({})).toEqual({
      enabled: true,
      warning: { freePercent: 15, freeBytes: 0, forMs: 15 * 60_000 },
      critical: { freePercent: 5, freeBytes: 0, forMs: 5 * 60_000 },
      recoverMarginPercent: 5,
    });
    const forecast = resolveRules({}, weber).options<DiskForecastOptions>('disk_forecast');
    expect(forecast.warning).toEqual({
      belowFreePercent: 30,
      windowMs: 24 * 3_600_000,
      minDataMs: 12 * 3_600_000,
      horizonMs: 72 * 3_600_000,
      forMs: 3_600_000,
    });
  });

  it('a client-level threshold beats the global one, for that client only', () => {
    const config: AlertingRulesConfig = {
      rules: { disk_space: { warning_free_percent: 20 } },
      overrides: [{ client: 'Praxis Weber', rules: { disk_space: { warning_free_percent: 25 } } }],
    };
    expect(space(config).warning.freePercent).toBe(25);
    expect(space(config, other).warning.freePercent).toBe(20);
  });

  it('closest wins whatever the order in the list: host over site over client', () => {
    const config: AlertingRulesConfig = {
      overrides: [
        { host: 'WEBER-SRV', rules: { disk_space: { warning_free_percent: 40 } } },
        { client: 'Praxis Weber', site: 'Main St', rules: { disk_space: { warning_free_percent: 30 } } },
        { client: 'Praxis Weber', rules: { disk_space: { warning_free_percent: 25 } } },
      ],
    };
    expect(space(config).warning.freePercent).toBe(40);
    expect(space(config, weberDesk).warning.freePercent).toBe(30);
    expect(space(config, { ...weberDesk, site: 'Branch' }).warning.freePercent).toBe(25);
  });

  it('merges key by key: each level sets only what it names', () => {
    const config: AlertingRulesConfig = {
      rules: { disk_space: { warning_for: '30m' } },
      overrides: [{ client: 'Praxis Weber', rules: { disk_space: { warning_free_bytes: '50GB' } } }],
    };
    const o = space(config);
    expect(o.warning).toEqual({ freePercent: 15, freeBytes: 50e9, forMs: 30 * 60_000 });
    expect(o.critical.freePercent).toBe(5);
  });

  it('an override matches only when every field it names matches', () => {
    const config: AlertingRulesConfig = {
      overrides: [{ client: 'Dental Kim', host: 'weber-srv', rules: { disk_space: { enabled: false } } }],
    };
    expect(space(config).enabled).toBe(true);
    expect(space(config, { ...other, host: 'weber-srv' }).enabled).toBe(false);
  });

  it('a host exclusion removes a rule from that host only', () => {
    const config: AlertingRulesConfig = { overrides: [{ host: 'weber-desk', exclude: ['disk_forecast'] }] };
    const desk = resolveRules(config, weberDesk);
    expect(desk.excluded('disk_forecast')).toBe(true);
    expect(desk.excluded('disk_forecast', 'C:')).toBe(true);
    expect(desk.excluded('disk_space')).toBe(false);
    expect(resolveRules(config, weber).excluded('disk_forecast')).toBe(false);
  });

  it('a target exclusion removes one target, and exclusions from all levels add up', () => {
    const config: AlertingRulesConfig = {
      overrides: [
        { client: 'Praxis Weber', exclude: ['disk_space:/mnt/usb'] },
        { host: 'weber-srv', exclude: ['disk_forecast:E:'] },
      ],
    };
    const r = resolveRules(config, weber);
    expect(r.excluded('disk_space', '/mnt/usb')).toBe(true);
    expect(r.excluded('disk_space', '/')).toBe(false);
    expect(r.excluded('disk_space')).toBe(false);
    expect(r.excluded('disk_forecast', 'E:')).toBe(true);
    expect(resolveRules(config, weberDesk).excluded('disk_forecast', 'E:')).toBe(false);
  });

  it('resolves once per config and host', () => {
    const config: AlertingRulesConfig = {};
    expect(resolveRules(config, weber)).toBe(resolveRules(config, { ...weber, host: 'WEBER-SRV' }));
    expect(resolveRules(config, weber)).not.toBe(resolveRules(config, weberDesk));
    expect(resolveRules({}, weber)).not.toBe(resolveRules(config, weber));
  });
});

describe('parseExclusion', () => {
  it('splits at the first colon, so a drive letter keeps its own', () => {
    expect(parseExclusion('backup')).toEqual({ rule: 'backup' });
    expect(parseExclusion('disk_space:C:')).toEqual({ rule: 'disk_space', target: 'C:' });
    expect(parseExclusion('endpoint:https://ehr.local')).toEqual({ rule: 'endpoint', target: 'https://ehr.local' });
  });
});

describe('rule config schemas', () => {
  const rules = compileSchema(RulesConfigSchema);
  const overrides = compileSchema(OverridesSchema);

  it('accepts any subset of a rule’s options', () => {
    expect(rules.issues({ disk_space: { warning_for: '30m' }, disk_forecast: { enabled: false } })).toEqual([]);
  });

  it('names the key path of a wrong or unknown option, and refuses unknown rules', () => {
    expect(rules.issues({ disk_space: { warning_for: 'soon' } })).toEqual([
      { path: 'disk_space.warning_for', message: 'must be a duration such as 30s, 15m, 6h or 7d' },
    ]);
    expect(rules.issues({ disk_space: { warnig_for: '1h' } })).toEqual([
      { path: 'disk_space.warnig_for', message: 'is not a known key' },
    ]);
    expect(rules.issues({ disk_spaces: {} })).toEqual([{ path: 'disk_spaces', message: 'is not a known key' }]);
    const issues = overrides.issues([{ client: 'a', rules: { disk_space: { critical_free_bytes: 'big' } } }]);
    expect(new Set(issues.map((i) => i.path))).toEqual(new Set(['[0].rules.disk_space.critical_free_bytes']));
    expect(issues.map((i) => i.message)).toContain('must be a size such as 500MB or 10GB');
  });
});

describe('stale_after', () => {
  it('is a key of the rules about reported targets only, in the schema', () => {
    const rules = compileSchema(RulesConfigSchema);
    expect(rules.issues({ disk_space: { stale_after: '3x' }, backup: { stale_after: '2h' } })).toEqual([]);
    expect(rules.issues({ heartbeat: { stale_after: '3x' } })).toEqual([
      { path: 'heartbeat.stale_after', message: 'is not a known key' },
    ]);
    expect(rules.issues({ service: { stale_after: 'soon' } }).map((i) => i.path)).toEqual(['service.stale_after']);
  });

  it('refuses zero, globally and per rule, naming where', () => {
    expect(checkRulesConfig({ stale_after: '0x', rules: { cpu: { stale_after: '0s' } } })).toEqual([
      { path: 'alerting.rules.cpu.stale_after', message: 'must be longer than 0' },
      { path: 'alerting.stale_after', message: 'must be longer than 0 ("3x" or a duration such as 30m)' },
    ]);
  });
});

describe('checkRulesConfig', () => {
  it('finds nothing wrong in a sound config', () => {
    const config: AlertingRulesConfig = {
      rules: { disk_forecast: { warning_window: '18h', warning_min_data: '9h' } },
      overrides: [{ client: 'a', site: 'b', exclude: ['disk_space:/mnt/usb', 'disk_forecast'] }],
    };
    expect(checkRulesConfig(config)).toEqual([]);
  });

  it('an unknown rule in an exclusion is an error at its path', () => {
    const config: AlertingRulesConfig = {
      overrides: [{ client: 'a' }, { client: 'b' }, { host: 'h', exclude: ['disk_spce:/mnt/usb', 'disk_space:'] }],
    };
    const issues = checkRulesConfig(config);
    expect(issues.map((i) => i.path)).toEqual(['alerting.overrides[2].exclude[0]', 'alerting.overrides[2].exclude[1]']);
    expect(issues[0]?.message).toMatch(/^"disk_spce" is not a rule; known rules: .*disk_space, disk_forecast/);
  });

  it('a site needs its client, and an override must name someone', () => {
    const issues = checkRulesConfig({ overrides: [{ site: 'Main St' }, { rules: {} }] });
    expect(issues).toEqual([
      { path: 'alerting.overrides[0].site', message: expect.stringMatching(/needs client/) },
      { path: 'alerting.overrides[1]', message: expect.stringMatching(/names no client, site or host/) },
    ]);
  });

  it('reports a rule’s own option check at the key path, globally and in overrides', () => {
    const issues = checkRulesConfig({
      rules: { disk_forecast: { warning_min_data: '30h' } },
      overrides: [{ client: 'a', rules: { disk_forecast: { critical_window: '1h' } } }],
    });
    expect(issues).toEqual([
      {
        path: 'alerting.rules.disk_forecast.warning_min_data',
        message: 'must not be longer than warning_window (24h)',
      },
      // The override is checked on the defaults, not on the broken global block.
      {
        path: 'alerting.overrides[0].rules.disk_forecast.critical_min_data',
        message: 'must not be longer than critical_window (1h)',
      },
    ]);
  });
});
