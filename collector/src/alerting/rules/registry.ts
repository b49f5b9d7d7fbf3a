// Every alert rule the collector knows, in the order `rules list` and the README show them.
import type { RuleName } from '../types.js';
import { backupRule } from './backup.js';
import { bufferLostRule } from './buffer-lost.js';
import { cpuRule } from './cpu.js';
import { diskForecastRule } from './disk-forecast.js';
import { diskSpaceRule } from './disk-space.js';
import { endpointRule } from './endpoint.js';
import { heartbeatRule } from './heartbeat.js';
import { memoryRule } from './memory.js';
import { rebootRule } from './reboot.js';
import type { RuleDefinition } from './rule.js';
import { commandRule, processRule, serviceRule } from './service.js';
import { siteOfflineRule } from './site-offline.js';
import { smartRule } from './smart.js';

// The order of RULE_NAMES in types.ts.
export const RULES: readonly RuleDefinition[] = [
  heartbeatRule,
  siteOfflineRule,
  diskSpaceRule,
  diskForecastRule,
  backupRule,
  serviceRule,
  processRule,
  commandRule,
  smartRule,
  endpointRule,
  cpuRule,
  memoryRule,
  rebootRule,
  bufferLostRule,
];

export function ruleByName(name: RuleName | string): RuleDefinition | undefined {
  return RULES.find((r) => r.name === name);
}
