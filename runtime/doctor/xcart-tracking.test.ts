/**
 * The doctor's tracking check (xcart-tracking.ts) against the X-Cart sandbox over HTTP, with and
 * without the Connect module: ok when the store has it, an error when the configuration needs the
 * module and the store lacks it, an info when tracking numbers are skipped as configured.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXcartSandbox, type XcartSandbox } from '../sandbox/xcart/server.js';
import type { DeployedFlow } from './deployed.js';
import { checkTracking, type TrackingSettings } from './xcart-tracking.js';

let dir: string;
let sb: XcartSandbox;
beforeAll(async () => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doctor-tracking-')); sb = await startXcartSandbox({ port: 0, stateDir: dir }); });
afterAll(async () => { await sb.close(); fs.rmSync(dir, { recursive: true, force: true }); });

const flow = (ops: string[]): DeployedFlow => ({
  name: 'SalesOrderStatusToXCart', source: 'mappings/sales-order-status-to-xcart.flow', trigger: { kind: 'poll', system: 'sagepro', entity: 'SalesOrderStatus' },
  operations: ops.map((o) => ({ operation: o, system: 'xcart' as const, kind: 'write' as const, site: 'x.flow:1:1' })), tables: [], comparisons: [], keyedLookups: [],
} as unknown as DeployedFlow);
const get = async (p: string) => { const r = await fetch(sb.url + p, { headers: { 'x-auth-token': sb.readToken } }); return { status: r.status, body: await r.json().catch(() => null) }; };
const check = (s: TrackingSettings, ops = ['orders.set_tracking', 'orders.set_shipping_status']) =>
  checkTracking([flow(ops)], s, get).then((fs_) => fs_.map((f) => [f.severity, f.message, f.fix]));

describe('flowd doctor: where tracking numbers go', () => {
  it('a store with the module: ok, naming the module and where numbers go', async () => {
    sb.connectModule.installed = true;
    expect(await check({ module: 'auto', tracking: 'auto' })).toEqual([['ok', "the store has the Connect module 5.5.0.0: tracking numbers go to the order's tracking numbers", '']]);
    expect((await check({ module: true, tracking: 'staff_note' }))[0]![1]).toContain("go to the order's staff note");
  });

  it('a store without it: info when skipping is what auto means, an error when the configuration needs the module', async () => {
    sb.connectModule.installed = false;
    const auto = await check({ module: 'auto', tracking: 'auto' });
    expect(auto.map((f) => f[0])).toEqual(['info']);
    expect(auto[0]![1]).toContain('the store has no Connect module (GET /api/connect/module answers 404)');
    for (const s of [{ module: 'auto', tracking: 'module' }, { module: true, tracking: 'auto' }, { module: 'auto', tracking: 'staff_note' }] as TrackingSettings[]) {
      const f = await check(s);
      expect(f.map((x) => x[0]), JSON.stringify(s)).toEqual(['error']);
      expect(f[0]![1]).toContain("X-Cart's own API has no such write");
      expect(f[0]![2]).toContain('install the Connect X-Cart module in the store (xcart-module/README.md)');
    }
    expect((await check({ module: false, tracking: 'module' })).map((f) => f[0])).toEqual(['error']);
    expect((await check({ module: 'auto', tracking: 'skip' })).map((f) => f[0])).toEqual(['info']);
  });

  it('flows that write no tracking are not asked about (no request)', async () => {
    const before = sb.requests.get('GET /api/connect/module') ?? 0;
    expect(await check({ module: true, tracking: 'module' }, ['orders.set_shipping_status'])).toEqual([]);
    expect(sb.requests.get('GET /api/connect/module') ?? 0).toBe(before);
  });
});
