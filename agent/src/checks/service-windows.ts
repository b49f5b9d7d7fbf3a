// Reads Windows services through the shared PowerShell with one Get-Service call, and parses
// its JSON whichever PowerShell wrote it (5.1 numbers enums, 7.x may name them).
import { parsePowerShellJson, runPowerShell } from '../platform/powershell.js';
import type { CheckContext } from './check.js';
import type { ServiceState, ServiceStateName } from './service-state.js';

// System.ServiceProcess.ServiceControllerStatus, as 5.1's ConvertTo-Json writes it.
const STATUS_NAMES: Record<number, string> = {
  1: 'Stopped',
  2: 'StartPending',
  3: 'StopPending',
  4: 'Running',
  5: 'ContinuePending',
  6: 'PausePending',
  7: 'Paused',
};

const STATE_OF_STATUS: Record<string, ServiceStateName> = {
  Stopped: 'stopped',
  StartPending: 'starting',
  StopPending: 'stopping',
  Running: 'running',
  ContinuePending: 'starting',
  PausePending: 'stopping',
  Paused: 'paused',
};

// System.ServiceProcess.ServiceStartMode.
const START_TYPE_NAMES: Record<number, string> = {
  0: 'Boot',
  1: 'System',
  2: 'Automatic',
  3: 'Manual',
  4: 'Disabled',
};

/** PowerShell single-quoted string: nothing inside is expanded; a quote is doubled. */
export function psQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function getServiceScript(names: readonly string[]): string {
  return (
    `Get-Service -Name ${names.map(psQuote).join(',')} -ErrorAction SilentlyContinue | ` +
    'Select-Object Name,DisplayName,Status,StartType | ConvertTo-Json -Compress'
  );
}

function enumName(value: unknown, names: Record<number, string>): string | undefined {
  if (typeof value === 'number') return names[value];
  if (typeof value === 'string' && value !== '') return value;
  return undefined;
}

/**
 * Get-Service JSON → one state per configured name. Get-Service also matches a display name, so
 * either counts; a name it did not return does not exist.
 */
export function parseGetServiceJson(text: string, names: readonly string[]): ServiceState[] {
  let rows: unknown[];
  try {
    rows = parsePowerShellJson(text);
  } catch {
    throw new Error(`Get-Service did not return JSON: ${text.trim().slice(0, 120)}`);
  }
  const records = rows.filter(
    (r): r is Record<string, unknown> =>
      typeof r === 'object' && r !== null && typeof (r as { Name?: unknown }).Name === 'string',
  );
  return names.map((name) => {
    const wanted = name.toLowerCase();
    const row = records.find(
      (r) =>
        String(r.Name).toLowerCase() === wanted ||
        (typeof r.DisplayName === 'string' && r.DisplayName.toLowerCase() === wanted),
    );
    if (!row) return { name, state: 'missing' } satisfies ServiceState;
    const status = enumName(row.Status, STATUS_NAMES);
    const state = status === undefined ? undefined : STATE_OF_STATUS[status];
    if (!state) {
      return {
        name,
        state: 'unknown',
        reason: `Get-Service reported status ${JSON.stringify(row.Status)} for ${name}, which Vitals does not know`,
      } satisfies ServiceState;
    }
    const out: ServiceState = { name, state };
    const startMode = enumName(row.StartType, START_TYPE_NAMES);
    if (startMode !== undefined) out.startMode = startMode;
    return out;
  });
}

export async function readWindowsServices(names: readonly string[], ctx: CheckContext): Promise<ServiceState[]> {
  const text = await runPowerShell(getServiceScript(names), { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  return parseGetServiceJson(text, names);
}
