// `maintenance list`: the recurring maintenance windows of the config file, each with whether it
// is open now and when that next changes, in the time zone it is kept in.
import { formatDuration } from '@vitals/shared';
import { DateTime } from 'luxon';
import { type MaintenanceWindow, nextWindowChange, windowActive } from '../alerting/maintenance-window.js';
import { type RoutingConfig, siteZones } from '../alerting/routing-config.js';
import { type ConfigFlags, loadCollectorConfig } from '../config.js';
import { formatTable } from './table.js';

/**
 * The zones a window is kept in: its own, its site's, or, for a window over every site of a
 * client, each zone those sites use (sites not listed in alerting.sites use the default zone).
 */
export function windowZones(window: MaintenanceWindow, config: Pick<RoutingConfig, 'sites' | 'defaultTimeZone'>) {
  if (window.timeZone !== null) return [window.timeZone];
  if (window.site !== null) return [siteZones(config)(window.client, window.site)];
  const listed = config.sites.filter((s) => s.client === window.client).map((s) => s.timeZone);
  return [...new Set([config.defaultTimeZone, ...listed])];
}

function localIso(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? new Date(ms).toISOString();
}

function startText(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

export function maintenanceRows(routing: RoutingConfig, now: number) {
  return routing.maintenanceWindows.flatMap((w) =>
    windowZones(w, routing).map((zone) => {
      const active = windowActive(w, zone, now);
      const next = nextWindowChange(w, zone, now);
      return {
        name: w.name,
        client: w.client,
        site: w.site,
        host: w.host,
        rules: w.rules,
        days: w.days,
        start: startText(w.startMinute),
        duration: formatDuration(w.durationMs / 1000),
        duration_ms: w.durationMs,
        time_zone: zone,
        active,
        /** Local time with its offset: when it closes (active) or next opens. */
        next_change_at: localIso(next, zone),
        next_change: active ? ('ends' as const) : ('starts' as const),
      };
    }),
  );
}

export async function maintenanceList(flags: ConfigFlags & { json?: boolean }, now = Date.now()): Promise<number> {
  const { alerting } = loadCollectorConfig(flags);
  const rows = maintenanceRows(alerting.routing, now);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write('no maintenance windows (alerting.maintenance_windows in the --config file)\n');
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['NAME', 'CLIENT', 'SITE', 'HOST', 'RULES', 'DAYS', 'START', 'DURATION', 'ZONE', 'NOW', 'NEXT'],
      rows.map((r) => [
        r.name,
        r.client,
        r.site ?? '(all)',
        r.host ?? '(all)',
        r.rules?.join(',') ?? '(all)',
        r.days.length === 7 ? 'every day' : r.days.join(','),
        r.start,
        r.duration,
        r.time_zone,
        r.active ? 'open' : 'closed',
        `${r.next_change} ${r.next_change_at}`,
      ]),
    ),
  );
  return 0;
}
