import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { N0, newNotification, type TempOutbox, tempOutbox } from '../fixtures/notifications.js';
import { SqliteStore } from './sqlite.js';
import { SqliteOutbox } from './sqlite-outbox.js';

let t: TempOutbox;
beforeEach(() => {
  t = tempOutbox();
});
afterEach(async () => {
  await t.close();
});

const LEASE = 60_000;

describe('SqliteOutbox', () => {
  it('queues a notification once per idempotency key and gives it back whole', () => {
    const n = newNotification({
      channel_issue: { channel: 'x', failing_since: N0, consecutive_failures: 3, last_error: 'e', recovered_at: null },
    });
    expect(t.outbox.insert([n], N0)).toBe(1);
    expect(t.outbox.insert([n, newNotification({ idempotency_key: 'other' })], N0 + 1)).toBe(1);
    const stored = t.outbox.byKey(n.idempotency_key);
    expect(stored).toMatchObject({ ...n, status: 'queued', attempts: 0, next_attempt_at: N0, claimed_until: null });
    expect(stored?.id).toMatch(/^nt_[A-Za-z0-9_-]{16}$/);
    expect(t.outbox.stats()).toEqual({ queued: 2, sending: 0, delivered: 0, failed: 0 });
  });

  it('queues nothing when the alert transaction that wrote it rolls back', () => {
    const tx = t.store.db.transaction(() => {
      t.outbox.insert([newNotification()], N0);
      throw new Error('alert update failed');
    });
    expect(() => tx()).toThrow('alert update failed');
    expect(t.outbox.stats().queued).toBe(0);
  });

  it('claims due rows oldest first, leaves future ones, and counts the claim as an attempt', () => {
    t.outbox.insert([newNotification({ idempotency_key: 'late', created_at: N0 + 5 })], N0 + 5);
    t.outbox.insert([newNotification({ idempotency_key: 'early' })], N0);
    t.outbox.insert([newNotification({ idempotency_key: 'future' })], N0 + 10_000);
    const claimed = t.outbox.claim(N0 + 100, 10, LEASE);
    expect(claimed.map((r) => r.idempotency_key)).toEqual(['early', 'late']);
    expect(claimed[0]).toMatchObject({ status: 'sending', attempts: 1, claimed_until: N0 + 100 + LEASE });
    expect(t.outbox.claim(N0 + 200, 10, LEASE)).toEqual([]);
    expect(t.outbox.claim(N0 + 10_000, 1, LEASE).map((r) => r.idempotency_key)).toEqual(['future']);
  });

  it('claims a row again, with the same key, once a crashed sender’s lease ran out', () => {
    t.outbox.insert([newNotification()], N0);
    const [first] = t.outbox.claim(N0, 10, LEASE);
    expect(t.outbox.claim(N0 + LEASE - 1, 10, LEASE)).toEqual([]);
    const [again] = t.outbox.claim(N0 + LEASE, 10, LEASE);
    expect(again).toMatchObject({ id: first?.id, idempotency_key: first?.idempotency_key, attempts: 2 });
  });

  it('renews a claim only for the holder of that claim', () => {
    t.outbox.insert([newNotification()], N0);
    const [row] = t.outbox.claim(N0, 10, LEASE);
    expect(t.outbox.renew(row!.id, N0 + LEASE, N0 + 2 * LEASE)).toBe(true);
    expect(t.outbox.renew(row!.id, N0 + LEASE, N0 + 3 * LEASE)).toBe(false);
  });

  it('moves a row through retry, postpone, delivered and failed, and counts per channel', () => {
    t.outbox.insert(
      [
        newNotification({ idempotency_key: 'a' }),
        newNotification({ idempotency_key: 'b' }),
        newNotification({ idempotency_key: 'c', channel: 'ops-hook' }),
      ],
      N0,
    );
    const [a, b, c] = t.outbox.claim(N0, 10, LEASE);
    expect(t.outbox.retry(a!.id, N0, N0 + 30_000, 'HTTP 500')).toBe(true);
    expect(t.outbox.get(a!.id)).toMatchObject({
      status: 'queued',
      next_attempt_at: N0 + 30_000,
      last_error: 'HTTP 500',
    });
    expect(t.outbox.postpone(b!.id, N0 + 30_000)).toBe(true);
    expect(t.outbox.get(b!.id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(t.outbox.failed(c!.id, N0, 'HTTP 404')).toBe(true);
    expect(t.outbox.retry(c!.id, N0, N0, 'late')).toBe(false);
    const [again] = t.outbox.claim(N0 + 30_000, 1, LEASE);
    expect(t.outbox.delivered(again!.id, N0 + 30_001)).toBe(true);
    expect(t.outbox.get(again!.id)).toMatchObject({ status: 'delivered', delivered_at: N0 + 30_001, attempts: 2 });
    expect(t.outbox.statsByChannel()).toEqual([
      { channel: 'ops-hook', queued: 0, sending: 0, delivered: 0, failed: 1 },
      { channel: 'ops-mail', queued: 1, sending: 0, delivered: 1, failed: 0 },
    ]);
    expect(t.outbox.list({ status: 'failed' }).map((r) => r.idempotency_key)).toEqual(['c']);
    expect(t.outbox.prune(N0 + 1)).toBe(2);
    expect(t.outbox.stats()).toEqual({ queued: 1, sending: 0, delivered: 0, failed: 0 });
  });

  it('keeps the run of a channel’s failures from its first failure until a success', () => {
    t.outbox.recordChannelFailure('ops-hook', N0, 'HTTP 500');
    t.outbox.recordChannelFailure('ops-hook', N0 + 1000, 'HTTP 502');
    t.outbox.markChannelAlerted('ops-hook', N0 + 1000);
    expect(t.outbox.channelHealthOf('ops-hook')).toMatchObject({
      consecutive_failures: 2,
      failing_since: N0,
      last_error: 'HTTP 502',
      alerted_at: N0 + 1000,
    });
    const before = t.outbox.recordChannelSuccess('ops-hook', N0 + 2000);
    expect(before).toMatchObject({ consecutive_failures: 2, alerted_at: N0 + 1000 });
    expect(t.outbox.channelHealth()).toEqual([
      {
        channel: 'ops-hook',
        consecutive_failures: 0,
        failing_since: null,
        last_error: 'HTTP 502',
        last_success_at: N0 + 2000,
        alerted_at: null,
      },
    ]);
  });

  it('keeps queued rows across a reopen of the database file', async () => {
    t.outbox.insert([newNotification()], N0);
    await t.store.close();
    const reopened = SqliteStore.open(t.dir);
    try {
      expect(new SqliteOutbox(reopened.db).claim(N0, 10, LEASE)).toHaveLength(1);
    } finally {
      await reopened.close();
    }
  });
});
