// The `notifications` section of the collector config: channels (email, webhook, Slack, Teams),
// the dashboard link, retry timing and when a channel counts as failing. Secrets (SMTP password,
// signing key, Slack/Teams URL) come from the file, an environment variable or a file of their
// own; errors name the key path and the variable or file, never the secret.
import {
  ConfigError,
  compileSchema,
  DURATION_PATTERN,
  joinPath,
  parseDuration,
  type SchemaIssue,
  type SchemaValidator,
} from '@vitals/shared';
import Type, { type Static, type TSchema } from 'typebox';
import { CHANNEL_TYPES, type Channel, type ChannelType } from './channel.js';
import { createEmailChannel, EmailOptionsSchema, type EmailSettings } from './email.js';
import type { HttpTarget } from './http-post.js';
import { createSlackChannel, SlackOptionsSchema } from './slack.js';
import { createTeamsChannel, TeamsOptionsSchema } from './teams.js';
import { createWebhookChannel, WebhookOptionsSchema, type WebhookSettings } from './webhook.js';

export const CHANNEL_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';

/** Each channel type's keys, for validation and the generated config reference. */
export const CHANNEL_SCHEMAS: Record<ChannelType, TSchema> = {
  email: EmailOptionsSchema,
  webhook: WebhookOptionsSchema,
  slack: SlackOptionsSchema,
  teams: TeamsOptionsSchema,
};

/** `notifications.channels`: channel name → one of the four channel types (the reference form). */
export const NotificationChannelsSchema = Type.Record(
  Type.String({ pattern: CHANNEL_NAME_PATTERN }),
  Type.Union([EmailOptionsSchema, WebhookOptionsSchema, SlackOptionsSchema, TeamsOptionsSchema]),
);
export type NotificationChannelsFile = Static<typeof NotificationChannelsSchema>;

const Duration = (description: string, def: string) =>
  Type.String({ pattern: DURATION_PATTERN, description, default: def });

export const DEFAULT_RETRY = { initial: '30s', max: '30m', give_up_after: '24h' } as const;
export const DEFAULT_FAILING_AFTER = 3;

/**
 * The properties of `notifications`, for composing into the collector config schema. Channels are
 * checked here only for a known `type`; notificationsIssues() checks each against its own type, so
 * a mistake reads "notifications.channels.ops.smtp.port: must be…" rather than "matches no form".
 */
export const NOTIFICATIONS_PROPERTIES = {
  channels: Type.Optional(
    Type.Record(
      Type.String(),
      Type.Object(
        {
          type: Type.Union(
            CHANNEL_TYPES.map((t) => Type.Literal(t)),
            { description: 'channel type' },
          ),
        },
        { additionalProperties: true },
      ),
      { description: 'notification channels by name; routes refer to these names' },
    ),
  ),
  dashboard_url: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'dashboard base URL; messages link to its host page, /#/host/<agent id>',
    }),
  ),
  retry: Type.Optional(
    Type.Object(
      {
        initial: Type.Optional(Duration('first wait after a failed send; doubles each time, with jitter', '30s')),
        max: Type.Optional(Duration('longest wait between two attempts', '30m')),
        give_up_after: Type.Optional(
          Duration('a notification still undelivered this long after it was made fails', '24h'),
        ),
      },
      { additionalProperties: false },
    ),
  ),
  failing_after: Type.Optional(
    Type.Integer({
      minimum: 1,
      default: DEFAULT_FAILING_AFTER,
      description: 'consecutive failed sends before a channel counts as failing and the other channels are told',
    }),
  ),
};
export const NotificationsSchema = Type.Object(NOTIFICATIONS_PROPERTIES, { additionalProperties: false });
export type NotificationsFile = Static<typeof NotificationsSchema>;

const sectionValidator = compileSchema<NotificationsFile>(NotificationsSchema);
const channelValidators = new Map<ChannelType, SchemaValidator<unknown>>(
  CHANNEL_TYPES.map((t) => [t, compileSchema(CHANNEL_SCHEMAS[t])]),
);

