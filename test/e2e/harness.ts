/**
 * End-to-end harness: the real X-Cart sandbox (HTTP on loopback, signed pushes), the real Sage Pro
 * sandbox (SQLite through the SQLite3 ODBC driver), the shipped flows compiled by flowc, and flowd
 * either in this process (`startService`) or as a child process (`node bin/flowd.js serve --config`),
 * always configured through a connect.yaml and reading a real store file.
 *
 * No vitest import here: bench/e2e.bench.ts uses the same harness.
 *
 *   const flows = buildFlows({ fastRetry: true });       // once per file
 *   const env = await E2E.start({ flowsDir: flows });    // sandboxes + connect.yaml
 *   await env.startFlowd();                              // or startFlowd({ child: true })
 *   const orders = await env.placeOrders(50);
 *
 * Every Sage Pro install profile (runtime/sandbox/sagepro/profiles.ts) can be the ERP:
 *   const flows = buildFlows({ sageproProfile: 'minimal' });   // the site's lookups (web warehouse WH1)
 *   const env = await E2E.start({ flowsDir: flows, sageproProfile: 'minimal' });  // its siteConfig in connect.yaml
 *   await env.sql(`SELECT ... FROM ${env.table('SOMAST')}`);   // the install's own table names
 *   await env.waitFor('all sales orders', async () => (await env.tally(orders)).lost === 0);
 */
import fs from 'node:fs';
import { freePort } from '../../examples/demo/demo.js';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type odbc from 'odbc';
import { createProgram } from '../../compiler/program.js';
import { buildProgram, writeBuild } from '../../compiler/emitter/build.js';
import { startXcartSandbox, type XcartSandbox } from '../../runtime/sandbox/xcart/server.js';
import { connectSageProSandbox, createSageProSandbox, insertSandboxRow, PROFILE_NAMES, sageproYaml, sandboxLayout, sandboxProfile, SEED_CUSTOMERS,
  type ProfileName, type SageProSandbox, type TableLayout } from '../../runtime/sandbox/sagepro/database.js';
import { loadConfig } from '../../runtime/config/config.js';
import { createLogger } from '../../runtime/observability/logger.js';
import { startService, type Service } from '../../runtime/service.js';
import { SqliteStore } from '../../runtime/store/sqlite-store.js';
import { openDatabase, type SqlValue } from '../../runtime/store/sqlite-driver.js';
import type { DeadLetterSummary, RunRecord } from '../../runtime/store/store.js';
import { signPush } from '../../runtime/http/push.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAPPINGS = path.join(REPO, 'mappings');

/** SKUs that both sandboxes know (X-Cart product and Sage Pro item stocked at the web warehouse: MAIN, or WH1 in the minimal profile). */
export const KNOWN_SKUS = ['WIDGET-100', 'WIDGET-200', 'GADGET-300', 'CABLE-USB-C', 'CABLE-HDMI', 'MOUSE-WL', 'KEYB-MECH', 'SSD-1TB',
  'RAM-32GB', 'CHARGER-65W', 'STAND-ALU', 'MONITOR-27', 'DOCK-USB4', 'WEBCAM-4K'];
/** Sage Pro customers with an email (not the web customers): an order with that email bills them. */
export const KNOWN_CUSTOMERS = SEED_CUSTOMERS.filter((c) => !c.custno.startsWith('WEB')).map((c) => ({ email: c.email, custno: c.custno }));

/** The shipped policy of OrderToSalesOrder, and the faster one the fault tests compile instead. */
export const SHIPPED_ORDER_POLICY = 'on transient retry for 24h backoff exponential 2s..10m then dead_letter';
export const FAST_ORDER_POLICY = 'on transient retry 12 backoff exponential 200ms..2s then dead_letter';

const tmpRoot = () => fs.mkdtempSync(path.join(os.tmpdir(), 'connect-e2e-'));

/** The Sage Pro install profiles the shipped flows' e2e tests run on (every one of the sandbox's). */
export const SAGEPRO_PROFILE_NAMES: readonly ProfileName[] = PROFILE_NAMES;

