// The one shape every alert rule has (one rule per file, listed in registry.ts): its options
// schema with defaults, which results feed it, and a pure evaluate() that turns a host's current
// data into observations. Hysteresis lives in the rule; durations and counts in the transition.
import type { CheckKindName } from '@vitals/shared';
import type { TSchema } from 'typebox';
import type { HostView, LatestResult, Observation, RuleName, SeriesPoint, Severity, SiteView } from '../types.js';

export interface RuleContext {
  host: HostView;
  /** The host's latest result per (check, target), all kinds. */
  latest: LatestResult[];
  /** Free bytes of a disk target over the longest forecast window, oldest first. */
  diskSeries(target: string): SeriesPoint[];
  /**
   * A numeric value of one (check, target) since `sinceTs`, oldest first (smart: reallocated
   * sectors a day ago). Optional: without it, rules that compare with the past see no change.
   */
  history?(check: string, target: string, metric: string, sinceTs: number): SeriesPoint[];
  /** The severity this rule's alert on `target` fires at now (undefined: not firing). */
  firing(target: string): Severity | undefined;
  /** The host's site (heartbeat: is a silence the site's?). Absent where no site is known (replay). */
  site?: SiteView;
  now: number;
}

interface RuleBase<Options> {
  name: RuleName;
  /** One line for `rules list` and the README. */
  summary: string;
  /**
   * The options as a user writes them in YAML (durations "15m", sizes "10GB"), every key with
   * its default; `enabled` (boolean) is always one of them.
   */
  options: TSchema;
  /** Turns validated raw options (defaults applied) into the typed form evaluate() uses. */
  parse(raw: Record<string, unknown>): Options & { enabled: boolean };
}

export interface HostRule<Options = unknown> extends RuleBase<Options> {
  scope: 'host';
  /** Evaluated when a result of one of these kinds arrives ([] = only on the timer). */
  kinds: readonly CheckKindName[];
  /** Also evaluated on the timer, because time alone can change the verdict (ages, silence). */
  timeDriven: boolean;
  evaluate(options: Options, ctx: RuleContext): Observation[];
}

/** A rule about a whole site (site_offline), evaluated on the timer over the site's hosts. */
export interface SiteRule<Options = unknown> extends RuleBase<Options> {
  scope: 'site';
  evaluate(options: Options, hosts: HostView[], now: number): Observation[];
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds rules of different option types
export type RuleDefinition = HostRule<any> | SiteRule<any>;
