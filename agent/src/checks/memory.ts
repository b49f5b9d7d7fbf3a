// Available memory (what programs can still get without swapping, cache included) and swap or
// commit use. Linux reads /proc/meminfo, never os.freemem(): that counts the page cache as used.
import { readFile } from 'node:fs/promises';
import { formatBytes, formatPercent } from '@vitals/shared';
import Type from 'typebox';
import { describeSpawnError, execFile } from '../exec.js';
import { parsePowerShellJson, runPowerShell } from '../platform/powershell.js';
import { type CheckContext, type CheckOutcome, defineCheck, statusBelow, unknownOutcome } from './check.js';

export interface MemorySnapshot {
  totalBytes: number;
  availableBytes: number;
  /** Linux and macOS swap. */
  swap?: { totalBytes: number; usedBytes: number };
  /** Windows commit charge: RAM plus page file, what "out of memory" dialogs are about. */
  commit?: { totalBytes: number; usedBytes: number };
}

export class MemoryOutputError extends Error {
  override name = 'MemoryOutputError';
}

/** /proc/meminfo ("MemTotal:       24683656 kB"). */
export function parseMeminfo(text: string): MemorySnapshot {
  const kb = new Map<string, number>();
  for (const m of text.matchAll(/^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?$/gm))
    kb.set(m[1] as string, Number(m[2]) * 1024);
  const total = kb.get('MemTotal');
  if (total === undefined || total === 0) throw new MemoryOutputError('/proc/meminfo has no MemTotal line');
  // MemAvailable exists since Linux 3.14; older kernels get the same estimate the kernel used to make.
  const available =
    kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  const swapTotal = kb.get('SwapTotal') ?? 0;
  return {
    totalBytes: total,
    availableBytes: available,
    swap: { totalBytes: swapTotal, usedBytes: swapTotal - (kb.get('SwapFree') ?? 0) },
  };
}

export const WINDOWS_MEMORY_SCRIPT =
  'Get-CimInstance Win32_OperatingSystem | Select-Object FreePhysicalMemory,TotalVisibleMemorySize,FreeVirtualMemory,TotalVirtualMemorySize | ConvertTo-Json';

/** Win32_OperatingSystem's memory fields, all in KiB. */
export function parseWindowsMemory(rows: unknown[]): MemorySnapshot {
  const row = rows[0] as Record<string, unknown> | undefined;
  const kib = (key: string): number => {
    const v = row?.[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new MemoryOutputError(`Win32_OperatingSystem returned no ${key}`);
    }
    return v * 1024;
  };
  const total = kib('TotalVisibleMemorySize');
  if (total === 0) throw new MemoryOutputError('Win32_OperatingSystem reports 0 bytes of memory');
  const commitTotal = kib('TotalVirtualMemorySize');
  return {
    totalBytes: total,
    availableBytes: kib('FreePhysicalMemory'),
    commit: { totalBytes: commitTotal, usedBytes: commitTotal - kib('FreeVirtualMemory') },
  };
}

const SWAP_SIZE = /(total|used) = ([\d.]+)([KMGT])/g;
const SWAP_UNIT: Record<string, number> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * macOS `vm_stat` plus `sysctl hw.memsize vm.swapusage`. Available = free + inactive + speculative
 * pages: what the kernel hands out without compressing or swapping (psutil's definition, plus
 * speculative read-ahead, which is dropped first).
 */
export function parseDarwinMemory(vmStat: string, sysctl: string): MemorySnapshot {
  const pageSize = Number(/page size of (\d+) bytes/.exec(vmStat)?.[1]);
  const pages = (label: string): number => {
    const m = new RegExp(`^${label}:\\s+(\\d+)\\.`, 'm').exec(vmStat);
    if (!m) throw new MemoryOutputError(`vm_stat printed no "${label}" line`);
    return Number(m[1]);
  };
  if (!pageSize) throw new MemoryOutputError('vm_stat printed no page size');
  const total = Number(/^hw\.memsize:\s*(\d+)/m.exec(sysctl)?.[1]);
  if (!total) throw new MemoryOutputError('sysctl printed no hw.memsize');
  const available = (pages('Pages free') + pages('Pages inactive') + pages('Pages speculative')) * pageSize;
  const swap: Record<string, number> = {};
  for (const m of (/^vm\.swapusage:.*$/m.exec(sysctl)?.[0] ?? '').matchAll(SWAP_SIZE)) {
    swap[m[1] as string] = Math.round(Number(m[2]) * (SWAP_UNIT[m[3] as string] as number));
  }
  return {
    totalBytes: total,
    availableBytes: Math.min(available, total),
    ...(swap.total !== undefined ? { swap: { totalBytes: swap.total, usedBytes: swap.used ?? 0 } } : {}),
  };
}

