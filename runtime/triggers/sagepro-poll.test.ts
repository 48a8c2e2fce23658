/**
 * The Sage Pro poll's idle cost does not grow with the data (issue 11): flowd (in process) on the
 * real sandboxes, the shipped stock flow (alone), a few hundred ICILOC rows and matching X-Cart products.
 * Once synced, a poll where nothing changed reads no row hashes from the store (they are kept in
 * memory between polls), enqueues nothing and makes no HTTP request; a change is found, pushed with
 * one PUT per product (no GET of the product list: the SKU index is built), and a deleted row is
 * dropped from the store's hashes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import odbc from 'odbc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/config.js';
import { createLogger } from '../observability/logger.js';
import { createSageProSandbox, sageproYaml, sandboxLayout, seedInventoryScale } from '../sandbox/sagepro/database.js';
import { startXcartSandbox, type XcartSandbox } from '../sandbox/xcart/server.js';
import { startService, type Service } from '../service.js';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { waitFor } from '../../test/e2e/harness.js';

const MAPPINGS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../mappings');

/** The shipped stock flow alone, built (the other flows' polls are not what this test is about). */
function buildStockFlow(root: string): string {
  const src = path.join(root, 'mappings');
  fs.cpSync(MAPPINGS, src, { recursive: true, filter: (p) => !p.startsWith(path.join(MAPPINGS, 'tests')) && (!p.endsWith('.flow') || p.endsWith('inventory-to-xcart.flow')) });
  const build = buildProgram(createProgram([src]));
  if (build.typeErrors.length) throw new Error(build.typeErrors.join('\n'));
  writeBuild(build, path.join(root, 'flows'));
  return path.join(root, 'flows');
}

const ITEMS = 150;
const SCOPE = 'sagepro:InventoryToXCart:InventoryLevel';

describe('sagepro poll at rest', () => {
  let dir = '';
  let xc: XcartSandbox;
  let svc: Service;
  let db: odbc.Connection;
  const total = () => [...xc.requests.values()].reduce((a, b) => a + b, 0);
  const puts = () => [...xc.requests].filter(([k]) => k.startsWith('PUT /api/products/')).reduce((a, [, n]) => a + n, 0);
  const drained = async () => (await svc.store.status()).queueDepth === 0;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-poll-idle-'));
    const sage = await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db') });
    db = await odbc.connect(sage.dsn);
    await seedInventoryScale(db, sandboxLayout('standard'), { count: ITEMS, location: 'MAIN' });
    xc = await startXcartSandbox({ port: 0, stateDir: path.join(dir, 'xcart'), products: ITEMS, persist: 'on-close' });
    fs.writeFileSync(path.join(dir, 'dsn'), sage.dsn);
    const config = parseConfig([
      'http: { host: 127.0.0.1, port: 0 }',
      'store: { path: flowd.db }',
      `flows: { dir: ${JSON.stringify(buildStockFlow(dir))} }`,
      'connections:',
      `  xcart: { base_url: "${xc.url}", token: { value: ${xc.writeToken} }, rate_per_second: 1000, concurrency: 4 }`,
      ...sageproYaml(sage.profile, sage.siteConfig, ['dsn: { file: dsn }']),
      'triggers: { xcart_poll: { enabled: false }, sagepro_poll: { every: 1h } }',
    ].join('\n'), 'connect.yaml', {}, { baseDir: dir });
    // Polls run at start and then only when the test asks (pollAll).
    svc = await startService(config, { logger: createLogger({ level: 'silent', name: 'flowd' }), sageproEveryMs: 3_600_000 });
    await waitFor('the first sync', async () => (await svc.store.countRowHashes(SCOPE)) >= ITEMS && await drained(), 60_000);
  }, 120_000);
  afterAll(async () => {
    await svc?.stop();
    await db?.close();
    await xc?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an unchanged poll reads no stored hashes, enqueues nothing and makes no HTTP request', async () => {
    let storedRowsRead = 0;
    const get = svc.store.getRowHashes.bind(svc.store);
    svc.store.getRowHashes = async (scope: string) => { const m = await get(scope); storedRowsRead += m.size; return m; };
    const before = total();
    for (let i = 0; i < 3; i++) expect(await svc.sageproPoller.pollAll()).toBe(0);
    expect(await drained()).toBe(true);
    expect(storedRowsRead).toBe(0);
    expect(total() - before).toBe(0);
  });

  it('a change costs one PUT per product and no GET of the product list; a deleted row leaves the stored hashes', async () => {
    const listGets = xc.requests.get('GET /api/products') ?? 0;
    const putsBefore = puts();
    await db.query("UPDATE iciloc SET LONHAND = LONHAND + 1000 WHERE ITEM IN ('BENCH-0000010  ', 'BENCH-0000020  ')");
    await db.query("DELETE FROM iciloc WHERE ITEM = 'BENCH-0000030  '");
    const hashesBefore = await svc.store.countRowHashes(SCOPE);
    expect(await svc.sageproPoller.pollAll()).toBe(2);
    await waitFor('the two pushes', drained, 30_000);
    expect(puts() - putsBefore).toBe(2);
    expect(xc.requests.get('GET /api/products') ?? 0).toBe(listGets);
    const amount = (sku: string) => xc.state.data.products.find((p) => p.sku === sku)!.amount;
    expect([amount('BENCH-0000010'), amount('BENCH-0000020')]).toEqual([1010, 1020]);
    expect(await svc.store.countRowHashes(SCOPE)).toBe(hashesBefore - 1);
    // And at rest again.
    const before = total();
    expect(await svc.sageproPoller.pollAll()).toBe(0);
    expect(total() - before).toBe(0);
  });
});
