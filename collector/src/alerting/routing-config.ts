// The config of notification routing: timers (`alerting.routing`), site time zones, recurring
// maintenance windows and channel routes (`notifications.*`), with defaults, key-path errors and
// the typed form the router uses.
import { ConfigError, compileSchema, DURATION_PATTERN, parseDuration, type SchemaIssue } from '@vitals/shared';
import { IANAZone } from 'luxon';
import Type, { type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { type MaintenanceLookup, type MaintenanceWindow, maintenanceLookup, WEEKDAYS } from './maintenance-window.js';
import { RULE_NAMES, type RuleName, SEVERITIES, type Severity } from './types.js';

const duration = (def: string, description: string) =>
  Type.Optional(Type.String({ pattern: DURATION_PATTERN, default: def, description }));
// One `enum` rather than a union of literals: a single error that lists every allowed value (a
// union spends one error per literal, and the validator stops after 8).
const oneOf = <T extends string>(values: readonly T[]) => Type.Enum([...values]);
const Name = Type.String({ minLength: 1 });

export const RoutingSchema = Type.Object(
  {
    group_wait: duration('30s', 'a new group waits this long to gather alerts before its first notification'),
    group_interval: duration('5m', 'news in a group already notified waits at least this long after its last one'),
    repeat_critical: duration('4h', 'a critical alert not acknowledged is re-sent this long after it was last told'),
    repeat_warning: duration('24h', 'a warning alert not acknowledged is re-sent this long after it was last told'),
    send_resolved: Type.Optional(
      Type.Boolean({ default: true, description: 'tell when an alert whose firing was told resolves' }),
    ),
    escalate_after: duration('30m', 'a critical alert unacknowledged this long after it fired goes to escalation'),
  },
  { additionalProperties: false },
);

export const DefaultTimeZoneSchema = Type.String({
  minLength: 1,
  default: 'UTC',
  description: 'IANA time zone of a site not listed in alerting.sites',
});

export const SitesSchema = Type.Array(
  Type.Object(
    {
      client: Name,
      site: Name,
      time_zone: Type.String({ minLength: 1, description: 'IANA time zone, e.g. America/New_York' }),
    },
    { additionalProperties: false },
  ),
  { default: [], description: 'time zone of each site (maintenance windows are local time)' },
);

export const MaintenanceWindowsSchema = Type.Array(
  Type.Object(
    {
      name: Name,
      client: Name,
      site: Type.Optional(Type.String({ minLength: 1, description: 'default: every site of the client' })),
      host: Type.Optional(Type.String({ minLength: 1, description: 'default: every host of the site(s)' })),
      rules: Type.Optional(Type.Array(oneOf(RULE_NAMES), { minItems: 1, description: 'default: every rule' })),
      days: Type.Optional(
        Type.Array(oneOf(WEEKDAYS), { minItems: 1, default: [...WEEKDAYS], description: 'days it starts on' }),
      ),
      start: Type.String({ description: 'local start time HH:MM in the site’s time zone' }),
      duration: Type.String({ pattern: DURATION_PATTERN, description: 'real elapsed time, e.g. 3h' }),
      time_zone: Type.Optional(Type.String({ minLength: 1, description: 'overrides the site’s time zone' })),
    },
    { additionalProperties: false },
  ),
  { default: [], description: 'recurring windows in which alerts are not notified' },
);

const RouteMatchSchema = Type.Object(
  {
    client: Type.Optional(Name),
    site: Type.Optional(Name),
    host: Type.Optional(Name),
    severity: Type.Optional(oneOf(SEVERITIES)),
    rule: Type.Optional(oneOf(RULE_NAMES)),
  },
  { additionalProperties: false },
);

export const NotificationRoutesSchema = Type.Array(
  Type.Object(
    {
      match: Type.Optional(RouteMatchSchema),
      channels: Type.Array(Name, { description: 'channel names; an empty list sends matching alerts nowhere' }),
      continue: Type.Optional(
        Type.Boolean({ default: false, description: 'also try the routes after this one when it matches' }),
      ),
    },
    { additionalProperties: false },
  ),
  { default: [], description: 'first matching route picks the channels of an alert' },
);

export const DefaultChannelsSchema = Type.Array(Name, {
  default: [],
  description: 'channels of an alert that matches no route',
});

export const EscalationChannelsSchema = Type.Array(Name, {
  default: [],
  description: 'channels told when a critical alert stays unacknowledged',
});

/** The routing keys of the config file; other keys of `alerting` and `notifications` are not ours. */
const RoutingFileSchema = Type.Object({
  alerting: Type.Optional(
    Type.Object({
      routing: Type.Optional(RoutingSchema),
      default_time_zone: Type.Optional(DefaultTimeZoneSchema),
      sites: Type.Optional(SitesSchema),
      maintenance_windows: Type.Optional(MaintenanceWindowsSchema),
    }),
  ),
  notifications: Type.Optional(
    Type.Object({
      routes: Type.Optional(NotificationRoutesSchema),
      default_channels: Type.Optional(DefaultChannelsSchema),
      escalation_channels: Type.Optional(EscalationChannelsSchema),
    }),
  ),
});
type RoutingFile = Static<typeof RoutingFileSchema>;
const validator = compileSchema<RoutingFile>(RoutingFileSchema);

export interface RoutingTiming {
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatCriticalMs: number;
  repeatWarningMs: number;
  sendResolved: boolean;
  escalateAfterMs: number;
}

export interface SiteZone {
  client: string;
  site: string;
  timeZone: string;
}

export interface RouteMatch {
  client?: string;
  site?: string;
  host?: string;
  severity?: Severity;
  rule?: RuleName;
}

export interface NotificationRoute {
  match: RouteMatch;
  channels: string[];
  continue: boolean;
}

export interface RoutingConfig {
  timing: RoutingTiming;
  defaultTimeZone: string;
  sites: SiteZone[];
  maintenanceWindows: MaintenanceWindow[];
  routes: NotificationRoute[];
  defaultChannels: string[];
  escalationChannels: string[];
}

/** What routes are matched on. */
export interface RouteLabels {
  client: string;
  site: string;
  host: string;
  rule: RuleName;
  severity: Severity;
}

const LOCAL_TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const MAX_WINDOW_MS = 7 * 86_400_000;

function zoneIssue(path: string, zone: string): SchemaIssue[] {
  return IANAZone.isValidZone(zone)
    ? []
    : [{ path, message: `"${zone}" is not an IANA time zone; write e.g. Europe/Berlin or America/New_York` }];
}

/** What the schema cannot say: real time zones, HH:MM, positive durations, one zone per site. */
function semanticIssues(file: RoutingFile, knownChannels: readonly string[] | undefined): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const alerting = file.alerting ?? {};
  if (alerting.default_time_zone !== undefined)
    issues.push(...zoneIssue('alerting.default_time_zone', alerting.default_time_zone));
  const sites = new Map<string, number>();
  (alerting.sites ?? []).forEach((site, i) => {
    issues.push(...zoneIssue(`alerting.sites[${i}].time_zone`, site.time_zone));
    const key = JSON.stringify([site.client, site.site]);
    const first = sites.get(key);
    if (first === undefined) sites.set(key, i);
    else
      issues.push({ path: `alerting.sites[${i}]`, message: `repeats alerting.sites[${first}] (same client and site)` });
  });
  (alerting.maintenance_windows ?? []).forEach((window, i) => {
    const at = `alerting.maintenance_windows[${i}]`;
    if (!LOCAL_TIME.test(window.start))
      issues.push({ path: `${at}.start`, message: 'must be a local time HH:MM such as 02:00 or 22:30' });
    const ms = parseDuration(window.duration);
    if (ms !== undefined && (ms <= 0 || ms > MAX_WINDOW_MS))
      issues.push({ path: `${at}.duration`, message: 'must be longer than 0 and at most 7d (use a silence for more)' });
    if (window.time_zone !== undefined) issues.push(...zoneIssue(`${at}.time_zone`, window.time_zone));
  });
  if (knownChannels) {
    const notifications = file.notifications ?? {};
    const check = (path: string, names: readonly string[] | undefined) => {
      for (const [j, name] of (names ?? []).entries()) {
        if (knownChannels.includes(name)) continue;
        const known = knownChannels.join(', ') || 'none';
        issues.push({ path: `${path}[${j}]`, message: `no channel named "${name}" (channels: ${known})` });
      }
    };
    for (const [i, r] of (notifications.routes ?? []).entries())
      check(`notifications.routes[${i}].channels`, r.channels);
    check('notifications.default_channels', notifications.default_channels);
    check('notifications.escalation_channels', notifications.escalation_channels);
  }
  return issues;
}

