// Windows readers run PowerShell through systeminformation's one persistent powershell.exe:
// a process per call is the documented cause of agents pegging a CPU (systeminformation #616, #788).
import si from 'systeminformation';
// A static import, so the bundle (and the single executable, which has no node_modules) carries it
// and it is the same module instance whose PowerShell si.powerShellStart() started.
import siUtil from 'systeminformation/lib/util.js';

let started = false;

/** Starts the shared PowerShell once per agent process (no-op elsewhere than Windows). */
export function startPersistentPowerShell(platform: NodeJS.Platform = process.platform): void {
  if (platform !== 'win32' || started) return;
  si.powerShellStart();
  started = true;
}

export function releasePersistentPowerShell(): void {
  if (!started) return;
  si.powerShellRelease();
  started = false;
}

export class PowerShellError extends Error {
  override name = 'PowerShellError';
}

/**
 * Runs a script in the persistent PowerShell and returns its text output. Scripts should end in
 * `| ConvertTo-Json -Compress` so their output is parsed, never screen-scraped or localised text.
 */
export async function runPowerShell(
  script: string,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<string> {
  startPersistentPowerShell();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new PowerShellError(`PowerShell did not answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    options.signal?.addEventListener('abort', () => reject(new PowerShellError('PowerShell call aborted')), {
      once: true,
    });
  });
  try {
    return await Promise.race([siUtil.powerShell(script), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * PowerShell's ConvertTo-Json writes one object for a single result and an array for several;
 * empty output means "no objects". Always returns an array.
 */
export function parsePowerShellJson(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const value: unknown = JSON.parse(trimmed);
  return Array.isArray(value) ? value : [value];
}

/** Windows PowerShell 5.1 serialises DateTime as "/Date(1732240000000)/"; 7.x as ISO 8601. */
export function parsePowerShellDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const legacy = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value);
  if (legacy) return Number(legacy[1]);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
