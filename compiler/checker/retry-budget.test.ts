/**
 * `retriesWithin`: the number of retries a `retry for D` budget allows at the full capped delays. It
 * must equal counting them one by one (the reference below), and stay a division once the delay
 * stops growing: `backoff exponential 5s..0s` (a zero cap, typed half-way) counted a 24 h budget
 * 1 ms at a time, 86 million steps, which made `flowc check` and the language server hang for seconds.
 */
import { describe, expect, it } from 'vitest';
import { cappedDelayMs, retriesWithin } from './retry-budget.js';

function reference(r: Parameters<typeof retriesWithin>[0], budgetMs: number): number {
  let total = 0, k = 0;
  for (;;) {
    const d = Math.max(1, cappedDelayMs(r, k + 1));
    if (total + d > budgetMs) return Math.max(1, k);
    total += d; k++;
  }
}

describe('retriesWithin', () => {
  it('equals counting the retries one by one', () => {
    for (const backoff of ['exponential', 'linear', 'fixed'] as const)
      for (const initialMs of [0, 1, 7, 1000])
        for (const maxMs of [0, 1, 50, 3000])
          for (const budgetMs of [0, 1, 999, 5000, 20_000])
            expect([backoff, initialMs, maxMs, budgetMs, retriesWithin({ backoff, initialMs, maxMs }, budgetMs)])
              .toEqual([backoff, initialMs, maxMs, budgetMs, reference({ backoff, initialMs, maxMs }, budgetMs)]);
  });

  it('a zero cap over a 24 h budget is one division (86,400,000 retries of 1 ms), not a count', () => {
    // Counted one by one this loop ran 86 million times; now it returns after two steps.
    let calls = 0;
    const r = { backoff: 'exponential' as const, initialMs: 5000, maxMs: 0 };
    const counting = new Proxy(r, { get(t, p) { if (p === 'maxMs') calls++; return Reflect.get(t, p); } });
    expect(retriesWithin(counting, 86_400_000)).toBe(86_400_000);
    expect(calls).toBeLessThan(10);
  });
});