function prefixed(prefix: string, issues: SchemaIssue[]): SchemaIssue[] {
  return issues.map((i) => ({ ...i, path: i.path === '' ? prefix : joinPath(prefix, i.path) }));
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every problem in the `notifications` value (key paths under `prefix`); [] when it is valid. */
export function notificationsIssues(value: unknown, prefix = 'notifications'): SchemaIssue[] {
  if (value === undefined) return [];
  const issues = sectionValidator.check(value) ? [] : prefixed(prefix, sectionValidator.issues(value));
  if (!isObject(value)) return issues;
  if (isObject(value.channels)) issues.push(...channelsIssues(value.channels, joinPath(prefix, 'channels')));
  const retry = isObject(value.retry) ? value.retry : {};
  const ms = (k: keyof typeof DEFAULT_RETRY) =>
    parseDuration(typeof retry[k] === 'string' ? retry[k] : DEFAULT_RETRY[k]) ?? Number.NaN;
  for (const k of Object.keys(DEFAULT_RETRY) as (keyof typeof DEFAULT_RETRY)[]) {
    if (ms(k) === 0) issues.push({ path: joinPath(prefix, `retry.${k}`), message: 'must be longer than 0' });
  }
  if (ms('initial') > ms('max')) {
    issues.push({ path: joinPath(prefix, 'retry.initial'), message: 'must not be longer than retry.max' });
  }
  return issues;
}

/** Problems of `notifications.channels`, each channel checked against the schema of its type. */
export function channelsIssues(channels: Raw, prefix = 'notifications.channels'): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  for (const [name, value] of Object.entries(channels)) {
    const at = joinPath(prefix, name);
    if (!new RegExp(CHANNEL_NAME_PATTERN).test(name)) {
      issues.push({ path: at, message: 'a channel name uses letters, digits, "_", "." and "-" only' });
    }
    const type = isObject(value) ? value.type : undefined;
    const validator = channelValidators.get(type as ChannelType);
    if (!validator) {
      issues.push({ path: joinPath(at, 'type'), message: `must be one of: ${CHANNEL_TYPES.join(', ')}` });
      continue;
    }
    if (!validator.check(value)) issues.push(...prefixed(at, validator.issues(value)));
  }
  return issues;
}

export type Env = Record<string, string | undefined>;
export type ReadFile = (path: string) => string;

export interface ResolveOptions {
  /** The config file, for error messages. */
  file?: string;
  /** Key path of the channels map, for error messages. */
  prefix?: string;
  /** Clock of the webhook signature timestamps (tests). */
  clock?: () => number;
}

/** Collects problems while turning raw channel options into settings. */
class Resolver {
  readonly issues: SchemaIssue[] = [];
  constructor(
    private readonly env: Env,
    private readonly readFile: ReadFile,
  ) {}

