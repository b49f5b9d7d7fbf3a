import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('commits writes queued within the delay together and resolves each with its own outcome', async () => {
    const transactions: number[][] = [];
    const gc = new GroupCommit<number, number>(
      (items) => {
        transactions.push(items);
        return items.map((i) => i * 10);
      },
      () => 1,
      { maxDelayMs: 5, maxWeight: 100 },
    );
    const outs = await Promise.all([gc.submit(1), gc.submit(2), gc.submit(3)]);
    expect(outs).toEqual([10, 20, 30]);
    expect(transactions).toEqual([[1, 2, 3]]);
  });

  it('commits at once when the queued weight reaches the cap', async () => {
    const transactions: number[][] = [];
    const gc = new GroupCommit<number, number>(
      (items) => {
        transactions.push(items);
        return items;
      },
      (n) => n,
      {
        maxDelayMs: 60_000,
        maxWeight: 10,
      },
    );
    await Promise.all([gc.submit(4), gc.submit(6)]);
    expect(transactions).toEqual([[4, 6]]);
  });

  it('fails only the write that broke the shared transaction', async () => {
    const gc = new GroupCommit<number, number>(
      (items) => {
        if (items.includes(13)) throw new Error('constraint failed');
        return items;
      },
      () => 1,
      { maxDelayMs: 1, maxWeight: 100 },
    );
    const settled = await Promise.allSettled([gc.submit(1), gc.submit(13), gc.submit(2)]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('refuses writes after close', async () => {
    const gc = new GroupCommit<number, number>(
      (items) => items,
      () => 1,
      { maxDelayMs: 1, maxWeight: 10 },
    );
    gc.close();
    await expect(gc.submit(1)).rejects.toThrow(/closed/);
  });
});