/**
 * Every problem of the routing keys in a config file value, with key paths. `knownChannels`
 * (when given) are the channel names the file defines; routes must name only those.
 */
export function routingConfigIssues(raw: unknown, knownChannels?: readonly string[]): SchemaIssue[] {
  const issues = validator.issues(raw);
  if (issues.length > 0) return issues;
  return semanticIssues(raw as RoutingFile, knownChannels);
}

const ms = (value: string) => parseDuration(value) as number;

/** Validates the routing keys of a config file value and returns them typed, durations in ms. */
export function parseRoutingConfig(
  raw: unknown,
  options: { file?: string; knownChannels?: readonly string[] } = {},
): RoutingConfig {
  const issues = routingConfigIssues(raw ?? {}, options.knownChannels);
  if (issues.length > 0) throw new ConfigError(options.file ?? 'config', issues);
  const file = Value.Default(RoutingFileSchema, structuredClone(raw ?? {})) as RoutingFile;
  const alerting = file.alerting ?? {};
  const routing = Value.Default(RoutingSchema, alerting.routing ?? {}) as Required<Static<typeof RoutingSchema>>;
  const notifications = file.notifications ?? {};
  return {
    timing: {
      groupWaitMs: ms(routing.group_wait),
      groupIntervalMs: ms(routing.group_interval),
      repeatCriticalMs: ms(routing.repeat_critical),
      repeatWarningMs: ms(routing.repeat_warning),
      sendResolved: routing.send_resolved,
      escalateAfterMs: ms(routing.escalate_after),
    },
    defaultTimeZone: withDefault(DefaultTimeZoneSchema, alerting.default_time_zone),
    sites: withDefault(SitesSchema, alerting.sites).map((s) => ({
      client: s.client,
      site: s.site,
      timeZone: s.time_zone,
    })),
    maintenanceWindows: withDefault(MaintenanceWindowsSchema, alerting.maintenance_windows).map((w) => {
      const [hours, minutes] = w.start.split(':').map(Number) as [number, number];
      return {
        name: w.name,
        client: w.client,
        site: w.site ?? null,
        host: w.host ?? null,
        rules: w.rules ?? null,
        days: w.days ?? [...WEEKDAYS],
        startMinute: hours * 60 + minutes,
        durationMs: ms(w.duration),
        timeZone: w.time_zone ?? null,
      };
    }),
    routes: withDefault(NotificationRoutesSchema, notifications.routes).map((r) => ({
      match: { ...r.match },
      channels: [...r.channels],
      continue: r.continue ?? false,
    })),
    defaultChannels: withDefault(DefaultChannelsSchema, notifications.default_channels),
    escalationChannels: withDefault(EscalationChannelsSchema, notifications.escalation_channels),
  };
}

