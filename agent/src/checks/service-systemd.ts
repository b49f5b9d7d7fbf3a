// Reads systemd units' real state with one `systemctl show` (never a process-name guess), and,
// where systemd is not PID 1 (containers), still tells a missing unit from one it cannot read.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeSpawnError, execFile } from '../exec.js';
import type { CheckContext } from './check.js';
import type { ServiceState, ServiceStateName } from './service-state.js';

// `systemctl show -o json` and `list-units -o json` are missing or ignored on systemd < 246
// (EL8 ships 239); key=value output of `show` works on every version we meet.
export const SYSTEMD_PROPERTIES = [
  'Id',
  'LoadState',
  'ActiveState',
  'SubState',
  'UnitFileState',
  'Result',
  'MainPID',
  'NRestarts',
] as const;

/** Where systemd loads unit files from, in its own order of precedence (systemd.unit(5)). */
export const DEFAULT_UNIT_DIRS = [
  '/etc/systemd/system.control',
  '/etc/systemd/system',
  '/run/systemd/system',
  '/usr/local/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
] as const;

/** SysV scripts here become `<name>.service` through systemd-sysv-generator. */
export const DEFAULT_SYSV_DIRS = ['/etc/init.d'] as const;

export interface UnitSearchPath {
  unitDirs: readonly string[];
  sysvDirs: readonly string[];
}

const UNIT_SUFFIX = /\.(service|socket|device|mount|automount|swap|target|path|timer|slice|scope)$/;

/** `postgresql` → `postgresql.service`, as systemctl itself completes a bare name. */
export function unitName(name: string): string {
  return UNIT_SUFFIX.test(name) ? name : `${name}.service`;
}

/** Splits `systemctl show` output into one key=value map per unit (blocks end at a blank line). */
export function parseSystemctlShow(text: string): Record<string, string>[] {
  const blocks: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    if (!current) {
      current = {};
      blocks.push(current);
    }
    current[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return blocks;
}

const ACTIVE_STATES: Record<string, ServiceStateName> = {
  active: 'running',
  reloading: 'running',
  refreshing: 'running',
  activating: 'starting',
  deactivating: 'stopping',
  inactive: 'stopped',
  maintenance: 'stopped',
  failed: 'failed',
};

function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** One unit's properties → its state. `LoadState=not-found` is the one truthful "missing". */
export function serviceStateFromSystemd(name: string, props: Record<string, string>): ServiceState {
  if (props.LoadState === 'not-found') return { name, state: 'missing' };
  const active = props.ActiveState ?? '';
  const state = ACTIVE_STATES[active];
  if (!state) {
    return {
      name,
      state: 'unknown',
      reason: `systemd reported ActiveState "${active}" for ${name}, which Vitals does not know`,
    };
  }
  const out: ServiceState = { name, state };
  // A masked unit reports UnitFileState=masked only on newer systemd; LoadState says it everywhere.
  const startMode = props.LoadState === 'masked' ? 'masked' : props.UnitFileState;
  if (startMode) out.startMode = startMode;
  if (props.SubState) out.subState = props.SubState;
  const pid = positiveInt(props.MainPID);
  if (pid !== undefined && pid > 0) out.pid = pid;
  const restarts = positiveInt(props.NRestarts);
  if (restarts !== undefined) out.restarts = restarts;
  return out;
}

/** The unit file (or SysV script) systemd would load for `name`; undefined when there is none. */
export function findUnitFile(name: string, search: UnitSearchPath): string | undefined {
  const unit = unitName(name);
  const candidates = [unit];
  // `getty@tty1.service` is loaded from the template `getty@.service`.
  const instance = /^([^@]+)@[^.]+(\.[a-z]+)$/.exec(unit);
  if (instance) candidates.push(`${instance[1]}@${instance[2]}`);
  for (const dir of search.unitDirs) {
    for (const file of candidates) {
      const path = join(dir, file);
      if (existsSync(path)) return path;
    }
  }
  if (unit.endsWith('.service')) {
    const script = unit.slice(0, -'.service'.length);
    for (const dir of search.sysvDirs) {
      const path = join(dir, script);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

// What systemctl prints when there is no systemd manager to ask (container, chroot, WSL1).
const NO_SYSTEMD = /not been booted with systemd|Failed to connect to bus/i;

export function isNoSystemdError(stderr: string): boolean {
  return NO_SYSTEMD.test(stderr);
}

/** Without a running systemd, only absence can be known for sure; presence says nothing of state. */
export function statesWithoutSystemd(names: readonly string[], search: UnitSearchPath): ServiceState[] {
  return names.map((name) =>
    findUnitFile(name, search) === undefined
      ? { name, state: 'missing' }
      : { name, state: 'unknown', reason: `systemd is not running here, cannot read the state of ${name}` },
  );
}

export async function readSystemdServices(
  names: readonly string[],
  ctx: CheckContext,
  search: UnitSearchPath = { unitDirs: DEFAULT_UNIT_DIRS, sysvDirs: DEFAULT_SYSV_DIRS },
): Promise<ServiceState[]> {
  const result = await execFile(
    'systemctl',
    ['show', `--property=${SYSTEMD_PROPERTIES.join(',')}`, '--', ...names.map(unitName)],
    { timeoutMs: ctx.timeoutMs, signal: ctx.signal },
  );
  if (result.spawnError?.code === 'ENOENT') return statesWithoutSystemd(names, search);
  if (result.spawnError) throw new Error(describeSpawnError('systemctl', result.spawnError));
  if (result.timedOut) throw new Error('systemctl show did not answer in time');
  if (result.code !== 0) {
    if (isNoSystemdError(result.stderr)) return statesWithoutSystemd(names, search);
    const first = result.stderr.trim().split('\n')[0] || `exit code ${result.code}`;
    throw new Error(`systemctl show failed: ${first}`);
  }
  return statesFromSystemctlShow(names, result.stdout);
}

/** One `systemctl show` answer for `names` → one state per name, in the same order. */
export function statesFromSystemctlShow(names: readonly string[], stdout: string): ServiceState[] {
  const blocks = parseSystemctlShow(stdout);
  return names.map((name, i) => {
    // systemctl answers in argument order, and an alias answers with its target's Id, so order
    // is the key; the Id is the fallback should the count ever not match.
    const unit = unitName(name);
    const block = blocks.length === names.length ? blocks[i] : blocks.find((b) => b.Id === unit);
    if (!block) {
      return { name, state: 'unknown', reason: `systemctl show gave no answer for ${unit}` } satisfies ServiceState;
    }
    return serviceStateFromSystemd(name, block);
  });
}
