import { describe, expect, it } from 'vitest';
import { alertRecord } from '../fixtures/alerts.js';
import { alertJson, worstFirst } from './alerts-command.js';

describe('worstFirst', () => {
  it('puts firing before pending before resolved, critical before warning, then the oldest first', () => {
    const alerts = [
      alertRecord({ id: 'resolved', state: 'resolved', resolved_at: 5, started_at: 1 }),
      alertRecord({ id: 'pending-crit', state: 'pending', started_at: null, pending_since: 1 }),
      alertRecord({ id: 'warn-old', severity: 'warning', started_at: 1 }),
      alertRecord({ id: 'crit-new', started_at: 9 }),
      alertRecord({ id: 'crit-old', started_at: 2 }),
      alertRecord({ id: 'pending-warn', state: 'pending', severity: 'warning', started_at: null, pending_since: 0 }),
    ];
    expect(alerts.sort(worstFirst).map((a) => a.id)).toEqual([
      'crit-old',
      'crit-new',
      'warn-old',
      'pending-crit',
      'pending-warn',
      'resolved',
    ]);
  });
});

describe('alertJson', () => {
  it('gives times as ISO and the acknowledgement with its time', () => {
    const json = alertJson(alertRecord({ started_at: 0, ack: { by: 'sam', at: 1000, comment: '' } }), 'si_1');
    expect(json).toMatchObject({
      since: '1970-01-01T00:00:00.000Z',
      started_at: '1970-01-01T00:00:00.000Z',
      resolved_at: null,
      ack: { by: 'sam', at: '1970-01-01T00:00:01.000Z', comment: '' },
      silenced_by: 'si_1',
    });
    expect(json).not.toHaveProperty('counts');
  });
});