/**
 * The lookups/web-warehouses.yaml a site of this profile writes: its web warehouse (MAIN on the
 * standard install, WH1 on the minimal one) is the one whose stock feeds the store.
 */
export function webWarehousesYaml(profile: ProfileName | string): string {
  return `# Written by test/e2e/harness.ts: the web warehouse of a '${profile}' site.\nentries:\n  ${JSON.stringify(sandboxProfile(profile).locations.web)}: true\n`;
}

/**
 * Compiles the shipped flows (mappings/) into a new temp folder and returns it. With `fastRetry`,
 * a copy of mappings/ whose OrderToSalesOrder retries transient errors 12 times from 200 ms to 2 s
 * (instead of for 24 h from 2 s to 10 min, the shipped budget) is compiled instead. With
 * `sageproProfile` (other than standard), a copy whose site lookups are that site's
 * (lookups/web-warehouses.yaml: its web warehouse), as a site edits them.
 */
export function buildFlows(opts: { fastRetry?: boolean; sageproProfile?: ProfileName } = {}): string {
  const root = tmpRoot();
  let src = MAPPINGS;
  const site = opts.sageproProfile && opts.sageproProfile !== 'standard' ? opts.sageproProfile : undefined;
  if (opts.fastRetry || site) {
    src = path.join(root, 'mappings');
    fs.cpSync(MAPPINGS, src, { recursive: true, filter: (p) => !p.startsWith(path.join(MAPPINGS, 'tests')) });
  }
  if (site) fs.writeFileSync(path.join(src, 'lookups', 'web-warehouses.yaml'), webWarehousesYaml(site));
  if (opts.fastRetry) {
    const f = path.join(src, 'order-to-sales-order.flow');
    const text = fs.readFileSync(f, 'utf8');
    if (!text.includes(SHIPPED_ORDER_POLICY)) throw new Error(`${f}: the shipped retry policy changed; update SHIPPED_ORDER_POLICY in test/e2e/harness.ts`);
    fs.writeFileSync(f, text.replace(SHIPPED_ORDER_POLICY, FAST_ORDER_POLICY));
  }
  const program = createProgram([src]);
  if (program.hasErrors) throw new Error(`flows do not check: ${program.diagnostics.map((d) => d.message).join('; ')}`);
  const build = buildProgram(program);
  if (build.typeErrors.length) throw new Error(`generated code does not type-check:\n${build.typeErrors.join('\n')}`);
  const out = path.join(root, 'flows');
  writeBuild(build, out);
  return out;
}

export { freePort };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; throws (naming `what` and the last error) after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try { const v = await fn(); if (v) return v; last = undefined; } catch (e) { last = e; }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

export interface OrderItem { sku: string; amount: number }
export interface PlaceOrder { email: string; items: OrderItem[]; payment_status?: string; shipping_address?: Record<string, unknown> }
/** An order as the X-Cart sandbox returned it. */
export type XOrder = Record<string, unknown> & { id: number; order_number: string; email: string; items: { sku: string; amount: number; price: number }[] };

/** The i-th order of a deterministic mix: known customers and guests, `lines` distinct known SKUs. */
export function orderMix(i: number, lines = 2): PlaceOrder {
  const guest = i % 3 === 2;
  const email = guest ? `guest.${i}.${randomBytes(3).toString('hex')}@example.net` : KNOWN_CUSTOMERS[i % KNOWN_CUSTOMERS.length]!.email;
  const items: OrderItem[] = [];
  for (let k = 0; k < lines; k++) items.push({ sku: KNOWN_SKUS[(i * 7 + k * 3) % KNOWN_SKUS.length]!, amount: 1 + ((i + k) % 3) });
  // distinct SKUs per order (the steps of 3 through 14 SKUs give distinct ones for lines <= 4; dedupe anyway)
  const seen = new Set<string>();
  return { email, items: items.filter((it) => (seen.has(it.sku) ? false : (seen.add(it.sku), true))), payment_status: i % 5 === 4 ? 'Q' : 'P' };
}

