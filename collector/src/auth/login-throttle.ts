// Login rate limit: failed logins counted per email and per client address in a sliding window;
// past the limit every attempt is refused (even with the right password) until the window slides.
// In memory: a restart forgets the counts, which costs an attacker a restart they cannot cause.

export interface ThrottleLimits {
  /** Failures per email within the window before that email is refused. */
  perEmail: number;
  /** Failures per client address; higher, as a practice's technicians may share one NAT address. */
  perAddress: number;
  windowMs: number;
  /** Keys remembered at most; the oldest are forgotten first, so a spray of addresses cannot fill memory. */
  maxKeys: number;
  /**
   * Login requests per address per minute, counted before any password is checked (each check costs
   * ~0.1 s of CPU and 32 MiB, so a flood of parallel attempts must not get that far).
   */
  requestsPerMinute: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = {
  perEmail: 5,
  perAddress: 20,
  windowMs: 15 * 60_000,
  maxKeys: 50_000,
  requestsPerMinute: 30,
};

export interface Refusal {
  /** Which limit: 'email' or 'address'. */
  by: 'email' | 'address';
  /** Seconds until the next attempt is counted again (for Retry-After). */
  retryAfterSeconds: number;
}

export class LoginThrottle {
  // key → failure times, oldest first
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limits: ThrottleLimits = DEFAULT_THROTTLE) {}

  /** Whether an attempt for this email from this address is refused at `now`, and for how long. */
  check(email: string, address: string, now: number): Refusal | undefined {
    const byEmail = this.blockedFor(emailKey(email), this.limits.perEmail, now);
    if (byEmail !== undefined) return { by: 'email', retryAfterSeconds: byEmail };
    const byAddress = this.blockedFor(addressKey(address), this.limits.perAddress, now);
    if (byAddress !== undefined) return { by: 'address', retryAfterSeconds: byAddress };
    return undefined;
  }

  /** Counts a failed login; true when this failure reached a limit (the moment worth an audit line). */
  fail(email: string, address: string, now: number): boolean {
    const a = this.add(emailKey(email), now) === this.limits.perEmail;
    const b = this.add(addressKey(address), now) === this.limits.perAddress;
    return a || b;
  }

  /** A successful login clears the email's count (not the address's: a sprayer may know one password). */
  succeed(email: string): void {
    this.failures.delete(emailKey(email));
  }

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const from = now - this.limits.windowMs;
    while (times.length > 0 && (times[0] as number) <= from) times.shift();
    if (times.length === 0) this.failures.delete(key);
    return times;
  }

  private blockedFor(key: string, limit: number, now: number): number | undefined {
    const times = this.recent(key, now);
    if (times.length < limit) return undefined;
    // Free again when enough of the oldest failures have left the window.
    const freeAt = (times[times.length - limit] as number) + this.limits.windowMs;
    return Math.max(1, Math.ceil((freeAt - now) / 1000));
  }

  private add(key: string, now: number): number {
    const times = this.recent(key, now);
    times.push(now);
    // Re-inserted so the map's order is "least recently failed first" for eviction.
    this.failures.delete(key);
    this.failures.set(key, times);
    while (this.failures.size > this.limits.maxKeys) {
      const oldest = this.failures.keys().next().value as string;
      this.failures.delete(oldest);
    }
    return times.length;
  }
}

const emailKey = (email: string) => `e:${email.trim().toLowerCase()}`;
const addressKey = (address: string) => `a:${address}`;
