// `alerting.rules` and `alerting.overrides`: the schemas (built from each rule's own options), the
// checks a schema cannot express, and what applies to one host (closest wins, exclusions add up).
import type { ConfigIssue } from '@vitals/shared';
import Type, { type TObject, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { RuleOptionError } from './rules/options.js';
import { RULES, ruleByName } from './rules/registry.js';
import type { HostRule, RuleDefinition } from './rules/rule.js';
import { DEFAULT_STALE_AFTER, parseStaleAfter, STALE_AFTER_PATTERN, type StaleAfter } from './stale.js';
import type { RuleName } from './types.js';

/** A rule's options as written in YAML, any subset of its keys. */
export type RawRuleOptions = Record<string, unknown>;
export type RulesConfig = Partial<Record<RuleName, RawRuleOptions>>;

export interface RuleOverride {
  client?: string;
  /** Needs `client`: a site name is only unique within its client. */
  site?: string;
  /** Hostname as enrolled; matched case-insensitively. */
  host?: string;
  rules?: RulesConfig;
  /** Rule names ("backup") or rule:target ("disk_space:/mnt/usb") that do not apply here. */
  exclude?: string[];
}

export interface AlertingRulesConfig {
  /** `alerting.stale_after`: when a target no longer reported resolves its alerts ("3x" its interval). */
  stale_after?: string;
  rules?: RulesConfig;
  overrides?: RuleOverride[];
}

/** `stale_after`; the default only on the global key, so a rule's own key never hides the global one. */
export function staleAfterOption(withDefault = false): TSchema {
  return Type.String({
    pattern: STALE_AFTER_PATTERN,
    ...(withDefault ? { default: DEFAULT_STALE_AFTER } : {}),
    description:
      'a target no longer reported (volume unmounted, check removed) resolves its alerts after this: ' +
      `a multiple of its interval ("${DEFAULT_STALE_AFTER}") or a duration ("30m")`,
  });
}

/** Rules about the targets of reported results, which can stop being reported (not heartbeat, site_offline). */
export function hasTargets(rule: RuleDefinition): rule is HostRule {
  return rule.scope === 'host' && rule.kinds.length > 0;
}

/**
 * Every key of a rule's options optional; unknown keys refused, so a typo is a config error.
 * Rules about reported targets also take `stale_after`, which the engine reads (not the rule).
 */
function partial(rule: RuleDefinition): TSchema {
  const properties = (rule.options as TObject).properties ?? {};
  const entries = Object.entries(properties).map(([k, s]) => [k, Type.Optional(s)]);
  if (hasTargets(rule)) entries.push(['stale_after', Type.Optional(staleAfterOption())]);
  return Type.Object(Object.fromEntries(entries), { additionalProperties: false });
}

/** A rule's raw options without the engine's own `stale_after`, as the rule parses them. */
function ruleOwn(raw: RawRuleOptions): RawRuleOptions {
  const { stale_after: _stale, ...own } = raw;
  return own;
}

function rulesSchema(): TSchema {
  return Type.Object(Object.fromEntries(RULES.map((r) => [r.name, Type.Optional(partial(r))])), {
    additionalProperties: false,
  });
}

export const RulesConfigSchema = rulesSchema();

const NAME_LIMITS = { minLength: 1, maxLength: 256 };

export const OverridesSchema = Type.Array(
  Type.Object(
    {
      client: Type.Optional(Type.String({ ...NAME_LIMITS, description: 'applies to this client (practice)' })),
      site: Type.Optional(Type.String({ ...NAME_LIMITS, description: 'and this site of it (needs client)' })),
      host: Type.Optional(Type.String({ ...NAME_LIMITS, description: 'and this hostname (case-insensitive)' })),
      rules: Type.Optional(rulesSchema()),
      exclude: Type.Optional(
        Type.Array(Type.String({ minLength: 1, maxLength: 600 }), {
          description: 'rules that do not apply here: "cpu", or one target: "disk_space:/mnt/usb"',
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

/** What applies to one host. */
export interface ResolvedRules {
  /** The rule's parsed options (defaults ← global ← client ← site ← host, per key). */
  options<O = unknown>(rule: RuleName): O & { enabled: boolean };
  /** Whether the rule is excluded here: as a whole, or (with a target) for that target. */
  excluded(rule: RuleName, target?: string): boolean;
  /** When a target of this rule no longer reported counts as stale (rule ← override ← global ← 3x). */
  staleAfter(rule: RuleName): StaleAfter;
}

const defaultsCache = new Map<RuleName, RawRuleOptions>();

/** Every option key of the rule with its default, as a user would write it. */
export function ruleDefaults(rule: RuleDefinition): RawRuleOptions {
  let d = defaultsCache.get(rule.name);
  if (!d) {
    d = Value.Default(rule.options, {}) as RawRuleOptions;
    defaultsCache.set(rule.name, d);
  }
  return { ...d };
}

/** How specific an override is; the more specific one wins, and among equals the later one. */
function rank(o: RuleOverride): number {
  if (o.host !== undefined) return 3;
  if (o.site !== undefined) return 2;
  return o.client !== undefined ? 1 : 0;
}

function matches(o: RuleOverride, who: { client: string; site: string; host: string }): boolean {
  return (
    (o.client === undefined || o.client === who.client) &&
    (o.site === undefined || o.site === who.site) &&
    (o.host === undefined || o.host.toLowerCase() === who.host.toLowerCase())
  );
}

/** "disk_space:/mnt/usb" → rule disk_space, target /mnt/usb; the target may itself hold ':' (C:). */
export function parseExclusion(entry: string): { rule: string; target?: string } {
  const at = entry.indexOf(':');
  return at === -1 ? { rule: entry } : { rule: entry.slice(0, at), target: entry.slice(at + 1) };
}

const cache = new WeakMap<AlertingRulesConfig, Map<string, ResolvedRules>>();

/**
 * The rules as they apply to one host (or, with host '', to a site). Configs are immutable, so
 * the result is cached per config object and host.
 */
export function resolveRules(
  config: AlertingRulesConfig,
  who: { client: string; site: string; host: string },
): ResolvedRules {
  let byWho = cache.get(config);
  if (!byWho) {
    byWho = new Map();
    cache.set(config, byWho);
  }
  const key = `${who.client}\u0000${who.site}\u0000${who.host.toLowerCase()}`;
  const hit = byWho.get(key);
  if (hit) return hit;
  const resolved = build(config, who);
  byWho.set(key, resolved);
  return resolved;
}

function build(config: AlertingRulesConfig, who: { client: string; site: string; host: string }): ResolvedRules {
  const applying = (config.overrides ?? [])
    .map((o, i) => ({ o, i }))
    .filter(({ o }) => matches(o, who))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .map(({ o }) => o);
  const excluded = new Set<string>();
  for (const o of applying) for (const e of o.exclude ?? []) excluded.add(e);
  const parsed = new Map<RuleName, { enabled: boolean }>();
  const stale = new Map<RuleName, StaleAfter>();
  return {
    options<O>(name: RuleName): O & { enabled: boolean } {
      let options = parsed.get(name);
      if (!options) {
        const rule = ruleByName(name);
        if (!rule) throw new Error(`alerting: no rule named "${name}"`);
        const raw = { ...ruleDefaults(rule), ...config.rules?.[name] };
        for (const o of applying) Object.assign(raw, o.rules?.[name]);
        options = rule.parse(ruleOwn(raw)) as { enabled: boolean };
        parsed.set(name, options);
      }
      return options as O & { enabled: boolean };
    },
    excluded(rule: RuleName, target?: string): boolean {
      return excluded.has(rule) || (target !== undefined && excluded.has(`${rule}:${target}`));
    },
    staleAfter(name: RuleName): StaleAfter {
      let s = stale.get(name);
      if (!s) {
        let raw: unknown = config.rules?.[name]?.stale_after ?? config.stale_after ?? DEFAULT_STALE_AFTER;
        for (const o of applying) raw = o.rules?.[name]?.stale_after ?? raw;
        // Checked at config load (checkRulesConfig); the default covers a config built in code.
        s = parseStaleAfter(raw) ?? (parseStaleAfter(DEFAULT_STALE_AFTER) as StaleAfter);
        stale.set(name, s);
      }
      return s;
    },
  };
}

function parses(rule: RuleDefinition, raw: RawRuleOptions): boolean {
  try {
    rule.parse(ruleOwn(raw));
    return true;
  } catch {
    return false;
  }
}

/** A rule block's options that pass the schema but not the rule's own reading (min data > window). */
function checkBlock(rules: RulesConfig | undefined, base: RulesConfig | undefined, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [name, options] of Object.entries(rules ?? {})) {
    const rule = ruleByName(name);
    if (!rule || !options) continue;
    // On top of the global block, unless that is broken itself (it has its own issue already).
    const inherited = base?.[name as RuleName];
    const under = inherited && parses(rule, { ...ruleDefaults(rule), ...inherited }) ? inherited : {};
    if (options.stale_after !== undefined && !parseStaleAfter(options.stale_after))
      issues.push({ path: `${path}.${name}.stale_after`, message: 'must be longer than 0' });
    try {
      rule.parse(ruleOwn({ ...ruleDefaults(rule), ...under, ...options }));
    } catch (error) {
      if (!(error instanceof RuleOptionError)) throw error;
      issues.push({ path: `${path}.${name}.${error.key}`, message: error.message.replace(`${error.key}: `, '') });
    }
  }
  return issues;
}

/**
 * What the schemas cannot say: a rule's own option checks, overrides that name a site without
 * its client or nothing at all, and exclusions of rules that do not exist.
 */
export function checkRulesConfig(config: AlertingRulesConfig, prefix = 'alerting'): ConfigIssue[] {
  const issues = checkBlock(config.rules, undefined, `${prefix}.rules`);
  if (config.stale_after !== undefined && !parseStaleAfter(config.stale_after))
    issues.push({ path: `${prefix}.stale_after`, message: 'must be longer than 0 ("3x" or a duration such as 30m)' });
  const known = RULES.map((r) => r.name).join(', ');
  (config.overrides ?? []).forEach((o, i) => {
    const at = `${prefix}.overrides[${i}]`;
    if (o.site !== undefined && o.client === undefined)
      issues.push({
        path: `${at}.site`,
        message: 'needs client as well: a site name is only unique within its client',
      });
    if (o.client === undefined && o.site === undefined && o.host === undefined)
      issues.push({
        path: at,
        message: `names no client, site or host; settings for everyone go under ${prefix}.rules`,
      });
    issues.push(...checkBlock(o.rules, config.rules, `${at}.rules`));
    (o.exclude ?? []).forEach((entry, j) => {
      const { rule, target } = parseExclusion(entry);
      if (!ruleByName(rule))
        issues.push({ path: `${at}.exclude[${j}]`, message: `"${rule}" is not a rule; known rules: ${known}` });
      else if (target === '')
        issues.push({
          path: `${at}.exclude[${j}]`,
          message: `names no target after "${rule}:"; write "${rule}" to exclude the whole rule`,
        });
    });
  });
  return issues;
}
