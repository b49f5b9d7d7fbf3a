// The collector's YAML config (`--config F`): its schema with defaults, loading with key-path
// errors, and the merge with command-line flags (flag > file > default).
import { dirname, resolve } from 'node:path';
import {
  ConfigError,
  compileSchema,
  DURATION_PATTERN,
  loadYamlConfigFile,
  parseDuration,
  parseSize,
  type SchemaIssue,
  SIZE_PATTERN,
} from '@vitals/shared';
import Type, { type Static } from 'typebox';
import {
  DefaultChannelsSchema,
  DefaultTimeZoneSchema,
  EscalationChannelsSchema,
  MaintenanceWindowsSchema,
  NotificationRoutesSchema,
  parseRoutingConfig,
  type RoutingConfig,
  RoutingSchema,
  routingConfigIssues,
  SitesSchema,
} from './alerting/routing-config.js';
import {
  type AlertingRulesConfig,
  checkRulesConfig,
  OverridesSchema,
  RulesConfigSchema,
  staleAfterOption,
} from './alerting/rule-config.js';
import { InstallCommandError, normalizeBaseUrl } from './enroll/install-command.js';
import { NOTIFICATIONS_PROPERTIES, notificationsIssues } from './notify/config.js';

export const DEFAULT_LISTEN = '127.0.0.1:8470';
export const DEFAULT_DATA_DIR = './vitals-data';

const Duration = (description: string, def: string) =>
  Type.String({ pattern: DURATION_PATTERN, description, default: def });
const Size = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: SIZE_PATTERN })], {
  description: 'largest request body after decompression (bytes, or e.g. 8MB); larger is a 413',
  default: '8MB',
});
const PerMinute = (description: string, def: number) => Type.Integer({ minimum: 1, description, default: def });

