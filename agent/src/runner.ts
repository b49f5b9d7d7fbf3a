// Runs configured checks once, concurrently, each under its own timeout: a hung check reports
// UNKNOWN when its time is up and never holds up the others. A check that throws is UNKNOWN with
// the reason — never a crash, never a false OK.
import type { CheckResult } from '@vitals/shared';
import { toResults, unknownOutcome } from './checks/check.js';
import type { ConfiguredCheck } from './config.js';

export interface RunOptions {
  now?: () => number;
  platform?: NodeJS.Platform;
}

export async function runCheck(check: ConfiguredCheck, options: RunOptions = {}): Promise<CheckResult[]> {
  const now = options.now ?? Date.now;
  const started = now();
  const startedHr = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`timed out after ${check.timeoutMs} ms`));
      resolve('timeout');
    }, check.timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      check.kind.run(check.options as never, {
        now,
        signal: controller.signal,
        timeoutMs: check.timeoutMs,
        platform: options.platform ?? process.platform,
      }),
      timeout,
    ]);
    const outcomes =
      outcome === 'timeout'
        ? [unknownOutcome('', `did not finish within ${formatSeconds(check.timeoutMs)} and was cut off`)]
        : outcome.length > 0
          ? outcome
          : [unknownOutcome('', 'the check produced no result')];
    return toResults({ id: check.id, kind: check.kind.kind }, outcomes, started, performance.now() - startedHr);
  } catch (error) {
    const reason = controller.signal.aborted
      ? `did not finish within ${formatSeconds(check.timeoutMs)} and was cut off`
      : `could not run: ${error instanceof Error ? error.message : String(error)}`;
    return toResults(
      { id: check.id, kind: check.kind.kind },
      [unknownOutcome('', reason)],
      started,
      performance.now() - startedHr,
    );
  } finally {
    clearTimeout(timer);
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

export async function runChecks(checks: ConfiguredCheck[], options: RunOptions = {}): Promise<CheckResult[]> {
  const results = await Promise.all(checks.filter((c) => c.enabled).map((c) => runCheck(c, options)));
  return results.flat();
}
