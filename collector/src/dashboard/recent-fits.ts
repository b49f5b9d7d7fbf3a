// Fresh disk forecasts, kept per (host, check, target, time of its latest result): the disks list
// and each disk chart of one page load, and every refresh until the disk's next sample, share one
// fit instead of reading the same day of reports again.
import type { Forecast } from '../alerting/types.js';

export class RecentFits {
  private readonly fits = new Map<string, Promise<Forecast | undefined>>();

  /** At most `max` fits are kept; the oldest goes first. */
  constructor(private readonly max = 1000) {}

  /** The fit for this disk as of `latestTs`, computed once (concurrent callers wait for the same one). */
  get(
    disk: { agentId: string; check: string; target: string; latestTs: number },
    compute: () => Promise<Forecast | undefined>,
  ): Promise<Forecast | undefined> {
    const key = [disk.agentId, disk.check, disk.target, disk.latestTs].join('\u0000');
    const had = this.fits.get(key);
    if (had) return had;
    const fit = compute();
    this.fits.set(key, fit);
    // A failed read is not remembered: the next request tries again.
    fit.catch(() => this.fits.delete(key));
    while (this.fits.size > this.max) {
      const oldest = this.fits.keys().next().value as string;
      this.fits.delete(oldest);
    }
    return fit;
  }

  get size(): number {
    return this.fits.size;
  }
}
