// Finds named processes on Windows (one Get-Process through the shared PowerShell) and macOS
// (one `ps`), and parses what those tools print.
import { basename } from 'node:path';
import { describeSpawnError, execFile } from '../exec.js';
import { parsePowerShellJson, runPowerShell } from '../platform/powershell.js';
import type { CheckContext } from './check.js';
import type { ProcessSample } from './process-sample.js';
import { psQuote } from './service-windows.js';

/** Get-Process names have no ".exe"; people write it anyway. */
export function windowsProcessName(name: string): string {
  return name.replace(/\.exe$/i, '');
}

export function getProcessScript(names: readonly string[]): string {
  return (
    `Get-Process -Name ${names.map((n) => psQuote(windowsProcessName(n))).join(',')} -ErrorAction SilentlyContinue | ` +
    'Select-Object Name,Id,CPU,WorkingSet64 | ConvertTo-Json -Compress'
  );
}

function emptyGroups(names: readonly string[]): Map<string, ProcessSample[]> {
  return new Map(names.map((n) => [n, []]));
}

/** Get-Process JSON → matched processes per configured name (case-insensitive, as Windows is). */
export function parseGetProcessJson(text: string, names: readonly string[]): Map<string, ProcessSample[]> {
  let rows: unknown[];
  try {
    rows = parsePowerShellJson(text);
  } catch {
    throw new Error(`Get-Process did not return JSON: ${text.trim().slice(0, 120)}`);
  }
  const found = emptyGroups(names);
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue;
    const { Name, Id, CPU, WorkingSet64 } = row as Record<string, unknown>;
    if (typeof Name !== 'string' || typeof Id !== 'number') continue;
    for (const name of names) {
      if (windowsProcessName(name).toLowerCase() !== Name.toLowerCase()) continue;
      const sample: ProcessSample = { pid: Id, key: String(Id) };
      // CPU is null for a process the agent may not open (protected processes).
      if (typeof CPU === 'number') sample.cpuSeconds = CPU;
      if (typeof WorkingSet64 === 'number') sample.rssBytes = WorkingSet64;
      found.get(name)?.push(sample);
    }
  }
  return found;
}

export const PS_ARGS = ['-axo', 'pid=,rss=,%cpu=,comm='] as const;

/**
 * `ps -axo pid=,rss=,%cpu=,comm=` → matched processes per name. comm is last because it may hold
 * spaces; macOS prints the executable's full path there, so its base name is compared
 * (case-insensitively: the default macOS volume is).
 */
export function parsePsOutput(text: string, names: readonly string[]): Map<string, ProcessSample[]> {
  const found = emptyGroups(names);
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+(?:[.,]\d+)?)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const comm = basename(m[4] as string).toLowerCase();
    for (const name of names) {
      if (name.toLowerCase() !== comm) continue;
      const pid = Number(m[1]);
      found.get(name)?.push({
        pid,
        key: String(pid),
        rssBytes: Number(m[2]) * 1024,
        // Some locales print the decimal comma.
        cpuPercentPerCore: Number((m[3] as string).replace(',', '.')),
      });
    }
  }
  return found;
}

export async function readWindowsProcesses(
  names: readonly string[],
  ctx: CheckContext,
): Promise<Map<string, ProcessSample[]>> {
  const text = await runPowerShell(getProcessScript(names), { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  return parseGetProcessJson(text, names);
}

export async function readMacProcesses(
  names: readonly string[],
  ctx: CheckContext,
): Promise<Map<string, ProcessSample[]>> {
  const result = await execFile('ps', PS_ARGS, { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  if (result.spawnError) throw new Error(describeSpawnError('ps', result.spawnError));
  if (result.timedOut) throw new Error('ps did not answer in time');
  if (result.code !== 0)
    throw new Error(`ps failed: ${result.stderr.trim().split('\n')[0] || `exit code ${result.code}`}`);
  return parsePsOutput(result.stdout, names);
}
