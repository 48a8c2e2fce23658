/** Shared helpers for the store's tests: temp database files and an injectable clock. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EnqueueInput } from '../store.js';

export function tempDir(prefix = 'flowd-store-'): { dir: string; file: (name?: string) => string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    file: (name = 'store.db') => path.join(dir, name),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A manual clock: `clock.now()` is what the store sees; `advance(ms)` moves it. */
export class Clock {
  constructor(public t = Date.UTC(2025, 0, 1, 12, 0, 0)) {}
  now = (): number => this.t;
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
}

export function orderEvent(orderId: number | string, updatedAt = '2025-01-01T10:00:00Z', flow = 'OrderToSalesOrder'): EnqueueInput {
  return {
    flow,
    source: 'xcart',
    eventType: 'order.created',
    entityId: String(orderId),
    updatedAt,
    payload: { order_id: Number(orderId), profile_id: 7, note: 'ünïcødé ✓' },
  };
}
