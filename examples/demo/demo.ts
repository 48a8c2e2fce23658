/**
 * `flowd demo [--once] [--state-dir DIR] [--sagepro-profile NAME]`: the order-to-cash cycle on the embedded defaults.
 * Starts the X-Cart sandbox (HTTP on loopback, pushing signed events to flowd) and the Sage Pro
 * sandbox (SQLite through the SQLite3 ODBC driver), compiles the shipped flows, starts flowd, then:
 *   1. places orders in the store → they arrive as sales orders in Sage Pro (lines, allocation, customer);
 *   2. ships one in Sage Pro → the X-Cart order becomes shipped;
 *   3. changes stock in Sage Pro → the X-Cart product follows;
 *   4. places an order with a SKU Sage Pro does not know → it lands in the dead-letter queue with the reason;
 *   5. after a warm-up history it seeds (anomaly-history.ts), places an order 40 times the usual →
 *      flowd writes it with an anomaly warning in its run and sends an alert to the alert URL, which
 *      the demo serves and prints.
 * Each step is checked by reading both systems back. With --once it prints a summary and exits 0
 * only if every step held; otherwise it keeps serving until stopped.
 *
 * On every Sage Pro install profile (runtime/sandbox/sagepro/profiles.ts) the demo is that site: its
 * Sage Pro keys (numbering, default_location, company, modules, attach) go into connect.yaml, its
 * web warehouse (WH1 on minimal) into the site's lookups (`DIR/lookups/web-warehouses.yaml`, a copy
 * of the shipped lookups the flows are compiled with), and the demo's own SQL names the install's
 * tables (`sodata.somast01` on vfp-modules) and warehouse.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { startXcartSandbox } from '../../runtime/sandbox/xcart/server.js';
import { connectSageProSandbox, createSageProSandbox, sandboxProfile, type SandboxProfile } from '../../runtime/sandbox/sagepro/database.js';
import { loadConfig } from '../../runtime/config/config.js';
import { createLogger } from '../../runtime/observability/logger.js';
import { startService, type Service } from '../../runtime/service.js';
import { hashPassword } from '../../runtime/console/auth.js';
import { seedOrderHistory } from './anomaly-history.js';
import { create as createDesigner } from '../../compiler/designer-backend.js';

export interface DemoOptions {
  readonly once: boolean;
  readonly stateDir: string;
  readonly out?: (line: string) => void;
  /** The shipped flows (default: mappings/ of this checkout). */
  readonly mappingsDir?: string;
  /** The Sage Pro sandbox's install profile (runtime/sandbox/sagepro/profiles.ts; default standard). */
  readonly sageproProfile?: string;
}