async function readMemory(ctx: CheckContext): Promise<MemorySnapshot | string> {
  if (ctx.platform === 'win32') {
    const text = await runPowerShell(WINDOWS_MEMORY_SCRIPT, { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    return parseWindowsMemory(parsePowerShellJson(text));
  }
  if (ctx.platform === 'darwin') {
    const opts = { timeoutMs: ctx.timeoutMs, signal: ctx.signal };
    const [vm, sc] = await Promise.all([
      execFile('vm_stat', [], opts),
      execFile('sysctl', ['hw.memsize', 'vm.swapusage'], opts),
    ]);
    for (const [name, r] of [
      ['vm_stat', vm],
      ['sysctl', sc],
    ] as const) {
      if (r.spawnError) return describeSpawnError(name, r.spawnError);
      if (r.code !== 0) return `${name} failed (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`;
    }
    return parseDarwinMemory(vm.stdout, sc.stdout);
  }
  return parseMeminfo(await readFile('/proc/meminfo', { encoding: 'utf8', signal: ctx.signal }));
}

export interface MemoryThresholds {
  warnAvailablePercent: number;
  critAvailablePercent: number;
}

export function judgeMemory(m: MemorySnapshot, t: MemoryThresholds): CheckOutcome {
  const availablePercent = (m.availableBytes / m.totalBytes) * 100;
  const status = statusBelow(availablePercent, t.warnAvailablePercent, t.critAvailablePercent);
  const values: CheckOutcome['values'] = {
    available_percent: { value: Math.round(availablePercent * 10) / 10, unit: 'percent' },
    available_bytes: { value: m.availableBytes, unit: 'bytes' },
    total_bytes: { value: m.totalBytes, unit: 'bytes' },
    used_bytes: { value: m.totalBytes - m.availableBytes, unit: 'bytes' },
  };
  let extra = '';
  if (m.swap) {
    values.swap_used_bytes = { value: m.swap.usedBytes, unit: 'bytes' };
    values.swap_total_bytes = { value: m.swap.totalBytes, unit: 'bytes' };
    extra =
      m.swap.totalBytes > 0
        ? `; swap ${formatBytes(m.swap.usedBytes)} of ${formatBytes(m.swap.totalBytes)} used`
        : '; no swap';
  }
  if (m.commit) {
    values.commit_used_bytes = { value: m.commit.usedBytes, unit: 'bytes' };
    values.commit_total_bytes = { value: m.commit.totalBytes, unit: 'bytes' };
    extra = `; commit ${formatBytes(m.commit.usedBytes)} of ${formatBytes(m.commit.totalBytes)}`;
  }
  const verdict = status === 'CRITICAL' ? 'critically low' : status === 'WARNING' ? 'running low' : 'fine';
  return {
    target: '',
    status,
    values,
    message: `Memory has ${formatPercent(availablePercent)} available (${formatBytes(m.availableBytes)} of ${formatBytes(m.totalBytes)})${extra} — ${verdict}`,
  };
}

export const memoryCheck = defineCheck({
  kind: 'memory',
  summary: 'Available memory (cache counts as available), used, and swap or commit use',
  options: {
    warn_available_percent: Type.Number({
      minimum: 0,
      maximum: 100,
      default: 10,
      description: 'WARNING when less than this % of memory is available',
    }),
    crit_available_percent: Type.Number({
      minimum: 0,
      maximum: 100,
      default: 5,
      description: 'CRITICAL when less than this % of memory is available',
    }),
  },
  defaultInterval: '60s',
  defaultTimeout: '15s',
  async run(options, ctx) {
    let snapshot: MemorySnapshot | string;
    try {
      snapshot = await readMemory(ctx);
    } catch (error) {
      snapshot = `cannot read memory use: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (typeof snapshot === 'string') return [unknownOutcome('', snapshot)];
    return [
      judgeMemory(snapshot, {
        warnAvailablePercent: options.warn_available_percent,
        critAvailablePercent: options.crit_available_percent,
      }),
    ];
  },
});
