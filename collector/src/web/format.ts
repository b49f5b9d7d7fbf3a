// Words and numbers as a technician reads them: "2 min ago", "18.4 GB", "45 %".

const UNITS: [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
];

/** A span of time in its largest whole unit: "40 s", "2 min", "3 h", "5 d". */
export function span(ms: number): string {
  for (const [size, unit] of UNITS) if (ms >= size) return `${Math.floor(ms / size)} ${unit}`;
  return `${Math.max(0, Math.floor(ms / 1000))} s`;
}

/** "just now", "40 s ago", "2 min ago", "3 h ago", "5 d ago"; "never" for null. */
export function ago(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const ms = now - Date.parse(iso);
  return ms < 10_000 ? 'just now' : `${span(ms)} ago`;
}

/** A duration in words: "30 min", "2 h", "3 d". */
export function duration(ms: number): string {
  for (const [size, unit] of UNITS) if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  return `${Math.round(ms / 60_000)} min`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** Decimal bytes, as disk makers and the agent's messages count them: 18.4 GB. */
export function bytes(n: number): string {
  let value = n;
  let i = 0;
  while (Math.abs(value) >= 1000 && i < BYTE_UNITS.length - 1) {
    value /= 1000;
    i++;
  }
  const digits = Math.abs(value) >= 100 || i === 0 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[i]}`;
}

/** A measured value with its unit, as the agent sent it. */
export function measured(value: unknown, unit: string | null | undefined): string {
  if (typeof value !== 'number') return String(value);
  if (unit === 'bytes') return bytes(value);
  if (unit === 'percent') return `${round(value)} %`;
  if (unit === 's' || unit === 'seconds') return duration(Math.round(value) * 1000);
  return unit && unit !== 'count' ? `${round(value)} ${unit}` : String(round(value));
}

export function round(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 10) / 10;
}

/** A local date and time, short: "20 Jan, 09:30". */
export function when(iso: string | number | null): string {
  if (iso === null) return '—';
  return new Date(iso).toLocaleString(undefined, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}
