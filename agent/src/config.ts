// The agent's config file: schema with defaults, where it lives on each OS, and how its `checks`
// list becomes runnable checks. Every key has a default; an unknown key or a wrong type is an
// error naming the key path, never a silent default.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  type CheckKindName,
  ConfigError,
  type ConfigIssue,
  compileSchema,
  DURATION_PATTERN,
  joinPath,
  loadYamlConfigFile,
  parseDuration,
  parseSize,
  type SchemaIssue,
  SIZE_PATTERN,
} from '@vitals/shared';
import Type, { type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { type CheckKind, COMMON_CHECK_KEYS } from './checks/check.js';
import { CHECK_REGISTRY, findCheckKind } from './checks/registry.js';

const Duration = (description: string, def?: string) =>
  Type.String({ pattern: DURATION_PATTERN, description, ...(def !== undefined ? { default: def } : {}) });
const Size = (description: string, def: string) => Type.String({ pattern: SIZE_PATTERN, description, default: def });

export const AgentConfigSchema = Type.Object(
  {
    hostname: Type.Optional(
      Type.String({ minLength: 1, description: 'name reported to the collector; default: the OS hostname' }),
    ),
    state_dir: Type.Optional(
      Type.String({ minLength: 1, description: 'buffer and identity; default: next to the config file (see README)' }),
    ),
    log_level: Type.Optional(
      Type.Union(
        ['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => Type.Literal(l)),
        { default: 'info', description: 'pino log level' },
      ),
    ),
    collector: Type.Optional(
      Type.Object(
        {
          url: Type.Optional(Type.String({ description: 'collector base URL; set by `vitals enroll`' })),
          ca_file: Type.Optional(Type.String({ description: 'PEM file of a private CA to trust for the collector' })),
          pin_sha256: Type.Optional(
            Type.Array(Type.String({ pattern: '^[A-Za-z0-9+/=:]+$' }), {
              description:
                'accepted SHA-256 fingerprints of the collector certificate (hex with colons) or its public key (base64)',
            }),
          ),
          insecure_http: Type.Optional(
            Type.Boolean({ default: false, description: 'allow plain http:// to a non-loopback collector' }),
          ),
          timeout: Type.Optional(Duration('timeout of one delivery request', '30s')),
          gather: Type.Optional(
            Duration(
              "after a new result, wait this long for the rest of the check cycle's results, so a cycle goes in one request (0s: send each at once)",
              '3s',
            ),
          ),
          retry_max: Type.Optional(
            Duration('longest wait between delivery retries (exponential backoff with jitter up to this)', '5m'),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    buffer: Type.Optional(
      Type.Object(
        {
          max_size: Type.Optional(Size('hard cap of the result buffer on disk; oldest dropped beyond it', '64MB')),
          max_age: Type.Optional(Duration('results older than this are dropped unsent', '8d')),
          batch_size: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 5000, default: 500, description: 'results per delivery request' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    builtin_checks: Type.Optional(
      Type.Boolean({ default: true, description: 'also run the built-in cpu, memory, disk and uptime checks' }),
    ),
    checks: Type.Optional(
      Type.Array(Type.Object(COMMON_CHECK_KEYS, { additionalProperties: true }), {
        description: 'checks to run; an entry with the id of a built-in check replaces it',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AgentConfigFile = Static<typeof AgentConfigSchema>;

/** A check ready to run: its kind, its options with defaults filled, its schedule. */
export interface ConfiguredCheck {
  id: string;
  kind: CheckKind;
  options: Record<string, unknown>;
  intervalMs: number;
  timeoutMs: number;
  enabled: boolean;
}

export interface AgentConfig {
  /** The file it came from; undefined for built-in defaults. */
  file: string | undefined;
  hostname: string | undefined;
  stateDir: string;
  logLevel: string;
  collector: {
    url: string | undefined;
    caFile: string | undefined;
    pinSha256: string[];
    insecureHttp: boolean;
    timeoutMs: number;
    retryMaxMs: number;
    gatherMs: number;
  };
  buffer: { maxBytes: number; maxAgeMs: number; batchSize: number };
  checks: ConfiguredCheck[];
}

export function defaultConfigPath(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(process.env.ProgramData ?? 'C:\\ProgramData', 'Vitals', 'agent.yaml');
  if (platform === 'darwin') return '/Library/Application Support/Vitals/agent.yaml';
  return '/etc/vitals/agent.yaml';
}

/** Linux follows the FHS (/var/lib/vitals); elsewhere, and for any other config file, `state/` beside it. */
export function defaultStateDir(configFile: string | undefined, platform: NodeJS.Platform = process.platform): string {
  if (configFile === undefined || configFile === defaultConfigPath(platform)) {
    if (platform === 'linux') return '/var/lib/vitals';
    return join(dirname(defaultConfigPath(platform)), 'state');
  }
  return join(dirname(configFile), 'state');
}

const fileValidator = compileSchema<AgentConfigFile>(AgentConfigSchema);
const checkValidators = new Map<CheckKindName, ReturnType<typeof compileSchema>>();

function checkSchema(kind: CheckKind): TSchema {
  return Type.Object({ ...COMMON_CHECK_KEYS, ...kind.options }, { additionalProperties: false });
}

function validatorFor(kind: CheckKind) {
  let v = checkValidators.get(kind.kind);
  if (!v) {
    v = compileSchema(checkSchema(kind));
    checkValidators.set(kind.kind, v);
  }
  return v;
}

function prefixed(prefix: string, issues: SchemaIssue[]): SchemaIssue[] {
  return issues.map((i) => ({ ...i, path: i.path === '' ? prefix : joinPath(prefix, i.path).replace(/^\./, '') }));
}

function isCheckEntry(value: unknown): value is Record<string, unknown> & { kind: string } {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

/** Every problem in a parsed config value, as key paths; [] when it is valid. */
export function configIssues(value: unknown): SchemaIssue[] {
  // File-level problems do not hide the checks' own: whoever fixes the file sees everything at once.
  const issues: SchemaIssue[] = fileValidator.check(value) ? [] : fileValidator.issues(value);
  const checks = (value as { checks?: unknown } | null | undefined)?.checks;
  const ids = new Map<string, number>();
  (Array.isArray(checks) ? (checks as unknown[]) : []).forEach((entry, index) => {
    if (!isCheckEntry(entry)) return; // the file schema has said what is wrong with it
    const at = `checks[${index}]`;
    const kind = findCheckKind(entry.kind);
    if (!kind) {
      issues.push({
        path: `${at}.kind`,
        message: `unknown check kind "${entry.kind}"; known kinds: ${CHECK_REGISTRY.map((k) => k.kind).join(', ')}`,
      });
      return;
    }
    const v = validatorFor(kind);
    // Options with a default are required by the schema, so they are validated as they will run.
    const filled = withDefaults(kind, entry);
    if (!v.check(filled)) issues.push(...prefixed(at, v.issues(filled)));
    else if (kind.validate) issues.push(...prefixed(at, kind.validate(filled as never)));
    for (const key of ['interval', 'timeout'] as const) {
      const raw = entry[key];
      if (typeof raw === 'string' && parseDuration(raw) === 0)
        issues.push({ path: `${at}.${key}`, message: 'must be longer than 0' });
    }
    const id = typeof entry.id === 'string' ? entry.id : entry.kind;
    const first = ids.get(id);
    if (first !== undefined)
      issues.push({
        path: `${at}.id`,
        message: `"${id}" is already used by checks[${first}]; give each check its own id`,
      });
    else ids.set(id, index);
  });
  // The file schema and a check's own schema both see the common keys (interval, timeout).
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(`${i.path}\u0000${i.message}`) && seen.add(`${i.path}\u0000${i.message}`));
}

/** Built-in checks: what `vitals check` runs with no config file at all. */
export const BUILTIN_CHECK_IDS = ['cpu', 'memory', 'disk', 'uptime'] as const;

function withDefaults(kind: CheckKind, entry: Record<string, unknown>): Record<string, unknown> {
  return Value.Default(checkSchema(kind), structuredClone(entry)) as Record<string, unknown>;
}

function configureCheck(entry: Record<string, unknown> & { kind: string }): ConfiguredCheck {
  const kind = findCheckKind(entry.kind) as CheckKind;
  const { id, kind: _kind, interval, timeout, enabled, ...options } = withDefaults(kind, entry);
  return {
    id: (id as string | undefined) ?? kind.kind,
    kind,
    options,
    intervalMs: parseDuration((interval as string | undefined) ?? kind.defaultInterval) as number,
    timeoutMs: parseDuration((timeout as string | undefined) ?? kind.defaultTimeout) as number,
    enabled: enabled !== false,
  };
}

/**
 * A relative path in the config file means "beside the config file", never "wherever the command
 * was started": `vitals enroll` and `vitals status` run from different folders must agree.
 */
export function fromConfigFolder(path: string | undefined, file: string | undefined): string | undefined {
  if (path === undefined || isAbsolute(path)) return path;
  return file === undefined ? resolve(path) : resolve(dirname(file), path);
}

/** Turns a validated config value into the agent's config. */
export function resolveConfig(value: AgentConfigFile, file: string | undefined): AgentConfig {
  const configured = (value.checks ?? []).map((c) => configureCheck(c));
  const builtins =
    value.builtin_checks === false
      ? []
      : BUILTIN_CHECK_IDS.filter((id) => !configured.some((c) => c.id === id)).map((id) =>
          configureCheck({ kind: id }),
        );
  return {
    file,
    hostname: value.hostname,
    stateDir: fromConfigFolder(value.state_dir, file) ?? defaultStateDir(file),
    logLevel: value.log_level ?? 'info',
    collector: {
      url: value.collector?.url,
      caFile: fromConfigFolder(value.collector?.ca_file, file),
      pinSha256: value.collector?.pin_sha256 ?? [],
      insecureHttp: value.collector?.insecure_http ?? false,
      timeoutMs: parseDuration(value.collector?.timeout ?? '30s') as number,
      retryMaxMs: parseDuration(value.collector?.retry_max ?? '5m') as number,
      gatherMs: parseDuration(value.collector?.gather ?? '3s') as number,
    },
    buffer: {
      maxBytes: parseSize(value.buffer?.max_size ?? '64MB') as number,
      maxAgeMs: parseDuration(value.buffer?.max_age ?? '8d') as number,
      batchSize: value.buffer?.batch_size ?? 500,
    },
    checks: [...builtins, ...configured],
  };
}

/**
 * Loads the agent config. An explicit file must exist; without one, the OS default location is
 * used when present, and the built-in defaults otherwise.
 */
export function loadAgentConfig(explicitFile?: string): AgentConfig {
  const file = explicitFile ?? (existsSync(defaultConfigPath()) ? defaultConfigPath() : undefined);
  if (file === undefined) return resolveConfig({}, undefined);
  // Absolute, so the folder relative paths hang off does not move with the working directory.
  const absolute = resolve(file);
  const value = loadYamlConfigFile(absolute, configIssues) as AgentConfigFile;
  return resolveConfig(value, absolute);
}

export { ConfigError, type ConfigIssue };
