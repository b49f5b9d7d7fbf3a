// Runs each configured check on its own interval, forever, from the local config alone: the agent
// never needs the collector to know what to check. A run still in progress is never overlapped.
import type { CheckResult } from '@vitals/shared';
import type { Logger } from 'pino';
import type { ConfiguredCheck } from './config.js';
import { runCheck } from './runner.js';

export interface SchedulerOptions {
  checks: ConfiguredCheck[];
  onResults: (results: CheckResult[]) => void;
  log: Logger;
  now?: () => number;
  /** First runs are spread over this window so a fleet restarting together does not spike. */
  startSpreadMs?: number;
}

export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {}

  start(): void {
    const spread = this.options.startSpreadMs ?? 2000;
    for (const check of this.options.checks.filter((c) => c.enabled)) {
      this.schedule(check, Math.floor(Math.random() * Math.min(spread, check.intervalMs)));
    }
  }

  private schedule(check: ConfiguredCheck, delayMs: number): void {
    if (this.stopped) return;
    const planned = Date.now() + delayMs;
    const timer = setTimeout(() => {
      // Plan the next run from this one's planned time, so the interval does not drift.
      const next = Math.max(0, planned + check.intervalMs - Date.now());
      this.schedule(check, next);
      if (this.inFlight.has(check.id)) {
        this.options.log.warn({ check: check.id }, `check ${check.id} is still running; skipped this run`);
        return;
      }
      const run = runCheck(check, { now: this.options.now })
        .then((results) => this.options.onResults(results))
        .catch((error: unknown) => this.options.log.error({ err: error, check: check.id }, 'check run failed'))
        .finally(() => this.inFlight.delete(check.id));
      this.inFlight.set(check.id, run);
    }, delayMs);
    this.timers.set(check.id, timer);
  }

  /** Stops scheduling and waits for runs in progress (each is bounded by its own timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    await Promise.all(this.inFlight.values());
  }
}
