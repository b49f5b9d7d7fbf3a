// The runner, with fake check kinds: timeouts, throwing checks, empty results and concurrency
// all end as results (UNKNOWN with a reason), never as a crash or a held-up run.
import { setTimeout as sleep } from 'node:timers/promises';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { type CheckContext, type CheckKind, type CheckOutcome, defineCheck } from './checks/check.js';
import type { ConfiguredCheck } from './config.js';
import { runCheck, runChecks } from './runner.js';

const OK: CheckOutcome = { target: '', status: 'OK', values: { x: { value: 1, unit: 'count' } }, message: 'fine' };

function fakeKind(run: (options: Record<string, unknown>, ctx: CheckContext) => Promise<CheckOutcome[]>): CheckKind {
  return defineCheck({
    kind: 'command',
    summary: 'a fake check for runner tests',
    options: { level: Type.Number({ default: 1 }) },
    defaultInterval: '60s',
    defaultTimeout: '10s',
    run,
  }) as unknown as CheckKind;
}

function configured(id: string, kind: CheckKind, timeoutMs = 1000, enabled = true): ConfiguredCheck {
  return { id, kind, options: { level: 7 }, intervalMs: 60_000, timeoutMs, enabled };
}

const never = fakeKind(() => new Promise<CheckOutcome[]>(() => {}));

describe('runCheck', () => {
  it('cuts off a check that never finishes after its timeout, as UNKNOWN', async () => {
    const started = performance.now();
    const [result, ...rest] = await runCheck(configured('hung', never, 200));
    const elapsed = performance.now() - started;
    expect(rest).toEqual([]);
    expect(result).toMatchObject({ check: 'hung', status: 'UNKNOWN', target: '', values: {} });
    expect(result?.message).toBe('did not finish within 0.2 s and was cut off');
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(700);
  });

  it('aborts the signal it gave the check when the time is up', async () => {
    let signal: AbortSignal | undefined;
    const kind = fakeKind(async (_o, ctx) => {
      signal = ctx.signal;
      await sleep(10_000, undefined, { signal: ctx.signal });
      return [OK];
    });
    const [result] = await runCheck(configured('sleepy', kind, 300));
    expect(signal?.aborted).toBe(true);
    // The check's own AbortError is not mistaken for "could not run".
    expect(result?.message).toBe('did not finish within 0.3 s and was cut off');
  });

  it('reports a check that throws as UNKNOWN "could not run" with the reason', async () => {
    const kind = fakeKind(async () => {
      throw new Error('smartctl exploded');
    });
    const [result] = await runCheck(configured('boom', kind));
    expect(result).toMatchObject({ status: 'UNKNOWN', message: 'could not run: smartctl exploded' });
  });

  it('also catches a check that throws before returning a promise, or rejects with a non-Error', async () => {
    const sync = fakeKind(() => {
      throw new Error('no promise at all');
    });
    expect((await runCheck(configured('sync', sync)))[0]?.message).toBe('could not run: no promise at all');
    const odd = fakeKind(() => Promise.reject('just a string'));
    expect((await runCheck(configured('odd', odd)))[0]?.message).toBe('could not run: just a string');
  });

  it('turns an empty result list into UNKNOWN rather than silence', async () => {
    const [result] = await runCheck(
      configured(
        'empty',
        fakeKind(async () => []),
      ),
    );
    expect(result).toMatchObject({ status: 'UNKNOWN', message: 'the check produced no result' });
  });

  it('stamps results with the check id, kind, injected clock and duration', async () => {
    const results = await runCheck(
      configured(
        'two-disks',
        fakeKind(async () => [
          { ...OK, target: '/' },
          { target: '/data', status: 'WARNING', values: {}, message: 'filling' },
        ]),
      ),
      { now: () => 1_700_000_000_123 },
    );
    expect(results).toEqual([
      {
        check: 'two-disks',
        kind: 'command',
        target: '/',
        status: 'OK',
        values: { x: { value: 1, unit: 'count' } },
        message: 'fine',
        ts: 1_700_000_000_123,
        duration_ms: expect.any(Number),
      },
      expect.objectContaining({ check: 'two-disks', target: '/data', status: 'WARNING', ts: 1_700_000_000_123 }),
    ]);
    expect(results[0]?.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('passes the options, timeout and platform to the check', async () => {
    let seen: { options: unknown; timeoutMs: number; platform: string; now: number } | undefined;
    const kind = fakeKind(async (options, ctx) => {
      seen = { options, timeoutMs: ctx.timeoutMs, platform: ctx.platform, now: ctx.now() };
      return [OK];
    });
    await runCheck(configured('ctx', kind, 4321), { platform: 'win32', now: () => 42 });
    expect(seen).toEqual({ options: { level: 7 }, timeoutMs: 4321, platform: 'win32', now: 42 });
  });
});

describe('runChecks', () => {
  it('runs checks concurrently: a slow check does not delay a fast one', async () => {
    const fast = fakeKind(async () => [OK]);
    const started = performance.now();
    const results = await runChecks([configured('slow', never, 400), configured('fast', fast)]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(900);
    const byId = new Map(results.map((r) => [r.check, r]));
    expect(byId.get('slow')?.status).toBe('UNKNOWN');
    expect(byId.get('fast')?.status).toBe('OK');
    expect(byId.get('fast')?.duration_ms).toBeLessThan(100);
  });

  it('keeps one check failing from affecting the others', async () => {
    const bad = fakeKind(async () => {
      throw new Error('broken');
    });
    const results = await runChecks([
      configured('bad', bad),
      configured(
        'good',
        fakeKind(async () => [OK]),
      ),
    ]);
    expect(results.map((r) => [r.check, r.status])).toEqual([
      ['bad', 'UNKNOWN'],
      ['good', 'OK'],
    ]);
  });

  it('does not run disabled checks', async () => {
    let runs = 0;
    const counting = fakeKind(async () => {
      runs++;
      return [OK];
    });
    const results = await runChecks([configured('off', counting, 1000, false), configured('on', counting)]);
    expect(runs).toBe(1);
    expect(results.map((r) => r.check)).toEqual(['on']);
  });

  it('returns nothing for no checks', async () => {
    expect(await runChecks([])).toEqual([]);
  });
});
