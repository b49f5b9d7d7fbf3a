// Uptime and a pending reboot (Linux /run/reboot-required, Windows registry flags): patches
// installed but not active until the machine restarts are a security gap that grows with time.
import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import { DURATION_PATTERN, formatDuration, parseDuration } from '@vitals/shared';
import Type from 'typebox';
import { parsePowerShellJson, runPowerShell } from '../platform/powershell.js';
import { type CheckContext, type CheckOutcome, defineCheck, unknownOutcome } from './check.js';

export interface RebootState {
  pending: boolean;
  /** When the need arose, ms since the epoch; undefined when the OS does not say. */
  since?: number;
  /** Why: packages (Linux) or registry flags (Windows). */
  reasons: string[];
}

/**
 * Debian/Ubuntu's update-notifier touches /run/reboot-required (its mtime is when) and lists the
 * packages in /run/reboot-required.pkgs. Paths are parameters so tests use a temp file.
 */
export async function readRebootRequired(
  path = '/run/reboot-required',
  pkgsPath = `${path}.pkgs`,
): Promise<RebootState> {
  let since: number;
  try {
    since = (await stat(path)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { pending: false, reasons: [] };
    throw error;
  }
  let reasons: string[] = [];
  try {
    reasons = [...new Set((await readFile(pkgsPath, 'utf8')).split('\n').map((l) => l.trim()))].filter(Boolean);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { pending: true, since, reasons };
}

// Test-Path on keys and the value, never text output, so the answer does not depend on the UI language.
export const WINDOWS_REBOOT_SCRIPT = `[pscustomobject]@{
  ComponentBasedServicing = Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending'
  WindowsUpdate = Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired'
  PendingFileRename = $null -ne (Get-ItemProperty 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Session Manager' -Name PendingFileRenameOperations -ErrorAction SilentlyContinue)
} | ConvertTo-Json`;

const WINDOWS_FLAGS: Record<string, string> = {
  ComponentBasedServicing: 'Component Based Servicing',
  WindowsUpdate: 'Windows Update',
  PendingFileRename: 'pending file renames',
};

export class RebootOutputError extends Error {
  override name = 'RebootOutputError';
}

/** Output of WINDOWS_REBOOT_SCRIPT; the registry keeps no date, so `since` stays unknown. */
export function parseWindowsRebootFlags(rows: unknown[]): RebootState {
  const row = rows[0];
  if (typeof row !== 'object' || row === null) throw new RebootOutputError('PowerShell returned no reboot flags');
  const r = row as Record<string, unknown>;
  const reasons: string[] = [];
  for (const [key, label] of Object.entries(WINDOWS_FLAGS)) {
    if (typeof r[key] !== 'boolean') throw new RebootOutputError(`PowerShell returned no ${key} flag`);
    if (r[key]) reasons.push(label);
  }
  return { pending: reasons.length > 0, reasons };
}

// Windows gives no date, so the agent remembers when it first saw the flags (in `vitals run`).
let firstSeenPending: number | undefined;

async function readRebootState(ctx: CheckContext): Promise<RebootState | undefined> {
  if (ctx.platform === 'linux') return readRebootRequired();
  if (ctx.platform !== 'win32') return undefined; // macOS has no pending-reboot marker
  const text = await runPowerShell(WINDOWS_REBOOT_SCRIPT, { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  const state = parseWindowsRebootFlags(parsePowerShellJson(text));
  if (!state.pending) {
    firstSeenPending = undefined;
    return state;
  }
  // A lower bound: pending at least since an earlier run of this agent saw it.
  const seenBefore = firstSeenPending;
  firstSeenPending ??= ctx.now();
  return seenBefore === undefined ? state : { ...state, since: seenBefore };
}

/** The verdict: a reboot pending longer than `warnAfterMs` is a WARNING; a recent one is said, but OK. */
export function judgeUptime(
  uptimeSeconds: number,
  reboot: RebootState | undefined,
  warnAfterMs: number,
  now: number,
): CheckOutcome {
  const values: CheckOutcome['values'] = { uptime_seconds: { value: Math.round(uptimeSeconds), unit: 'seconds' } };
  const up = `Up ${formatDuration(uptimeSeconds)}`;
  if (!reboot) return { target: '', status: 'OK', values, message: `${up} (this OS has no pending-reboot flag)` };
  values.reboot_pending = { value: reboot.pending };
  if (!reboot.pending) return { target: '', status: 'OK', values, message: `${up}, no reboot pending` };
  const why = reboot.reasons.length > 0 ? ` for ${describeReasons(reboot.reasons)}` : '';
  if (reboot.since === undefined) {
    return { target: '', status: 'OK', values, message: `${up}; a reboot is pending${why}` };
  }
  const pendingMs = Math.max(0, now - reboot.since);
  values.reboot_pending_seconds = { value: Math.round(pendingMs / 1000), unit: 'seconds' };
  const status = pendingMs > warnAfterMs ? 'WARNING' : 'OK';
  const when = `since ${new Date(reboot.since).toISOString().slice(0, 16).replace('T', ' ')} UTC (${formatDuration(pendingMs / 1000)})`;
  const advice = status === 'WARNING' ? ' — restart it soon' : '';
  return { target: '', status, values, message: `${up}; a reboot is pending ${when}${why}${advice}` };
}

function describeReasons(reasons: string[]): string {
  const shown = reasons.slice(0, 3).join(', ');
  return reasons.length > 3 ? `${shown} and ${reasons.length - 3} more` : shown;
}

export const uptimeCheck = defineCheck({
  kind: 'uptime',
  summary: 'Uptime and whether a reboot is pending (Linux /run/reboot-required, Windows registry flags)',
  options: {
    reboot_pending_warn: Type.String({
      pattern: DURATION_PATTERN,
      default: '7d',
      description: 'WARNING when a reboot has been pending for longer than this',
    }),
  },
  defaultInterval: '5m',
  defaultTimeout: '15s',
  async run(options, ctx) {
    const uptime = os.uptime();
    if (!(uptime > 0)) return [unknownOutcome('', 'the OS reported no uptime')];
    let reboot: RebootState | undefined;
    try {
      reboot = await readRebootState(ctx);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return [
        {
          ...unknownOutcome('', `Up ${formatDuration(uptime)}, but cannot tell whether a reboot is pending: ${reason}`),
          values: { uptime_seconds: { value: Math.round(uptime), unit: 'seconds' } },
        },
      ];
    }
    return [judgeUptime(uptime, reboot, parseDuration(options.reboot_pending_warn) ?? 7 * 86_400_000, ctx.now())];
  },
});
