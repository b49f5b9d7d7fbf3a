// The level a rule with a warning and a critical condition reports, each condition with its own
// recovery band: a firing alert keeps its level inside the band and steps down one level at a time.
import type { Observation, Severity } from '../types.js';

export interface LevelFindings {
  /** The condition holds now. */
  breach: Record<Severity, boolean>;
  /** Not yet recovered: still short of threshold + margin (true wherever `breach` is). */
  band: Record<Severity, boolean>;
}

/**
 * Critical beats warning; a critical alert inside the critical band reports 'hold' (it stays
 * critical), one past it but within the warning band (or breaching warning) drops to 'warning';
 * a warning alert inside the warning band reports 'hold'. Bands only count for a firing alert:
 * a pending one must meet the plain condition.
 */
export function twoLevels(f: LevelFindings, firing: Severity | undefined): Observation['level'] {
  if (f.breach.critical) return 'critical';
  if (firing === 'critical' && f.band.critical) return 'hold';
  if (f.breach.warning) return 'warning';
  if (firing !== undefined && f.band.warning) return firing === 'warning' ? 'hold' : 'warning';
  return 'ok';
}
