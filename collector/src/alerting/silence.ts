// Silences: ad-hoc mutes with matchers, an end time and a reason. A silenced alert keeps its
// record and stays visible; only its notifications are held back while the silence is active.
import type { Severity } from './types.js';

export const MATCHER_LABELS = ['client', 'site', 'host', 'rule', 'target', 'severity'] as const;
export type MatcherLabel = (typeof MATCHER_LABELS)[number];
export type MatcherOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  label: MatcherLabel;
  op: MatcherOp;
  value: string;
}

export interface Silence {
  id: string;
  /** All must match (never empty: an empty list would silence every alert of every client). */
  matchers: Matcher[];
  starts_at: number;
  ends_at: number;
  reason: string;
  author: string;
  created_at: number;
  /** Set when someone ends the silence early; null while it runs its course. */
  expired_at: number | null;
}

/** What a silence is matched against: an alert's labels ('' for a site alert's host). */
export type SilenceLabels = Record<MatcherLabel, string> & { severity: Severity };

export class SilenceError extends Error {
  override name = 'SilenceError';
}

// `=~` and `!~` come before `=` so "rule=~disk.*" is a regex, not the value "~disk.*".
const MATCHER_SYNTAX = /^\s*([A-Za-z_]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/**
 * "host=EMR-SRV01", `rule=~"disk_.*"`, "severity!=warning". A value may be double-quoted (JSON
 * string rules). Regexes must match the whole value, as in Alertmanager: "EMR" does not match
 * "EMR-SRV01", "EMR.*" does.
 */
export function parseMatcher(text: string): Matcher {
  const match = MATCHER_SYNTAX.exec(text);
  if (!match) {
    throw new SilenceError(
      `matcher "${text}" is not LABEL OP VALUE; write e.g. host=EMR-SRV01 or rule=~"disk_.*" (ops: = != =~ !~)`,
    );
  }
  const label = match[1] as string;
  if (!(MATCHER_LABELS as readonly string[]).includes(label)) {
    throw new SilenceError(`matcher "${text}": unknown label "${label}"; labels are ${MATCHER_LABELS.join(', ')}`);
  }
  const op = match[2] as MatcherOp;
  const value = unquote(match[3] as string, text);
  if (op === '=~' || op === '!~') compile(value, text);
  return { label: label as MatcherLabel, op, value };
}

function unquote(raw: string, text: string): string {
  if (!raw.startsWith('"')) return raw;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'string') return value;
  } catch {
    // reported below with the matcher's text
  }
  throw new SilenceError(`matcher "${text}": the quoted value is not closed or has a bad escape`);
}

const regexes = new Map<string, RegExp>();

function compile(source: string, text?: string): RegExp {
  let regex = regexes.get(source);
  if (regex) return regex;
  try {
    regex = new RegExp(`^(?:${source})$`);
  } catch (error) {
    throw new SilenceError(`matcher "${text ?? source}": invalid regular expression: ${(error as Error).message}`);
  }
  regexes.set(source, regex);
  return regex;
}

export function matcherMatches(matcher: Matcher, labels: SilenceLabels): boolean {
  const actual = labels[matcher.label];
  switch (matcher.op) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
      return compile(matcher.value).test(actual);
    case '!~':
      return !compile(matcher.value).test(actual);
  }
}

/** Running now: started, not yet at its end, not expired early. The end is exclusive. */
export function silenceActive(silence: Silence, now: number): boolean {
  if (silence.expired_at !== null && silence.expired_at <= now) return false;
  return silence.starts_at <= now && now < silence.ends_at;
}

export function silenceMatches(silence: Silence, labels: SilenceLabels, now: number): boolean {
  return silenceActive(silence, now) && silence.matchers.every((m) => matcherMatches(m, labels));
}

export interface SilenceRequest {
  matchers: readonly string[];
  /** Default: now. */
  starts_at?: number;
  ends_at: number;
  reason: string;
  author: string;
}

/** Validates a request to silence (from the dashboard or the CLI) and builds the record. */
export function createSilence(request: SilenceRequest, id: string, now: number): Silence {
  if (request.matchers.length === 0) {
    throw new SilenceError('a silence needs at least one matcher (e.g. host=EMR-SRV01); none would mute everything');
  }
  const matchers = request.matchers.map(parseMatcher);
  const startsAt = request.starts_at ?? now;
  if (!Number.isFinite(request.ends_at) || request.ends_at <= startsAt) {
    throw new SilenceError('a silence must end after it starts');
  }
  if (request.ends_at <= now) throw new SilenceError('a silence must end in the future');
  if (request.reason.trim() === '') throw new SilenceError('a silence needs a reason (say why it is muted)');
  return {
    id,
    matchers,
    starts_at: startsAt,
    ends_at: request.ends_at,
    reason: request.reason.trim(),
    author: request.author,
    created_at: now,
    expired_at: null,
  };
}
