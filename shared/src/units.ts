// Durations and sizes as people write them in config files ("90s", "15m", "64MB") and as
// `vitals check` prints them ("1.2 GB", "3 days").

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** "90s" | "15m" | "6h" | "7d" | number of seconds → milliseconds; undefined when malformed. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(value);
  if (!match) return undefined;
  const unit = DURATION_UNITS[(match[2] as string).toLowerCase()] as number;
  return Math.round(Number(match[1]) * unit);
}

export const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w|MS|S|M|H|D|W)\\s*$';

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** "64MB" | "10 GiB" | number of bytes → bytes; undefined when malformed. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(value);
  if (!match) return undefined;
  const unit = SIZE_UNITS[(match[2] ?? 'b').toLowerCase()] as number;
  return Math.round(Number(match[1]) * unit);
}

export const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([kKmMgGtT][iI]?[bB]|[bB])?\\s*$';

/** Decimal units, as disk vendors and Windows Explorer-era users read them: 1.2 GB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = Math.abs(bytes);
  let i = 0;
  // 999.5 rather than 1000: 999 999 bytes would otherwise round to "1000 KB" instead of "1.0 MB".
  while (value >= 999.5 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  const digits = i === 0 || value >= 99.95 ? 0 : 1;
  return `${bytes < 0 ? '-' : ''}${value.toFixed(digits)} ${units[i]}`;
}

/** 93 → "1 min 33 s", 100000 → "1 day 3 h"; seconds in, the two largest units out. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const parts: [number, string][] = [
    [Math.floor(s / 86400), 'day'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'min'],
    [s % 60, 's'],
  ];
  // The largest unit and the one right below it: "1 day 3 h", never "1 day 1 s".
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) return '0 s';
  const shown = parts.slice(first, first + 2).filter(([n]) => n > 0);
  return shown.map(([n, u]) => (u === 'day' ? `${n} day${n === 1 ? '' : 's'}` : `${n} ${u}`)).join(' ');
}

export function formatPercent(value: number): string {
  return `${value < 10 && value > 0 ? value.toFixed(1) : Math.round(value)} %`;
}
