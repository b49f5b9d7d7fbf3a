import { describe, expect, it } from 'vitest';
import { N0, notificationRecord, notifiedAlert } from '../fixtures/notifications.js';
import { formatValue, fullIn, humanDuration, renderMessage } from './message.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const dashboard = { dashboardUrl: 'https://vitals.msp.example/' };

describe('renderMessage', () => {
  it('says who, what, since when, value and threshold, the forecast, what to check and where to look', () => {
    const m = renderMessage(notificationRecord(), dashboard);
    expect(m.subject).toBe('[CRITICAL] Smith Family Practice / EMR-SRV01: Disk D: full in about 2 days');
    expect(m.short).toBe('CRITICAL: Smith Family Practice / EMR-SRV01: Disk D: full in about 2 days');
    const lines = m.text.split('\n');
    expect(lines[0]).toBe('CRITICAL at Smith Family Practice / Main Office / EMR-SRV01: 1 problem needs attention.');
    expect(m.text).toContain('Practice:  Smith Family Practice\nSite:      Main Office\nHost:      EMR-SRV01');
    expect(m.text).toContain('1. CRITICAL: Disk D: full in about 2 days');
    expect(m.text).toContain('Since:        Tue 3 Mar 2026 05:14 UTC (for 2 hours)');
    expect(m.text).toContain('Value:        4.2 % (threshold 5 %)');
    expect(m.text).toContain(
      'Forecast:     D: full in about 2 days at the current rate (around Thu 5 Mar 2026 09:14 UTC)',
    );
    expect(m.text).toMatch(
      /Check first: {2}Something fills D: steadily: logs that grow without rotation, backup staging/,
    );
    expect(m.text).toContain('Open EMR-SRV01 in the Vitals dashboard: https://vitals.msp.example/#/host/ag_emr01');
    expect(m.link).toBe('https://vitals.msp.example/#/host/ag_emr01');
  });

  it("shows times in the site's time zone, and in UTC when the zone is unknown", () => {
    const ny = renderMessage(notificationRecord(), {
      timeZone: (client, site) =>
        client.startsWith('Smith') && site === 'Main Office' ? 'America/New_York' : undefined,
    });
    expect(ny.text).toContain('Since:        Tue 3 Mar 2026 00:14 EST (for 2 hours)');
    const bogus = renderMessage(notificationRecord(), { timeZone: () => 'Mars/Olympus_Mons' });
    expect(bogus.text).toContain('Tue 3 Mar 2026 05:14 UTC');
  });

  it('says a resolved notice is resolved in the subject and the first line, without advice', () => {
    const alert = notifiedAlert({ state: 'resolved', resolved_at: N0, started_at: N0 - 3 * HOUR, forecast: null });
    const m = renderMessage(notificationRecord({ kind: 'resolved', alerts: [alert] }), dashboard);
    expect(m.subject).toBe('[RESOLVED] Smith Family Practice / EMR-SRV01: Disk D: full in about 2 days');
    expect(m.text.split('\n')[0]).toBe('RESOLVED at Smith Family Practice / Main Office / EMR-SRV01: back to normal.');
    expect(m.text).toContain('What was wrong:');
    expect(m.text).toContain('Lasted:      Tue 3 Mar 2026 04:14 UTC to Tue 3 Mar 2026 07:14 UTC (3 hours)');
    expect(m.text).not.toContain('Check first');
    expect(m.tone).toBe('good');
  });

  it('says a reminder is a reminder and how long the problem has lasted', () => {
    const m = renderMessage(notificationRecord({ kind: 'reminder' }));
    expect(m.subject).toMatch(/^\[REMINDER CRITICAL\] Smith Family Practice \/ EMR-SRV01: /);
    expect(m.text.split('\n')[0]).toBe(
      'REMINDER at Smith Family Practice / Main Office / EMR-SRV01: still not fixed after 2 hours (1 problem).',
    );
  });

  it('says an escalation is unacknowledged and for how many minutes', () => {
    const alert = notifiedAlert({ started_at: N0 - 30 * MIN });
    const m = renderMessage(notificationRecord({ kind: 'escalation', alerts: [alert] }));
    expect(m.subject).toMatch(/^\[ESCALATED CRITICAL\] /);
    expect(m.text.split('\n')[0]).toContain('unacknowledged for 30 minutes');
  });

  it('lists every alert of a grouped notification, still-firing ones first', () => {
    const alerts = [
      notifiedAlert({
        id: 'a1',
        rule: 'backup',
        target: 'veeam',
        severity: 'warning',
        state: 'resolved',
        changed: true,
        summary: 'Backup veeam failed',
        resolved_at: N0,
        forecast: null,
      }),
      notifiedAlert({
        id: 'a2',
        rule: 'service',
        target: 'MSSQL$EMR',
        summary: 'Service MSSQL$EMR is stopped',
        value: 'stopped',
        threshold: 'running',
        unit: 'state',
        forecast: null,
        changed: false,
      }),
      notifiedAlert(),
    ];
    const m = renderMessage(notificationRecord({ alerts }));
    expect(m.subject).toBe('[CRITICAL] Smith Family Practice / EMR-SRV01: Disk D: full in about 2 days (+2 more)');
    expect(m.items.map((i) => i.title)).toEqual([
      'CRITICAL: Disk D: full in about 2 days',
      'CRITICAL: Service MSSQL$EMR is stopped',
      'RESOLVED: Backup veeam failed',
    ]);
    expect(m.text).toContain('2. CRITICAL: Service MSSQL$EMR is stopped');
    expect(m.text).toContain('Value:        stopped (expected running)');
    expect(m.text).toContain('3. RESOLVED: Backup veeam failed');
    expect(m.text.split('\n')[0]).toContain('2 problems need attention');
    for (const title of m.items.map((i) => i.title)) expect(m.html).toContain(title);
  });

  it('escapes HTML in everything that comes from agents and people', () => {
    const alert = notifiedAlert({
      summary: 'Service <script>alert(1)</script> & co is "stopped"',
      ack: { by: 'sam', at: N0, comment: "<img src=x onerror='x'>" },
    });
    const m = renderMessage(notificationRecord({ host: 'EMR<b>', alerts: [alert] }), dashboard);
    expect(m.html).not.toMatch(/<script>|<img|<b>/);
    expect(m.html).toContain('Service &lt;script&gt;alert(1)&lt;/script&gt; &amp; co is &quot;stopped&quot;');
    expect(m.html).toContain('&lt;img src=x onerror=&#39;x&#39;&gt;');
    expect(m.text).toContain('Acknowledged:  by sam at Tue 3 Mar 2026 07:14 UTC: "<img src=x onerror=\'x\'>"');
  });

  it('links a site-level group to the dashboard and leaves the link out without dashboard_url', () => {
    const site = notificationRecord({
      host: '',
      agent_id: '',
      alerts: [notifiedAlert({ rule: 'site_offline', host: '', target: '' })],
    });
    expect(renderMessage(site, dashboard).link).toBe('https://vitals.msp.example');
    expect(renderMessage(site).subject).toMatch(/^\[CRITICAL\] Smith Family Practice \/ Main Office: /);
    const none = renderMessage(notificationRecord());
    expect(none.link).toBeNull();
    expect(none.text).not.toContain('dashboard:');
  });

  it('tells that a channel keeps failing, and later that it works again', () => {
    const issue = {
      channel: 'ops-hook',
      failing_since: N0 - 10 * MIN,
      consecutive_failures: 3,
      last_error: 'HTTP 500',
      recovered_at: null,
    };
    const base = { kind: 'channel_failing' as const, client: '', site: '', host: '', agent_id: '', alerts: [] };
    const failing = renderMessage(notificationRecord({ ...base, channel_issue: issue }));
    expect(failing.subject).toBe('[CHANNEL FAILING] Vitals: notifications through "ops-hook" are failing');
    expect(failing.text).toContain('have failed 3 times in a row since Tue 3 Mar 2026 07:04 UTC');
    expect(failing.text).toContain('Last error:     HTTP 500');
    expect(failing.text).toContain('vitals-collector notify test --channel ops-hook');
    const back = renderMessage(notificationRecord({ ...base, channel_issue: { ...issue, recovered_at: N0 } }));
    expect(back.subject).toBe('[RESOLVED] Vitals: notifications through "ops-hook" work again');
    expect(back.text.split('\n')[0]).toContain('after failing for 10 minutes');
  });

  it('marks a test notification as a test', () => {
    const m = renderMessage(notificationRecord({ kind: 'test', alerts: [] }));
    expect(m.subject).toBe('[TEST] Vitals: test notification through "ops-mail"');
    expect(m.text).toContain('Nothing needs to be done.');
  });
});