export const CollectorConfigSchema = Type.Object(
  {
    listen: Type.Optional(
      Type.String({
        pattern: '^\\[?[^\\s\\]]*\\]?:\\d{1,5}$',
        description: 'HOST:PORT; port 0 picks a free one (logged in the "listening" line); --listen overrides',
        default: DEFAULT_LISTEN,
      }),
    ),
    data_dir: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'holds collector.db; relative to the config file; --data overrides',
        default: DEFAULT_DATA_DIR,
      }),
    ),
    public_url: Type.Optional(
      Type.String({
        pattern: '^https?://[^\\s?#]+$',
        description:
          "the collector's base URL as agents and browsers reach it, e.g. https://vitals.msp.example; the enrollment page's " +
          'install commands use it, and notifications link to the dashboard under it unless notifications.dashboard_url is set; ' +
          'left out: the address each request came to (its Host header)',
      }),
    ),
    downloads: Type.Optional(
      Type.Object(
        {
          scripts_dir: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                'served without login as /install/linux.sh, /install/macos.sh, /install/windows.ps1 from linux/install.sh, ' +
                "macos/install.sh, windows/install.ps1 under it; relative to the config file; default: the checkout's install-scripts/",
            }),
          ),
          dir: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                'the agent builds of `node scripts/build-agent.mjs`, served without login as /download/<file>; relative to the ' +
                "config file; default: the checkout's dist/agent/",
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    tls: Type.Optional(
      Type.Object(
        {
          cert_file: Type.String({ minLength: 1, description: 'PEM certificate (chain) to serve HTTPS with' }),
          key_file: Type.String({ minLength: 1, description: 'PEM private key of cert_file' }),
        },
        { additionalProperties: false },
      ),
    ),
    limits: Type.Optional(
      Type.Object(
        {
          body_max_bytes: Type.Optional(Size),
          rate_per_minute: Type.Optional(PerMinute('ingest requests per agent per minute; more get 429', 600)),
          enroll_per_minute: Type.Optional(PerMinute('enrollment requests per client IP per minute', 120)),
          ts_ahead_max: Type.Optional(
            Duration("ingest refuses (400) a report whose ts is more than this ahead of the collector's clock", '1d'),
          ),
          ts_earliest: Type.Optional(
            Type.String({
              pattern: '^\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+Z)?$',
              description:
                'ingest refuses (400) a report whose ts is before this UTC date (YYYY-MM-DD or ISO time with Z)',
              default: '2000-01-01',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    retention: Type.Optional(
      Type.Object(
        {
          raw: Type.Optional(Duration('every report is kept this long', '14d')),
          rollups: Type.Optional(Duration('hourly min/max/avg/count are kept this long', '395d')),
        },
        { additionalProperties: false },
      ),
    ),
    silent_after: Type.Optional(Duration('an agent not heard from this long shows as "silent" in `agents`', '10m')),
    alerting: Type.Optional(
      Type.Object(
        {
          evaluate_every: Type.Optional(
            Duration('time-driven rules (heartbeat, backup age, site offline, reboot) are evaluated this often', '30s'),
          ),
          route_every: Type.Optional(
            Duration('routing (group flushes, reminders, escalation) looks for due notifications this often', '5s'),
          ),
          stale_after: Type.Optional(staleAfterOption(true)),
          rules: Type.Optional(RulesConfigSchema),
          overrides: Type.Optional(OverridesSchema),
          routing: Type.Optional(RoutingSchema),
          default_time_zone: Type.Optional(DefaultTimeZoneSchema),
          sites: Type.Optional(SitesSchema),
          maintenance_windows: Type.Optional(MaintenanceWindowsSchema),
        },
        { additionalProperties: false },
      ),
    ),
    notifications: Type.Optional(
      Type.Object(
        {
          ...NOTIFICATIONS_PROPERTIES,
          routes: Type.Optional(NotificationRoutesSchema),
          default_channels: Type.Optional(DefaultChannelsSchema),
          escalation_channels: Type.Optional(EscalationChannelsSchema),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CollectorConfigFile = Static<typeof CollectorConfigSchema>;

export interface CollectorConfig {
  listen: { host: string; port: number };
  dataDir: string;
  /** Normalised (no trailing slash); undefined: each request's own address. */
  publicUrl?: string;
  /** Each left out: the checkout's install-scripts/ or dist/agent/. */
  downloads: { scriptsDir?: string; dir?: string };
  tls?: { certFile: string; keyFile: string };
  limits: {
    bodyMaxBytes: number;
    ratePerMinute: number;
    enrollPerMinute: number;
    tsWindow: { earliest: number; aheadMaxMs: number };
  };
  retention: { rawMs: number; rollupsMs: number };
  silentAfterMs: number;
  alerting: AlertingSettings;
  /** The raw `notifications` section; channels are built (secrets read) by `serve`. */
  notifications: unknown;
}

export interface AlertingSettings {
  evaluateEveryMs: number;
  routeEveryMs: number;
  rules: AlertingRulesConfig;
  routing: RoutingConfig;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

const validator = compileSchema<CollectorConfigFile>(CollectorConfigSchema);

/** The `notifications` keys notify/config.ts owns; routes belong to the router's config. */
function channelKeys(section: CollectorConfigFile['notifications']): unknown {
  if (!section) return undefined;
  const { routes: _r, default_channels: _d, escalation_channels: _e, ...rest } = section;
  return rest;
}

function publicUrlIssues(url: string | undefined): SchemaIssue[] {
  if (url === undefined) return [];
  try {
    normalizeBaseUrl(url);
    return [];
  } catch (error) {
    if (error instanceof InstallCommandError) return [{ path: 'public_url', message: error.message }];
    throw error;
  }
}

/** Schema issues first; when the shape is right, what a schema cannot say (zones, channel names). */
export function collectorConfigIssues(value: unknown): SchemaIssue[] {
  const issues = validator.issues(value);
  if (issues.length > 0) return issues;
  const file = (value ?? {}) as CollectorConfigFile;
  const channels = Object.keys(file.notifications?.channels ?? {});
  return [
    ...publicUrlIssues(file.public_url),
    ...checkRulesConfig((file.alerting ?? {}) as AlertingRulesConfig),
    ...routingConfigIssues(file, channels),
    ...notificationsIssues(channelKeys(file.notifications)),
  ];
}

/** "127.0.0.1:8470", "[::1]:0", ":8470" (all interfaces). */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) throw new UsageError(`--listen must be HOST:PORT (e.g. 127.0.0.1:8470), got "${value}"`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** limits.ts_earliest as epoch ms; the pattern lets through dates that do not exist (2000-13-45). */
function earliestTs(value: string | undefined, file: string | undefined): number {
  const ms = Date.parse(value ?? '2000-01-01');
  if (Number.isNaN(ms)) {
    throw new ConfigError(file ?? '(flags)', [{ path: 'limits.ts_earliest', message: `"${value}" is not a date` }]);
  }
  return ms;
}

export interface ConfigFlags {
  config?: string;
  data?: string;
  listen?: string;
}

/** Reads the config file (when given) and applies flags over it. Throws ConfigError/UsageError. */
export function loadCollectorConfig(flags: ConfigFlags): CollectorConfig {
  const file: CollectorConfigFile = flags.config
    ? (loadYamlConfigFile(flags.config, collectorConfigIssues) as CollectorConfigFile)
    : {};
  const base = flags.config ? dirname(resolve(flags.config)) : process.cwd();
  const fromFile = (p: string) => resolve(base, p);
  return {
    listen: parseListen(flags.listen ?? file.listen ?? DEFAULT_LISTEN),
    dataDir: flags.data ? resolve(flags.data) : fromFile(file.data_dir ?? DEFAULT_DATA_DIR),
    publicUrl: file.public_url === undefined ? undefined : normalizeBaseUrl(file.public_url),
    downloads: {
      scriptsDir: file.downloads?.scripts_dir === undefined ? undefined : fromFile(file.downloads.scripts_dir),
      dir: file.downloads?.dir === undefined ? undefined : fromFile(file.downloads.dir),
    },
    tls: file.tls ? { certFile: fromFile(file.tls.cert_file), keyFile: fromFile(file.tls.key_file) } : undefined,
    limits: {
      bodyMaxBytes: parseSize(file.limits?.body_max_bytes ?? 8 * 1024 * 1024) as number,
      ratePerMinute: file.limits?.rate_per_minute ?? 600,
      enrollPerMinute: file.limits?.enroll_per_minute ?? 120,
      tsWindow: {
        earliest: earliestTs(file.limits?.ts_earliest, flags.config),
        aheadMaxMs: parseDuration(file.limits?.ts_ahead_max ?? '1d') as number,
      },
    },
    retention: {
      rawMs: parseDuration(file.retention?.raw ?? '14d') as number,
      rollupsMs: parseDuration(file.retention?.rollups ?? '395d') as number,
    },
    silentAfterMs: parseDuration(file.silent_after ?? '10m') as number,
    alerting: {
      evaluateEveryMs: parseDuration(file.alerting?.evaluate_every ?? '30s') as number,
      routeEveryMs: parseDuration(file.alerting?.route_every ?? '5s') as number,
      rules: {
        rules: file.alerting?.rules,
        overrides: file.alerting?.overrides,
        ...(file.alerting?.stale_after ? { stale_after: file.alerting.stale_after } : {}),
      } as AlertingRulesConfig,
      routing: parseRoutingConfig(file, {
        file: flags.config,
        knownChannels: Object.keys(file.notifications?.channels ?? {}),
      }),
    },
    notifications: channelKeys(file.notifications),
  };
}
