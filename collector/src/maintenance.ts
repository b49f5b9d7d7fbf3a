// Time-driven storage work on a timer: hourly rollups of closed hours, then retention pruning.
// The clock is injected so tests can run months of maintenance in milliseconds.
import type { Logger } from 'pino';
import type { Retention, Store } from './store/store.js';

export const MAINTENANCE_INTERVAL_MS = 5 * 60_000;

export interface Maintenance {
  /** One rollup + prune pass; resolves when done. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/** Other tables' retention (alert history, delivered notifications): rows pruned by kind. */
export type ExtraPrune = (now: number, retention: Retention) => Record<string, number>;

export function startMaintenance(opts: {
  store: Store;
  retention: Retention;
  logger: Logger;
  extraPrune?: ExtraPrune;
  now?: () => number;
  intervalMs?: number;
}): Maintenance {
  const now = opts.now ?? Date.now;
  let running: Promise<void> = Promise.resolve();
  const pass = async () => {
    try {
      const at = now();
      const hours = await opts.store.rollup(at, opts.retention.rawMs);
      const pruned = await opts.store.prune(at, opts.retention);
      const extra = opts.extraPrune?.(at, opts.retention) ?? {};
      if (hours > 0 || pruned.reports > 0 || pruned.rollups > 0 || Object.values(extra).some((n) => n > 0)) {
        const counts = Object.fromEntries(Object.entries(extra).map(([k, n]) => [`pruned_${k}`, n]));
        opts.logger.info(
          { rollup_hours: hours, pruned_reports: pruned.reports, pruned_rollups: pruned.rollups, ...counts },
          'maintenance',
        );
      }
    } catch (error) {
      // A failed pass is retried on the next tick; ingest must not stop because of it.
      opts.logger.error({ err: error }, 'maintenance failed');
    }
  };
  const runOnce = () => {
    running = running.then(pass);
    return running;
  };
  const timer = setInterval(runOnce, opts.intervalMs ?? MAINTENANCE_INTERVAL_MS);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