export interface Tally { events: number; salesOrders: number; duplicates: number; lost: number; lostRefs: string[]; duplicateRefs: string[] }

export interface E2EOptions {
  /** Output of buildFlows(). */
  flowsDir: string;
  /** Extra `;key=value` pairs for the Sage Pro DSN (e.g. `;NoCreat=1`). */
  dsnExtra?: string;
  /** workers.lease (default 30s). */
  lease?: string;
  workers?: number;
  /** triggers.xcart_poll.every (default 1s). */
  xcartPollEvery?: string;
  sageproConcurrency?: number;
  logLevel?: string;
  /** The X-Cart version the sandbox imitates (default 5.5.0, as the sandbox). */
  xcartVersion?: '5.5.0' | '5.5.1';
  /**
   * The Sage Pro sandbox's install profile (runtime/sandbox/sagepro/profiles.ts, default standard).
   * Its site keys (numbering, default_location, modules, attach ...) go into connect.yaml under
   * `connections.sagepro`; the standard profile's connect.yaml is the one line it always was.
   */
  sageproProfile?: ProfileName;
  /**
   * The runtime store (default: the SQLite file flowd.db in the temp folder). PostgreSQL: connect.yaml
   * says `store: { kind: postgres, url: { env: FLOWD_DATABASE_URL } }` and the variable is set for
   * flowd (this process and a `flowd serve` child). `env.store` is then flowd's own (in-process only).
   */
  store?: { kind: 'postgres'; url: string };
}

/** Two sandboxes, a connect.yaml, and flowd (in-process or child) on them. */
export class E2E {
  readonly dir: string;
  readonly stateDir: string;
  readonly configFile: string;
  readonly storeFile: string;
  readonly dsn: string;
  readonly pushSecret: string;
  readonly flowdPort: number;
  readonly xc: XcartSandbox;
  /** Our own ODBC connection to the Sage Pro database (checks and ERP-side changes), module files attached. */
  readonly db: odbc.Connection;
  /** The Sage Pro sandbox: profile, module files, site keys. */
  readonly sage: SageProSandbox;
  /** Where the profile keeps each table: `table('SOMAST')` is `somast`, or `sodata.somast01` (vfp-modules). */
  readonly layout: TableLayout;
  /** The web store's warehouse in Sage Pro (MAIN; WH1 in the minimal profile). */
  readonly webLocation: string;
  svc: Service | undefined;
  child: ChildProcess | undefined;
  childOutput = '';
  private store_: SqliteStore | undefined;

  private constructor(o: { dir: string; dsn: string; pushSecret: string; flowdPort: number; xc: XcartSandbox; db: odbc.Connection; configFile: string; sage: SageProSandbox }) {
    this.dir = o.dir; this.stateDir = o.dir; this.dsn = o.dsn; this.pushSecret = o.pushSecret; this.flowdPort = o.flowdPort;
    this.xc = o.xc; this.db = o.db; this.configFile = o.configFile; this.storeFile = path.join(o.dir, 'flowd.db');
    this.sage = o.sage; this.layout = sandboxLayout(o.sage.profile); this.webLocation = sandboxProfile(o.sage.profile).locations.web;
  }

  /** The SQL name of a Sage Pro table in this sandbox's profile. */
  table(logical: string): string { return this.layout.physical(logical.toUpperCase()); }

  get flowdUrl(): string { return `http://127.0.0.1:${this.flowdPort}`; }

