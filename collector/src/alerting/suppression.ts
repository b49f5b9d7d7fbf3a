// Which alerts must not be told right now, and until when: inhibition (a silent host or an offline
// site hides the symptoms it causes), silences and maintenance windows. The alerts themselves stay.
import type { MaintenanceLookup } from './maintenance-window.js';
import { type Silence, type SilenceLabels, silenceMatches } from './silence.js';
import type { AlertRecord } from './types.js';

export interface Suppression {
  reason: 'inhibited' | 'silenced' | 'maintenance';
  /** The earliest moment it may end by time alone (null: only an alert change ends it). */
  until: number | null;
}

const hostKey = (a: AlertRecord) => JSON.stringify([a.client, a.site, a.host]);
const siteKey = (a: AlertRecord) => JSON.stringify([a.client, a.site]);

/**
 * A firing heartbeat inhibits the other alerts of its host; a firing site_offline inhibits every
 * alert of the site's hosts, heartbeats included, so an outage is one message, not one per host.
 * Inhibiting alerts inhibit even when they are themselves silenced (the cause is still there).
 */
function inhibitors(alerts: readonly AlertRecord[]) {
  const silentHosts = new Set<string>();
  const offlineSites = new Set<string>();
  for (const a of alerts) {
    if (a.state !== 'firing') continue;
    if (a.rule === 'heartbeat') silentHosts.add(hostKey(a));
    if (a.rule === 'site_offline') offlineSites.add(siteKey(a));
  }
  return (a: AlertRecord): boolean =>
    a.host !== '' && (offlineSites.has(siteKey(a)) || (a.rule !== 'heartbeat' && silentHosts.has(hostKey(a))));
}

/** The suppressed alerts by id; an alert not in the map may be told. */
export function suppressions(
  alerts: readonly AlertRecord[],
  silences: readonly Silence[],
  maintenance: MaintenanceLookup,
  now: number,
): Map<string, Suppression> {
  const inhibited = inhibitors(alerts);
  const out = new Map<string, Suppression>();
  for (const alert of alerts) {
    const reasons: Suppression[] = [];
    if (inhibited(alert)) reasons.push({ reason: 'inhibited', until: null });
    const labels: SilenceLabels = {
      client: alert.client,
      site: alert.site,
      host: alert.host,
      rule: alert.rule,
      target: alert.target,
      severity: alert.severity,
    };
    const silencing = silences.filter((s) => silenceMatches(s, labels, now));
    if (silencing.length > 0) reasons.push({ reason: 'silenced', until: Math.min(...silencing.map((s) => s.ends_at)) });
    if (maintenance.active(alert, now))
      reasons.push({ reason: 'maintenance', until: maintenance.nextChange(alert, now) });
    const first = reasons[0];
    if (!first) continue;
    // Waking at the first end is enough: if another reason still holds then, the router looks again.
    const ends = reasons.map((r) => r.until).filter((t): t is number => t !== null);
    out.set(alert.id, { reason: first.reason, until: ends.length > 0 ? Math.min(...ends) : null });
  }
  return out;
}