  issue(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  /** The one secret given as `key`, `key_env` or `key_file`; reports none or several when `required`. */
  secret(raw: Raw, at: string, key: string, required: boolean): string | undefined {
    const given = [key, `${key}_env`, `${key}_file`].filter((k) => raw[k] !== undefined);
    if (given.length > 1) return this.issue(at, `give only one of ${given.join(', ')}`);
    if (given.length === 0) {
      return required ? this.issue(joinPath(at, key), `is required (or ${key}_env, or ${key}_file)`) : undefined;
    }
    const which = given[0] as string;
    const where = String(raw[which]);
    let value: string;
    if (which === key) value = where;
    else if (which === `${key}_env`) {
      const fromEnv = this.env[where];
      if (fromEnv === undefined) return this.issue(joinPath(at, which), `environment variable ${where} is not set`);
      value = fromEnv;
    } else {
      const text = this.file(joinPath(at, which), where);
      if (text === undefined) return undefined;
      value = text.replace(/\r?\n$/, '');
    }
    if (value.trim() === '') return this.issue(joinPath(at, which), `the ${key} is empty`);
    return value;
  }

  file(at: string, path: string): string | undefined {
    try {
      return this.readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : (code ?? 'error');
      return this.issue(at, `cannot read ${path}: ${why}`);
    }
  }

  /** https://, or http:// to loopback (or anywhere with insecure_http). Never echoes the URL. */
  /** `insecureHttp` undefined: the channel type has no insecure_http key. */
  url(value: string | undefined, at: string, insecureHttp: boolean | undefined): string | undefined {
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return this.issue(at, 'is not a valid URL');
    }
    if (url.protocol === 'https:') return value;
    if (url.protocol !== 'http:') return this.issue(at, 'must start with https://');
    if (insecureHttp || isLoopback(url.hostname)) return value;
    const optOut = insecureHttp === undefined ? '' : ' (or insecure_http: true)';
    return this.issue(at, `plain http:// is allowed only to loopback; use https://${optOut}`);
  }
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function timeoutMs(raw: Raw, def: string): number {
  return parseDuration(typeof raw.timeout === 'string' ? raw.timeout : def) as number;
}

/** A channel's settings with its secrets read: what the channel is built from (inspectable in tests). */
export type ChannelSettings =
  | { name: string; type: 'email'; email: EmailSettings }
  | { name: string; type: 'webhook'; webhook: WebhookSettings }
  | { name: string; type: 'slack' | 'teams'; target: HttpTarget };

function resolveOne(name: string, raw: Raw, at: string, r: Resolver): ChannelSettings | undefined {
  switch (raw.type as ChannelType) {
    case 'email': {
      const smtp = raw.smtp as Raw;
      const smtpAt = joinPath(at, 'smtp');
      const password = r.secret(smtp, smtpAt, 'password', smtp.user !== undefined);
      if (password !== undefined && smtp.user === undefined) {
        r.issue(joinPath(smtpAt, 'user'), 'is required with a password');
      }
      const ca = typeof smtp.ca_file === 'string' ? r.file(joinPath(smtpAt, 'ca_file'), smtp.ca_file) : undefined;
      const to = raw.to as string[];
      to.forEach((addr, i) => {
        if (!addr.includes('@')) r.issue(`${joinPath(at, 'to')}[${i}]`, 'is not an email address');
      });
      const secure = smtp.secure === true;
      const host = String(smtp.host);
      return {
        name,
        type: 'email',
        email: {
          host,
          port: typeof smtp.port === 'number' ? smtp.port : secure ? 465 : 587,
          secure,
          // STARTTLS is required unless told otherwise, except to a relay on this machine.
          requireTLS: !secure && (typeof smtp.starttls === 'boolean' ? smtp.starttls : !isLoopback(host)),
          ...(password !== undefined && smtp.user !== undefined
            ? { auth: { user: String(smtp.user), pass: password } }
            : {}),
          ...(ca !== undefined ? { ca } : {}),
          from: String(raw.from),
          to,
          timeoutMs: timeoutMs(smtp, '30s'),
        },
      };
    }
    case 'webhook': {
      const url = r.url(String(raw.url), joinPath(at, 'url'), raw.insecure_http === true);
      const secret = r.secret(raw, at, 'secret', true);
      if (url === undefined || secret === undefined) return undefined;
      return { name, type: 'webhook', webhook: { url, secret, timeoutMs: timeoutMs(raw, '10s') } };
    }
    case 'slack':
    case 'teams': {
      const given = r.secret(raw, at, 'url', true);
      const url = r.url(given, joinPath(at, 'url'), undefined);
      if (url === undefined) return undefined;
      return { name, type: raw.type as 'slack' | 'teams', target: { url, timeoutMs: timeoutMs(raw, '10s') } };
    }
  }
}

/**
 * Reads `notifications.channels` into channel settings, taking secrets from `env` and from files
 * through `readFile` (which resolves relative paths). Throws ConfigError listing every problem.
 */
export function resolveChannelSettings(
  raw: unknown,
  env: Env,
  readFile: ReadFile,
  opts: Omit<ResolveOptions, 'clock'> = {},
): ChannelSettings[] {
  const prefix = opts.prefix ?? 'notifications.channels';
  const file = opts.file ?? 'config';
  if (raw === undefined || raw === null) return [];
  if (!isObject(raw)) throw new ConfigError(file, [{ path: prefix, message: 'must be a mapping (name: channel)' }]);
  const schemaIssues = channelsIssues(raw, prefix);
  if (schemaIssues.length > 0) throw new ConfigError(file, schemaIssues);
  const r = new Resolver(env, readFile);
  const settings = Object.entries(raw).map(([name, value]) =>
    resolveOne(name, value as Raw, joinPath(prefix, name), r),
  );
  if (r.issues.length > 0) throw new ConfigError(file, r.issues);
  return settings.filter((s): s is ChannelSettings => s !== undefined);
}

export function createChannel(s: ChannelSettings, clock: () => number = Date.now): Channel {
  switch (s.type) {
    case 'email':
      return createEmailChannel(s.name, s.email);
    case 'webhook':
      return createWebhookChannel(s.name, s.webhook, clock);
    case 'slack':
      return createSlackChannel(s.name, s.target);
    case 'teams':
      return createTeamsChannel(s.name, s.target);
  }
}

/** `notifications.channels` → channels ready to send (see resolveChannelSettings). */
export function resolveChannels(raw: unknown, env: Env, readFile: ReadFile, opts: ResolveOptions = {}): Channel[] {
  return resolveChannelSettings(raw, env, readFile, opts).map((s) => createChannel(s, opts.clock));
}

export interface NotificationSettings {
  channels: Channel[];
  dashboardUrl: string | undefined;
  retry: RetryPolicy;
  failingAfter: number;
}

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  giveUpAfterMs: number;
}

/** The whole `notifications` section: validated, secrets read, channels built. */
export function resolveNotifications(
  raw: unknown,
  env: Env,
  readFile: ReadFile,
  opts: ResolveOptions = {},
): NotificationSettings {
  const prefix = opts.prefix ?? 'notifications';
  const issues = notificationsIssues(raw, prefix);
  if (issues.length > 0) throw new ConfigError(opts.file ?? 'config', issues);
  const section = (raw ?? {}) as NotificationsFile;
  const retry = { ...DEFAULT_RETRY, ...section.retry };
  return {
    channels: resolveChannels(section.channels, env, readFile, { ...opts, prefix: joinPath(prefix, 'channels') }),
    dashboardUrl: section.dashboard_url,
    retry: {
      initialMs: parseDuration(retry.initial) as number,
      maxMs: parseDuration(retry.max) as number,
      giveUpAfterMs: parseDuration(retry.give_up_after) as number,
    },
    failingAfter: section.failing_after ?? DEFAULT_FAILING_AFTER,
  };
}