  static async start(o: E2EOptions): Promise<E2E> {
    const dir = tmpRoot();
    const sage = await createSageProSandbox({ dbPath: path.join(dir, 'sagepro.db'), ...(o.sageproProfile ? { profile: o.sageproProfile } : {}) });
    const dsn = sage.dsn + (o.dsnExtra ?? '');
    const read = `read-${randomBytes(8).toString('hex')}`;
    const write = `write-${randomBytes(8).toString('hex')}`;
    const push = randomBytes(24).toString('hex');
    for (const [f, v] of [['xcart_token', write], ['push_secret', push], ['sagepro_dsn', dsn]] as const) fs.writeFileSync(path.join(dir, f), v, { mode: 0o600 });
    const flowdPort = await freePort();
    const xc = await startXcartSandbox({ port: 0, stateDir: path.join(dir, 'xcart'), readToken: read, writeToken: write,
      push: { url: `http://127.0.0.1:${flowdPort}/hooks/xcart`, secret: push }, ...(o.xcartVersion ? { xcartVersion: o.xcartVersion } : {}) });
    const configFile = path.join(dir, 'connect.yaml');
    if (o.store?.kind === 'postgres') process.env.FLOWD_DATABASE_URL = o.store.url;
    fs.writeFileSync(configFile, [
      '# Written by test/e2e/harness.ts: flowd on its embedded defaults (poll + push), one store file.',
      `http: { host: 127.0.0.1, port: ${flowdPort} }`,
      o.store?.kind === 'postgres' ? 'store: { kind: postgres, url: { env: FLOWD_DATABASE_URL } }' : 'store: { kind: sqlite, path: flowd.db }',
      `flows: { dir: ${JSON.stringify(o.flowsDir)} }`,
      'connections:',
      `  xcart: { base_url: "${xc.url}", token: { file: xcart_token }, rate_per_second: 50, concurrency: 4 }`,
      ...sageproYaml(sage.profile, sage.siteConfig, ['dsn: { file: sagepro_dsn }', `concurrency: ${o.sageproConcurrency ?? 2}`]),
      'triggers:',
      `  xcart_poll: { every: ${o.xcartPollEvery ?? '1s'} }`,
      '  push: { enabled: true, secret: { file: push_secret }, tolerance: 300s }',
      '  sagepro_poll: { every: 1s }',
      `workers: { count: ${o.workers ?? 4}, lease: ${o.lease ?? '30s'} }`,
      `log: { level: ${o.logLevel ?? 'info'}, file: flowd.log }`,
      '',
    ].join('\n'));
    const db = await connectSageProSandbox({ dsn, attach: sage.attach });
    return new E2E({ dir, dsn, pushSecret: push, flowdPort, xc, db, configFile, sage });
  }

  // ------------------------------------------------------------------ flowd

