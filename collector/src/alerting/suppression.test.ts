import { describe, expect, it } from 'vitest';
import type { MaintenanceLookup } from './maintenance-window.js';
import { createSilence } from './silence.js';
import { suppressions } from './suppression.js';
import type { AlertRecord } from './types.js';

const T0 = Date.UTC(2025, 0, 6, 9, 0);
const HOUR = 3600_000;

function alert(id: string, overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id,
    client: 'Northside',
    site: 'Main St',
    agent_id: 'ag_emr',
    host: 'EMR-SRV01',
    rule: 'disk_space',
    target: 'C:',
    state: 'firing',
    severity: 'critical',
    since: {},
    counts: { warning: 0, critical: 1, ok: 0 },
    last_at: T0,
    pending_since: T0,
    started_at: T0,
    resolved_at: null,
    value: null,
    threshold: null,
    unit: null,
    summary: '',
    forecast: null,
    ack: null,
    notified_state: null,
    notified_severity: null,
    notified_at: null,
    escalated_at: null,
    updated_at: T0,
    ...overrides,
  };
}

const noMaintenance: MaintenanceLookup = { active: () => false, nextChange: () => null };
const silence = (matchers: string[], endsAt: number, id = 'si_1') =>
  createSilence({ matchers, ends_at: endsAt, reason: 'work', author: 'sam' }, id, T0);

describe('suppressions', () => {
  it('a heartbeat still inhibits its host while it is itself silenced', () => {
    const alerts = [alert('hb', { rule: 'heartbeat', target: '' }), alert('disk')];
    const out = suppressions(alerts, [silence(['rule=heartbeat'], T0 + HOUR)], noMaintenance, T0);
    expect(out.get('hb')).toEqual({ reason: 'silenced', until: T0 + HOUR });
    expect(out.get('disk')).toEqual({ reason: 'inhibited', until: null });
  });

  it('only a firing heartbeat inhibits, not a pending one', () => {
    const alerts = [alert('hb', { rule: 'heartbeat', target: '', state: 'pending' }), alert('disk')];
    expect(suppressions(alerts, [], noMaintenance, T0).size).toBe(0);
  });

  it('a site offline inhibits its hosts, not itself nor another site', () => {
    const alerts = [
      alert('site', { host: '', agent_id: '', rule: 'site_offline', target: '' }),
      alert('hb', { rule: 'heartbeat', target: '' }),
      alert('annex', { site: 'Annex' }),
    ];
    const out = suppressions(alerts, [], noMaintenance, T0);
    expect([...out.keys()]).toEqual(['hb']);
  });

  it('wakes at the earliest end among silences and maintenance', () => {
    const maintenance: MaintenanceLookup = { active: () => true, nextChange: () => T0 + 3 * HOUR };
    const silences = [silence(['host=EMR-SRV01'], T0 + 2 * HOUR), silence(['rule=disk_space'], T0 + HOUR, 'si_2')];
    expect(suppressions([alert('disk')], silences, maintenance, T0).get('disk')).toEqual({
      reason: 'silenced',
      until: T0 + HOUR,
    });
  });
});