describe('wording', () => {
  it('spells durations out in the two largest units', () => {
    expect(humanDuration(20_000)).toBe('less than a minute');
    expect(humanDuration(MIN)).toBe('1 minute');
    expect(humanDuration(2 * HOUR)).toBe('2 hours');
    expect(humanDuration(HOUR + 5 * MIN)).toBe('1 hour 5 minutes');
    expect(humanDuration(74 * HOUR + 10 * MIN)).toBe('3 days 2 hours');
  });

  it('says when a disk is full in hours under two days and in days after', () => {
    expect(fullIn(0.5)).toBe('within the hour');
    expect(fullIn(20.4)).toBe('in about 20 hours');
    expect(fullIn(50)).toBe('in about 2 days');
    expect(fullIn(80)).toBe('in about 3 days');
  });

  it('writes values in the units rules report', () => {
    expect(formatValue(4.2, 'percent')).toBe('4.2 %');
    expect(formatValue(15, 'percent')).toBe('15 %');
    expect(formatValue(12_000_000_000, 'bytes')).toBe('12.0 GB');
    expect(formatValue(27.456, 'hours')).toBe('27.46 hours');
    expect(formatValue(90, 'minutes')).toBe('1 hour 30 minutes');
    expect(formatValue(61, 'celsius')).toBe('61 °C');
    expect(formatValue(true, null)).toBe('yes');
    expect(formatValue('stopped', 'state')).toBe('stopped');
    expect(formatValue(null, 'percent')).toBeNull();
  });
});