function withDefault<S extends TSchema>(schema: S, value: Static<S> | undefined): Static<S> {
  return value ?? (structuredClone((schema as unknown as { default: unknown }).default) as Static<S>);
}

function routeMatches(match: RouteMatch, labels: RouteLabels): boolean {
  return (Object.keys(match) as (keyof RouteMatch)[]).every(
    (key) => match[key] === undefined || match[key] === labels[key],
  );
}

/**
 * The channels of one alert: the first matching route's, plus those of further matches while the
 * matched route says `continue`; no match at all → `fallback` (notifications.default_channels).
 */
export function selectChannels(
  routes: readonly NotificationRoute[],
  labels: RouteLabels,
  fallback: string[],
): string[] {
  const out: string[] = [];
  let matched = false;
  for (const route of routes) {
    if (!routeMatches(route.match, labels)) continue;
    matched = true;
    for (const channel of route.channels) if (!out.includes(channel)) out.push(channel);
    if (!route.continue) break;
  }
  return matched ? out : [...fallback];
}

/** The time zone of a site: its `alerting.sites` entry, else `alerting.default_time_zone`. */
export function siteZones(config: Pick<RoutingConfig, 'sites' | 'defaultTimeZone'>) {
  const zones = new Map(config.sites.map((s) => [JSON.stringify([s.client, s.site]), s.timeZone]));
  return (client: string, site: string): string => zones.get(JSON.stringify([client, site])) ?? config.defaultTimeZone;
}

/** Everything the router takes from the config, ready to spread into its input. */
export interface RouteSettings {
  timing: RoutingTiming;
  channels: (labels: RouteLabels) => string[];
  escalationChannels: readonly string[];
  maintenance: MaintenanceLookup;
}

export function routeSettings(config: RoutingConfig): RouteSettings {
  return {
    timing: config.timing,
    channels: (labels) => selectChannels(config.routes, labels, config.defaultChannels),
    escalationChannels: config.escalationChannels,
    maintenance: maintenanceLookup(config.maintenanceWindows, siteZones(config)),
  };
}
