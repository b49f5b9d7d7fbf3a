// Levels, check statuses and agent statuses in words, with the CSS class that colours them.
import { h } from './dom.js';
import type { AgentStatus, CheckStatus, Level } from './types.js';

export const LEVEL_WORDS: Record<Level, string> = {
  critical: 'Critical',
  warning: 'Warning',
  unknown: 'Unknown',
  ok: 'OK',
};

const STATUS_LEVEL: Record<CheckStatus, Level> = {
  CRITICAL: 'critical',
  WARNING: 'warning',
  UNKNOWN: 'unknown',
  OK: 'ok',
};

export const AGENT_WORDS: Record<AgentStatus, string> = {
  online: 'Online',
  silent: 'Silent',
  offline: 'Stopped',
  retired: 'Retired',
};

export function levelOf(status: CheckStatus): Level {
  return STATUS_LEVEL[status] ?? 'unknown';
}

/** A coloured badge with the level in words (never colour alone). */
export function levelBadge(level: Level, text = LEVEL_WORDS[level]): HTMLElement {
  return h(`span.badge.level-${level}`, {}, text);
}

export function statusBadge(status: CheckStatus): HTMLElement {
  return levelBadge(levelOf(status));
}

export function dot(level: Level): HTMLElement {
  return h(`span.dot.level-${level}`, { 'aria-hidden': 'true' });
}
