// Windows readers run PowerShell through systeminformation's one persistent powershell.exe:
// a process per call is the documented cause of agents pegging a CPU (systeminformation #616, #788).
// systeminformation is loaded only on first use (Windows): elsewhere the agent never needs it, and
// loading it pulls in dozens of Node modules it would keep in memory. The import() names are
// literal, so the bundle (and the single executable, which has no node_modules) still carries
// both, and util.js is the same module instance whose PowerShell si.powerShellStart() started.
type Si = typeof import('systeminformation');
type SiUtil = typeof import('systeminformation/lib/util.js').default;

let loading: Promise<{ si: Si; util: SiUtil }> | undefined;
let loaded: { si: Si; util: SiUtil } | undefined;
let started = false;

function loadSystemInformation(): Promise<{ si: Si; util: SiUtil }> {
  loading ??= Promise.all([import('systeminformation'), import('systeminformation/lib/util.js')]).then(([si, util]) => {
    loaded = { si: si.default, util: util.default };
    return loaded;
  });
  return loading;
}

/** Starts the shared PowerShell once per agent process (no-op elsewhere than Windows). */
export async function startPersistentPowerShell(platform: NodeJS.Platform = process.platform): Promise<void> {
  if (platform !== 'win32' || started) return;
  const { si } = await loadSystemInformation();
  if (started) return;
  si.powerShellStart();
  started = true;
}

export function releasePersistentPowerShell(): void {
  if (!started || !loaded) return;
  loaded.si.powerShellRelease();
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
  await startPersistentPowerShell();
  const { util } = await loadSystemInformation();
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
    return await Promise.race([util.powerShell(script), timeout]);
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
