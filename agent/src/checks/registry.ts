// Every check kind the agent knows, in one list. Adding a kind = one file + one line here.
import { backupCheck } from './backup.js';
import type { CheckKind } from './check.js';
import { commandCheck } from './command.js';
import { cpuCheck } from './cpu.js';
import { diskCheck } from './disk.js';
import { endpointCheck } from './endpoint.js';
import { memoryCheck } from './memory.js';
import { processCheck } from './process.js';
import { serviceCheck } from './service.js';
import { smartCheck } from './smart.js';
import { uptimeCheck } from './uptime.js';

export const CHECK_REGISTRY: readonly CheckKind[] = [
  commandCheck,
  backupCheck,
  smartCheck,
  cpuCheck,
  endpointCheck,
  memoryCheck,
  diskCheck,
  uptimeCheck,
  serviceCheck,
  processCheck,
] as unknown as CheckKind[];

export function findCheckKind(name: string): CheckKind | undefined {
  return CHECK_REGISTRY.find((k) => k.kind === name);
}