interface Step { name: string; ok: boolean; detail: string }

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
  });
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function runDemo(o: DemoOptions): Promise<number> {
  const out = o.out ?? ((l: string) => process.stdout.write(l + '\n'));
  const stateDir = path.resolve(o.stateDir);
  fs.mkdirSync(stateDir, { recursive: true });
  const mappings = path.resolve(o.mappingsDir ?? path.join(import.meta.dirname, '..', '..', 'mappings'));
  let profile: SandboxProfile;
  try { profile = sandboxProfile(o.sageproProfile); } catch (e) { out(`flowd demo: --sagepro-profile: ${(e as Error).message}`); return 2; }
  const web = profile.locations.web;
  /** The name the demo's SQL uses for a Sage Pro table on this install. */
  const T = (table: string) => profile.physical(table, 'sqlite');

  // 1. Compile the shipped flows, with the site's lookups: a site whose web warehouse is not the
  //    shipped one (MAIN) lists its own in lookups/web-warehouses.yaml, as a site edits that file.
  let lookupsDir: string | undefined;
  if (web !== 'MAIN') {
    lookupsDir = path.join(stateDir, 'lookups');
    fs.rmSync(lookupsDir, { recursive: true, force: true });
    fs.cpSync(path.join(mappings, 'lookups'), lookupsDir, { recursive: true });
    fs.writeFileSync(path.join(lookupsDir, 'web-warehouses.yaml'),
      `# Written by \`flowd demo --sagepro-profile ${profile.name}\`: this site's web warehouse feeds the store.\nentries:\n  ${JSON.stringify(web)}: true\n`);
    out(`site lookups:     ${lookupsDir} (web warehouse ${web})`);
  }
  const program = createProgram([mappings], lookupsDir ? { lookupsDir } : {});
  if (program.hasErrors) { out('the shipped flows have errors: run flowc check mappings'); return 1; }
  const build = buildProgram(program);
  if (build.typeErrors.length) { out(`internal error: generated code does not type-check:\n${build.typeErrors.join('\n')}`); return 1; }
  const flowsDir = path.join(stateDir, 'flows');
  writeBuild(build, flowsDir);
  out(`compiled ${build.flows.length} flows into ${flowsDir}: ${build.flows.map((f) => f.name).join(', ')}`);

  // 2. The two sandboxes. Tokens and the push secret are kept in the state folder, so a restart reuses them.
  const secretsFile = path.join(stateDir, 'demo-secrets.json');
  const secrets = fs.existsSync(secretsFile) ? JSON.parse(fs.readFileSync(secretsFile, 'utf8')) as Record<string, string>
    : { read: `read-${randomBytes(8).toString('hex')}`, write: `write-${randomBytes(8).toString('hex')}`, push: randomBytes(24).toString('hex') };
  fs.writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
  const sage = await createSageProSandbox({ dbPath: path.join(stateDir, 'sagepro.db'), profile: profile.name });
  fs.writeFileSync(path.join(stateDir, 'sagepro_dsn'), sage.dsn, { mode: 0o600 });
  const flowdPort = await freePort();
  const xc = await startXcartSandbox({ port: 0, stateDir, readToken: secrets.read, writeToken: secrets.write,
    push: { url: `http://127.0.0.1:${flowdPort}/hooks/xcart`, secret: secrets.push! } });
  out(`X-Cart sandbox:   ${xc.url}  (pushes signed events to flowd)`);
  out(`Sage Pro sandbox: ${sage.dsn}  (profile ${sage.profile})`);

  // The alert channel: connect.yaml's alerts.url, served here (flowd POSTs each alert as JSON).
  const alerts: { message: string; [k: string]: unknown }[] = [];
  const alertServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => { try { alerts.push(JSON.parse(body) as { message: string }); } catch { /* not JSON: ignored */ } res.writeHead(204).end(); });
  });
  await new Promise<void>((r) => alertServer.listen(0, '127.0.0.1', r));
  const alertUrl = `http://127.0.0.1:${(alertServer.address() as net.AddressInfo).port}/alerts`;
  const closeAlerts = () => new Promise<void>((r) => alertServer.close(() => r()));

  // 3. flowd on its embedded defaults, configured through a connect.yaml like any deployment.
  const configFile = path.join(stateDir, 'connect.yaml');
  fs.writeFileSync(configFile, [
    '# Written by `flowd demo`. Secrets are references: the values are in the environment / files.',
    `http: { host: 127.0.0.1, port: ${flowdPort} }`,
    'store: { kind: sqlite, path: flowd.db }',
    'flows: { dir: flows }',
    'connections:',
    `  xcart: { base_url: "${xc.url}", token: { env: CONNECT_DEMO_XCART_TOKEN }, rate_per_second: 50, concurrency: 4 }`,
    // The profile's Sage Pro keys (numbering, default_location, modules, attach...), for every profile:
    // the connector invents no numbering, so even the standard profile's SYSDATA rule is written out.
    '  sagepro:', '    dsn: { file: sagepro_dsn }', '    concurrency: 2',
    ...Object.entries(sage.siteConfig).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`),
    'triggers:',
    '  xcart_poll: { every: 1s }',
    '  push: { enabled: true, secret: { env: CONNECT_DEMO_PUSH_SECRET }, tolerance: 300s }',
    '  sagepro_poll: { every: 1s }',
    'workers: { count: 4, lease: 30s }',
    `alerts: { url: "${alertUrl}" }`,
    `log: { level: ${process.env.FLOWD_LOG_LEVEL ?? 'info'}, file: flowd.log }`,
    '',
  ].join('\n'));
  const config = loadConfig(configFile, { ...process.env, CONNECT_DEMO_XCART_TOKEN: secrets.write, CONNECT_DEMO_PUSH_SECRET: secrets.push! });
  const logger = createLogger({ level: config.log.level, file: path.join(stateDir, 'flowd.log'), name: 'flowd', secrets: config.secrets.map((s) => s.reveal()) });
  const svc = await startService(config, { logger, sageproEveryMs: 1000, designer: createDesigner() });
  out(`flowd:            ${svc.url}  (metrics ${svc.url}/metrics, health ${svc.url}/healthz, log ${path.join(stateDir, 'flowd.log')})`);
  // The operations console's demo login: user `demo`, role operator, a new random password each run.
  const demoPassword = randomBytes(9).toString('base64url');
  const demoHash = await hashPassword(demoPassword);
  if (!(await svc.store.console.createUser({ name: 'demo', role: 'operator', passwordHash: demoHash }))) await svc.store.console.updateUser('demo', { passwordHash: demoHash, role: 'operator' });
  const consoleLine = `console: ${svc.url}/console  (log in as demo / ${demoPassword}, role operator; more users: flowd user add NAME --role viewer|operator|admin --state-dir ${stateDir})`;
  out(consoleLine);

  const steps: Step[] = [];
  const step = async (name: string, fn: () => Promise<string>) => {
    try { const detail = await fn(); steps.push({ name, ok: true, detail }); out(`  ✓ ${name}: ${detail}`); }
    catch (e) { steps.push({ name, ok: false, detail: (e as Error).message }); out(`  ✗ ${name}: ${(e as Error).message}`); }
  };
  const api = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(xc.url + p, { method, headers: { 'X-Auth-Token': secrets.write!, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (!r.ok) throw new Error(`${method} ${p}: HTTP ${r.status} ${await r.text()}`);
    return r.json() as Promise<Record<string, unknown>>;
  };
  const db = await connectSageProSandbox(sage);
  try {
    out('\nscenario:');
    // Step 1: orders become sales orders.
    const placed: Record<string, unknown>[] = [];
    await step('orders placed in the store become sales orders in Sage Pro', async () => {
      const carts = [
        { email: 'orders@acme.example', items: [{ sku: 'WIDGET-100', amount: 2 }, { sku: 'CABLE-USB-C', amount: 3 }], payment_status: 'P' },
        { email: 'new.shopper@example.com', items: [{ sku: 'MOUSE-WL', amount: 1 }], payment_status: 'P' },
        { email: 'bill@initech.example', items: [{ sku: 'WIDGET-200', amount: 4 }, { sku: 'DOCK-USB4', amount: 1 }, { sku: 'SSD-1TB', amount: 2 }], payment_status: 'Q' },
      ];
      for (const c of carts) placed.push(await api('POST', '/sandbox/orders', c));
      const lines: string[] = [];
      for (const [i, order] of placed.entries()) {
        const so = await waitFor(`sales order for X-Cart order ${String(order.id)}`, async () => (await svc.sagepro.findSalesOrderByRef(`XC-${String(order.id)}`)) as Record<string, unknown> | null);
        const soLines = so.lines as unknown[];
        if (soLines.length !== carts[i]!.items.length) throw new Error(`order ${String(order.id)}: ${soLines.length} lines in Sage Pro, ${carts[i]!.items.length} in the store`);
        lines.push(`#${String(order.order_number)} → SO ${String(so.number)} (${String(so.customer)}, ${soLines.length} lines)`);
      }
      const [alloc] = await db.query<{ A: number }>(`SELECT LSOALOC AS A FROM ${T('ICILOC')} WHERE TRIM(ITEM) = 'WIDGET-200' AND TRIM(LOCTID) = ?`, [web]);
      if (!alloc || !(Number(alloc.A) >= 4)) throw new Error(`WIDGET-200 allocation at ${web} is ${alloc ? String(alloc.A) : 'missing (no ICILOC row)'}, expected at least 4`);
      return `${lines.join('; ')}; WIDGET-200 allocated ${String(alloc.A)} at ${web}`;
    });

    // Step 2: ship one in Sage Pro; the X-Cart order follows.
    await step('an order shipped in Sage Pro becomes shipped in X-Cart', async () => {
      const order = placed[0];
      if (!order) throw new Error('no order to ship');
      const so = (await svc.sagepro.findSalesOrderByRef(`XC-${String(order.id)}`)) as Record<string, unknown>;
      const sono = String(so.number);
      // What Sage Pro's shipping does: shipped quantities, shipped amount, tracking number.
      await db.query(`UPDATE ${T('SOTRAN')} SET QTYSHP = QTYORD WHERE TRIM(SONO) = ?`, [sono]);
      await db.query(`UPDATE ${T('SOMAST')} SET SHPAMT = ORDAMT, SOTRACK = '1Z999AA10123456784', SHIPVIA = 'UPSG' WHERE TRIM(SONO) = ?`, [sono]);
      const shipped = await waitFor('X-Cart shipping status S', async () => {
        const o = await api('GET', `/api/orders/${String(order.id)}`);
        return (o.shipping_status as { code?: string } | null)?.code === 'S' ? o : null;
      });
      return `SO ${sono} shipped → X-Cart order #${String(shipped.order_number)} shipping status ${String((shipped.shipping_status as { code: string }).code)}`;
    });

    // Step 3: stock follows Sage Pro.
    await step('stock changed in Sage Pro is followed by X-Cart', async () => {
      await db.query(`UPDATE ${T('ICILOC')} SET LONHAND = LONHAND + 25 WHERE TRIM(ITEM) = 'GADGET-310' AND TRIM(LOCTID) = ?`, [web]);
      const level = (await svc.sagepro.inventoryLevel('GADGET-310', web)) as { available: number } | null;
      if (!level) throw new Error(`GADGET-310 has no stock row at ${web}`);
      const want = Math.max(0, Math.floor(level.available));
      const product = await waitFor(`X-Cart stock ${want} for GADGET-310`, async () => {
        for (let page = 1; page < 10; page++) {
          const r = await fetch(`${xc.url}/api/products?page=${page}&itemsPerPage=100`, { headers: { 'X-Auth-Token': secrets.read! } });
          const list = await r.json() as { sku: string; amount: number }[];
          const p = list.find((x) => x.sku === 'GADGET-310');
          if (p) return p.amount === want ? p : null;
          if (list.length < 100) break;
        }
        return null;
      });
      return `GADGET-310 available ${want} at ${web} in Sage Pro → X-Cart amount ${product.amount}`;
    });

    // Step 4: an unknown SKU goes to the dead-letter queue with the reason.
    await step('an order with a SKU Sage Pro lacks is dead-lettered with the reason', async () => {
      const bad = await api('POST', '/sandbox/orders', { email: 'orders@acme.example', items: [{ sku: 'POSTER-LTD', amount: 1 }], payment_status: 'P' });
      const dl = await waitFor('a dead-letter entry', async () => (await svc.store.listDeadLetters({ flow: 'OrderToSalesOrder' }))
        .find((d) => d.entityId === String(bad.id) && d.reason.includes('POSTER-LTD')));
      const so = await svc.sagepro.findSalesOrderByRef(`XC-${String(bad.id)}`);
      if (so) throw new Error('a sales order was created anyway');
      return `order #${String(bad.order_number)} → DLQ entry ${dl.id} (${dl.errorClass}): ${dl.reason}`;
    });

    // Step 5: an order 40 times the usual, after a warm-up history seeded from a sales order of step 1.
    await step('an order 40 times an ordinary one is flagged: a warning in its run and an alert', async () => {
      const first = placed[0]!;
      const [run] = await svc.store.console.searchRuns({ flow: 'OrderToSalesOrder', key: String(first.id), outcome: 'done', limit: 1 });
      const call = run && (await svc.store.console.runCalls(run.id)).find((c) => c.kind === 'write' && c.operation === 'sales_orders.create');
      if (!call) throw new Error(`no recorded sales_orders.create of X-Cart order ${String(first.id)}`);
      const seeded = await seedOrderHistory(svc.store, 'OrderToSalesOrder', 'sagepro.sales_orders.create', call.args, 300);
      svc.anomaly.reload('OrderToSalesOrder');
      out(`    (seeded a warm-up history of ${seeded} ordinary orders like #${String(first.order_number)})`);
      const big = await api('POST', '/sandbox/orders', { email: 'orders@acme.example', items: [{ sku: 'WIDGET-100', amount: 80 }, { sku: 'CABLE-USB-C', amount: 120 }], payment_status: 'P' });
      const alert = await waitFor('an anomaly alert', async () => alerts.find((a) => a.message.includes('anomaly') && a.jobId !== undefined && String(a.message).includes('OrderToSalesOrder')));
      const so = await waitFor(`sales order for X-Cart order ${String(big.id)}`, async () => svc.sagepro.findSalesOrderByRef(`XC-${String(big.id)}`));
      const [flagged] = await svc.store.console.searchRuns({ flow: 'OrderToSalesOrder', key: String(big.id), anomaly: true, limit: 1 });
      if (!flagged) throw new Error(`the run of order ${String(big.id)} has no anomaly warning`);
      out(`    alert received at ${alertUrl}: ${alert.message}`);
      return `order #${String(big.order_number)} → SO ${String((so as Record<string, unknown>).number)}, written (the shipped flow does not say hold when anomaly), run ${flagged.id} marked in the console (Runs → Anomalies only)`;
    });
  } finally {
    await db.close();
  }

  const held = steps.filter((s) => s.ok).length;
  const status = await svc.store.status();
  out(`\nsummary: ${held} of ${steps.length} steps held; queue depth ${status.queueDepth}; dead letters ${status.flows.reduce((n, f) => n + f.deadLettered, 0)}`);
  out(`inspect: flowd dlq list --state-dir ${stateDir}    flowd status --state-dir ${stateDir}`);
  out(consoleLine);
  if (o.once) {
    await svc.stop();
    await xc.close();
    await closeAlerts();
    return held === steps.length ? 0 : 1;
  }
  out(`\nserving until stopped (Ctrl-C). Store: ${xc.url}  flowd: ${svc.url}/metrics`);
  await new Promise<void>((resolve) => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
  await svc.stop();
  await xc.close();
  await closeAlerts();
  return 0;
}

export type { Service };
