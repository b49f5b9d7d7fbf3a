// How a rule arrives at an observation's level: a threshold with a recovery band (hysteresis),
// and several findings about one target combined into one level.
import type { Observation, Severity } from '../types.js';

export type Level = Observation['level'];
/** Where a value stands against a threshold: past it, in the recovery band of a firing alert, or fine. */
export type Band = 'beyond' | 'hold' | 'ok';

/**
 * Bad above `fire`; a firing alert stays ('hold') until the value drops below `recover`, so a
 * value hovering at the threshold does not fire and resolve every few minutes.
 */
export function bandAbove(value: number, fire: number, recover: number, firing: boolean): Band {
  if (value > fire) return 'beyond';
  return firing && value >= recover ? 'hold' : 'ok';
}

/** Bad below `fire`; a firing alert stays until the value climbs above `recover`. */
export function bandBelow(value: number, fire: number, recover: number, firing: boolean): Band {
  if (value < fire) return 'beyond';
  return firing && value <= recover ? 'hold' : 'ok';
}

const RANK: Record<Level, number> = { ok: 0, hold: 1, warning: 2, critical: 3 };

/**
 * The worst definite finding, unless a finding that cannot be judged now ('hold') might be what
 * keeps the alert at its firing severity: then 'hold', so an unreadable moment never downgrades
 * or resolves an alert.
 */
export function combineLevels(levels: readonly Level[], firing: Severity | undefined): Level {
  const definite = levels.filter((l) => l !== 'hold').reduce<Level>((w, l) => (RANK[l] > RANK[w] ? l : w), 'ok');
  if (!levels.includes('hold')) return definite;
  if (definite === 'ok') return 'hold';
  return firing !== undefined && RANK[firing] > RANK[definite] ? 'hold' : definite;
}
