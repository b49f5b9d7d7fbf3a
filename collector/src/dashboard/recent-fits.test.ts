import { describe, expect, it } from 'vitest';
import type { Forecast } from '../alerting/types.js';
import { RecentFits } from './recent-fits.js';

const forecast = { full_at: 2, hours_left: 1 } as Forecast;
const disk = (latestTs: number, target = '/') => ({ agentId: 'ag', check: 'disk', target, latestTs });

describe('RecentFits', () => {
  it('computes a disk fit once until the disk has a newer result', async () => {
    const fits = new RecentFits();
    let computed = 0;
    const compute = async () => {
      computed++;
      return forecast;
    };
    const [a, b] = await Promise.all([fits.get(disk(1), compute), fits.get(disk(1), compute)]);
    expect(a).toBe(forecast);
    expect(b).toBe(forecast);
    expect(computed).toBe(1);
    await fits.get(disk(2), compute);
    expect(computed).toBe(2);
  });

  it('keeps at most `max` fits, dropping the oldest', async () => {
    const fits = new RecentFits(2);
    let computed = 0;
    const compute = async () => {
      computed++;
      return undefined;
    };
    for (const target of ['/a', '/b', '/c']) await fits.get(disk(1, target), compute);
    expect(fits.size).toBe(2);
    await fits.get(disk(1, '/a'), compute);
    expect(computed).toBe(4);
  });

  it('does not remember a failed read', async () => {
    const fits = new RecentFits();
    await expect(fits.get(disk(1), () => Promise.reject(new Error('disk I/O error')))).rejects.toThrow('disk I/O');
    await Promise.resolve();
    expect(await fits.get(disk(1), async () => forecast)).toBe(forecast);
  });
});
