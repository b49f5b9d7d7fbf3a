// How rule summaries say durations and clock times, so every alert reads alike at 3 a.m.:
// "14 min", "27.5 h", "8 days"; "09:12 UTC" today, "2025-01-05 09:12 UTC" before.

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Truncated, never rounded up: 25.96 h must not read "26 h" next to "older than 26 h". */
function oneDecimal(n: number): string {
  const t = Math.floor(n * 10) / 10;
  return Number.isInteger(t) ? String(t) : t.toFixed(1);
}

export function sayDuration(ms: number): string {
  const d = Math.max(0, ms);
  if (d < MINUTE) return `${Math.floor(d / 1000)} s`;
  if (d < HOUR) return `${Math.floor(d / MINUTE)} min`;
  if (d < 72 * HOUR) return `${oneDecimal(d / HOUR)} h`;
  const days = oneDecimal(d / DAY);
  return `${days} day${days === '1' ? '' : 's'}`;
}

/** UTC: the collector, the host and the reader may each be in another time zone. */
export function sayClock(ms: number, now: number): string {
  const iso = new Date(ms).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `${sameDay ? iso.slice(11, 16) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`} UTC`;
}

/** "1 agent", "3 agents". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Tue 8 Dec 01:12 UTC": a moment that may be hours or days back, with its day. */
export function sayDay(ms: number): string {
  const d = new Date(ms);
  const hhmm = d.toISOString().slice(11, 16);
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${hhmm} UTC`;
}