  /** Starts flowd: in this process (default; Sage Pro polls every second) or as `flowd serve` child (with `args`). */
  async startFlowd(opts: { child?: boolean; args?: string[]; designer?: import('../../runtime/console/routes/designer.js').DesignerBackend } = {}): Promise<void> {
    if (opts.child) {
      // E2E_FLOWD_NODE_ARGS: extra node flags for the child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
      const nodeArgs = (process.env.E2E_FLOWD_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const proc = spawn(process.execPath, [...nodeArgs, path.join(REPO, 'bin/flowd.js'), 'serve', '--config', this.configFile, ...(opts.args ?? [])], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      this.child = proc;
      proc.stdout!.on('data', (c: Buffer) => { this.childOutput += c.toString(); });
      proc.stderr!.on('data', (c: Buffer) => { this.childOutput += c.toString(); });
      let exited = false;
      proc.once('exit', () => { exited = true; });
      await waitFor('flowd (child) ready', async () => {
        if (exited) throw new Error(`flowd exited: ${this.childOutput}`);
        const r = await fetch(`${this.flowdUrl}/readyz`).catch(() => null);
        return r?.ok ?? false;
      }, 60_000);
      return;
    }
    const config = loadConfig(this.configFile);
    const logger = createLogger({ level: config.log.level, file: path.join(this.dir, 'flowd.log'), name: 'flowd', secrets: config.secrets.map((s) => s.reveal()) });
    this.svc = await startService(config, { logger, sageproEveryMs: 1000, ...(opts.designer ? { designer: opts.designer } : {}) });
  }

  /** Stops flowd gracefully (SIGTERM for a child). */
  async stopFlowd(): Promise<void> {
    if (this.svc) { const s = this.svc; this.svc = undefined; await s.stop(); }
    if (this.child) await this.killFlowd('SIGTERM');
  }

  /** Kills the child flowd with `signal` and waits for it to exit. */
  async killFlowd(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.child;
    if (!c) return;
    this.child = undefined;
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    // A graceful stop that hangs (a stuck job) is ended after 15 s.
    const t = signal === 'SIGKILL' ? undefined : setTimeout(() => c.kill('SIGKILL'), 15_000);
    await gone;
    if (t) clearTimeout(t);
  }

  /** The store (flowd's own when in-process, else a second connection to the same file). */
  get store(): SqliteStore {
    if (this.svc) return this.svc.store as SqliteStore;
    this.store_ ??= SqliteStore.open(this.storeFile);
    return this.store_;
  }

  /** Read-only SQL on the store file (counts the store API does not offer). */
  storeQuery<T>(sql: string, ...params: SqlValue[]): T[] {
    const d = openDatabase(this.storeFile, { readonly: true, fileMustExist: true, timeout: 5000 });
    try { return d.prepare<T>(sql).all(...params); } finally { d.close(); }
  }

  async deadLetters(flow?: string): Promise<DeadLetterSummary[]> {
    return this.store.listDeadLetters({ ...(flow ? { flow } : {}), limit: 10_000 });
  }

  async runs(flow: string, limit = 100_000): Promise<RunRecord[]> {
    return this.store.listRuns({ flow, limit });
  }

  /** Unfinished jobs (queued or running) of a flow. */
  openJobs(flow: string): number {
    return this.storeQuery<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE flow = ? AND state IN ('queued', 'running')", flow)[0]!.n;
  }

  // ------------------------------------------------------------------ X-Cart

  async xcartApi<T = Record<string, unknown>>(method: string, p: string, body?: unknown): Promise<T> {
    const r = await fetch(this.xc.url + p, { method, headers: { 'X-Auth-Token': this.xc.writeToken, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (!r.ok) throw new Error(`${method} ${p}: HTTP ${r.status} ${await r.text()}`);
    return r.json() as Promise<T>;
  }

  /** Places an order in the store (POST /sandbox/orders: saved, then pushed to flowd). */
  async placeOrder(o: PlaceOrder): Promise<XOrder> {
    return this.xcartApi<XOrder>('POST', '/sandbox/orders', o);
  }

  /** Places `n` orders of `orderMix` (`concurrency` requests at once); resolves in placing order. */
  async placeOrders(n: number, opts: { lines?: number; concurrency?: number; start?: number; onPlaced?: (o: XOrder) => void } = {}): Promise<XOrder[]> {
    const out: XOrder[] = new Array(n);
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= n) return;
        out[i] = await this.placeOrder(orderMix((opts.start ?? 0) + i, opts.lines ?? 2));
        opts.onPlaced?.(out[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(n, opts.concurrency ?? 4) }, worker));
    return out;
  }

  async setFaults(f: Record<string, unknown>): Promise<void> {
    await this.xcartApi('POST', '/sandbox/faults', f);
  }

  /** A signed POST /hooks/xcart of exactly `body`. */
  async push(body: string, opts: { secret?: string; timestamp?: number; signature?: string } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
    const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const r = await fetch(`${this.flowdUrl}/hooks/xcart`, {
      method: 'POST', body,
      headers: { 'content-type': 'application/json', 'x-connect-timestamp': ts, 'x-connect-signature': opts.signature ?? signPush(opts.secret ?? this.pushSecret, ts, body) },
    });
    const text = await r.text();
    let json: Record<string, unknown> = {};
    try { json = JSON.parse(text) as Record<string, unknown>; } catch { /* keep {} */ }
    return { status: r.status, json };
  }

  async xcartProductBySku(sku: string): Promise<{ id: number; sku: string; amount: number } | undefined> {
    for (let page = 1; page < 20; page++) {
      const list = await this.xcartApi<{ id: number; sku: string; amount: number }[]>('GET', `/api/products?page=${page}&itemsPerPage=100`);
      const p = list.find((x) => x.sku === sku);
      if (p) return p;
      if (list.length < 100) return undefined;
    }
    return undefined;
  }

  // ------------------------------------------------------------------ Sage Pro

  async sql<T = Record<string, unknown>>(text: string, params: (string | number)[] = []): Promise<T[]> {
    return Array.from(params.length ? await this.db.query<T>(text, params) : await this.db.query<T>(text));
  }

  /** Sales orders (live SOMAST plus history SOYMST) carrying this external reference. */
  async countSalesOrders(ref: string): Promise<number> {
    let n = 0;
    for (const t of ['SOMAST', 'SOYMST']) n += Number((await this.sql<{ N: number }>(`SELECT COUNT(*) AS N FROM ${this.table(t)} WHERE RTRIM(EXTREF) = ?`, [ref]))[0]!.N);
    return n;
  }

  /** Sales orders per external reference, for every `XC-` reference (live and history). */
  async salesOrdersByRef(): Promise<Map<string, number>> {
    const m = new Map<string, number>();
    for (const t of ['SOMAST', 'SOYMST']) {
      for (const r of await this.sql<{ R: string; N: number }>(`SELECT RTRIM(EXTREF) AS R, COUNT(*) AS N FROM ${this.table(t)} WHERE EXTREF LIKE 'XC-%' GROUP BY RTRIM(EXTREF)`)) {
        m.set(r.R, (m.get(r.R) ?? 0) + Number(r.N));
      }
    }
    return m;
  }

  /** Exactly-once figures for these X-Cart orders. */
  async tally(orders: readonly { id: number }[]): Promise<Tally> {
    const byRef = await this.salesOrdersByRef();
    const t: Tally = { events: orders.length, salesOrders: 0, duplicates: 0, lost: 0, lostRefs: [], duplicateRefs: [] };
    for (const o of orders) {
      const ref = `XC-${o.id}`;
      const n = byRef.get(ref) ?? 0;
      t.salesOrders += n;
      if (n === 0) { t.lost++; t.lostRefs.push(ref); }
      if (n > 1) { t.duplicates += n - 1; t.duplicateRefs.push(ref); }
    }
    return t;
  }

  /** Inserts a Sage Pro item (ICITEM) stocked at the web warehouse (ICILOC), every column filled as the sandbox does. */
  async addItem(item: string, desc: string, price: number, onHand: number): Promise<void> {
    const ins = (table: string, values: Record<string, unknown>) => insertSandboxRow(this.db, table, values, this.layout);
    await this.db.beginTransaction();
    try {
      await ins('ICITEM', { ITEM: item, ITMDESC: desc, ITMCLSS: 'MISC', PLINID: 'HW', PRICE: price, IONHAND: onHand, UMEASUR: 'EA', ADDUSER: 'TEST', ADDDATE: '2026-03-01', ADDTIME: '09:00:00' });
      await ins('ICILOC', { ITEM: item, LOCTID: this.webLocation, LONHAND: onHand, LSOALOC: 0, LWOALOC: 0, ORDERPT: 0, ORDQTY: 0, MAXLEVEL: 0, LRECV: '2026-03-01' });
      await this.db.commit();
    } catch (e) { await this.db.rollback().catch(() => undefined); throw e; }
  }

  // ------------------------------------------------------------------ CLI

  /** Runs `node bin/flowd.js ...args` to the end. */
  async cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return runCli(args);
  }

  async close(): Promise<void> {
    await this.stopFlowd().catch(() => undefined);
    await this.killFlowd().catch(() => undefined);
    if (this.store_) { await this.store_.close().catch(() => undefined); this.store_ = undefined; }
    await this.db.close().catch(() => undefined);
    await this.xc.close().catch(() => undefined);
    if (!process.env.E2E_KEEP) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(REPO, 'bin/flowd.js'), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = ''; let stderr = '';
    p.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    p.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    p.once('error', reject);
    p.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The one-line figures every e2e test prints. */
export function figures(name: string, f: Record<string, number | string>): string {
  const line = `${name}: ${Object.entries(f).map(([k, v]) => `${k}=${v}`).join(' ')}`;
  console.log(line);
  return line;
}

/** Percentile (0..100) of a list of numbers (nearest rank). */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
