/**
 * Issue 11, idle: an idle worker backs off to `idleMaxMs` between empty leases (each is a store
 * transaction), and an enqueue announced by `wake()` is still picked up at once. Counts, not
 * timings: over the same window a machine under load can only lease less often, never more.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { tempDir } from '../store/test-support/helpers.js';
import { Engine } from './engine.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

function countingStore(): { store: Store; leases: () => number } {
  const tmp = tempDir('engine-idle-');
  const real = SqliteStore.open(tmp.file('flowd.db'));
  cleanups.push(() => tmp.cleanup(), () => real.close());
  let n = 0;
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'lease') return (...args: Parameters<Store['lease']>) => { n++; return target.lease(...args); };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { store, leases: () => n };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an idle engine', () => {
  it('leases at most about once per idleMaxMs per worker once backed off', async () => {
    const { store, leases } = countingStore();
    const engine = new Engine({ store, flows: new Map(), connectors: {} as never, workers: 2, idleMaxMs: 1000 });
    engine.start();
    cleanups.push(() => engine.stop());
    await sleep(1500); // back-off: 10, 20, ... 640 ms, then 1000 ms
    const before = leases();
    await sleep(3000);
    const during = leases() - before;
    // 2 workers, 3 s at one lease per second each: at most 8 (with slack for the edges); at the
    // old fixed 250 ms ceiling it would be about 24.
    expect(during).toBeLessThanOrEqual(8);
    expect(during).toBeGreaterThan(0);
  });

  it('a wake() makes the sleeping workers lease at once', async () => {
    const { store, leases } = countingStore();
    const engine = new Engine({ store, flows: new Map(), connectors: {} as never, workers: 2, idleMaxMs: 60_000 });
    engine.start();
    cleanups.push(() => engine.stop());
    await sleep(1500);
    const before = leases();
    engine.wake();
    await sleep(100);
    expect(leases() - before).toBeGreaterThanOrEqual(2);
  });
});
