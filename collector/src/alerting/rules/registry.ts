// Every alert rule the collector knows, in the order `rules list` and the README show them.
import type { RuleName } from '../types.js';
import { diskForecastRule } from './disk-forecast.js';
import { diskSpaceRule } from './disk-space.js';
import type { RuleDefinition } from './rule.js';

export const RULES: readonly RuleDefinition[] = [diskSpaceRule, diskForecastRule];

export function ruleByName(name: RuleName | string): RuleDefinition | undefined {
  return RULES.find((r) => r.name === name);
}
