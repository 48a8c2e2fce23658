/**
 * Transform benchmark: the OrderToSalesOrder mapping on the same 10,000 synthetic X-Cart orders,
 * three ways:
 *   compiled     flowc's generated module (buildProgram + writeBuild into a temp folder, imported),
 *                the two lets computed as run() does, then map_so;
 *   hand-written bench/hand-written-order.ts;
 *   JSONata      bench/order.jsonata with custom functions backed by runtime/builtins.ts.
 * All three must give the same SalesOrder for every order (JSON-normalised deep-equal), else exit 1.
 * Reports records/s (median of interleaved rounds) and the ratios compiled/hand-written (target
 * >= 0.8) and compiled/JSONata (target >= 100). Prints only; asserts no timing.
 *
 *   npm run bench:transform            (env: ORDERS=10000 ROUNDS=15 JSONATA_ROUNDS=3;
 *                                       ONLY=compiled|hand-written|JSONata times just that one, e.g. under node --cpu-prof)
 * A full GC runs before every timed round, so no round pays for the garbage of the one before.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { fileURLToPath, pathToFileURL } from 'node:url';
import jsonata from 'jsonata';
import YAML from 'yaml';
import { createProgram } from '../compiler/program.js';
import { buildProgram, writeBuild } from '../compiler/emitter/build.js';
import * as B from '../runtime/builtins.js';
import { generateOrders, type Sample } from './gen-orders.js';
import { mapOrderToSalesOrder } from './hand-written-order.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const N = Number(process.env.ORDERS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const JSONATA_ROUNDS = Number(process.env.JSONATA_ROUNDS ?? 3);
const WARMUP = 3;
const ONLY = process.env.ONLY ?? '';
const timed = (name: string) => ONLY === '' || ONLY === name;
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

type Impl = (s: Sample) => unknown;

// ---- (a) compiled -------------------------------------------------------------------------------
async function loadCompiled(): Promise<{ impl: Impl; dir: string }> {
  // bench/flows/: the mapping the two baselines implement (a frozen copy of the shipped flow, see its header).
  const program = createProgram([path.join(root, 'bench', 'flows')], { displayBase: root, schemasDir: path.join(root, 'mappings', 'schemas'), lookupsDir: path.join(root, 'mappings', 'lookups') });
  if (program.hasErrors) throw new Error('bench/flows does not check clean');
  const out = buildProgram(program, { typeCheck: false, emitJs: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-bench-'));
  writeBuild(out, dir);
  // Under tsx (this process, and bin/flowc / bin/flowd), import('X.js') resolves to a sibling X.ts when there
  // is one and runs that through esbuild instead. Remove the .ts files so the JS the build emitted is what runs.
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) if (f.endsWith('.ts')) fs.rmSync(path.join(dir, f));
  const mod = await import(pathToFileURL(path.join(dir, 'OrderToSalesOrder.js')).href);
  const rt = await import(pathToFileURL(path.join(dir, 'runtime', 'builtins.js')).href); // the builtins the module uses
  const mapSo = mod.map_so as (o: any, c: any, ship: any, street: any) => unknown;
  // Exactly what run() does between the lookup and the write (see the generated OrderToSalesOrder.ts).
  const impl: Impl = ({ order, customer }) => {
    const ship = order.shipping_address ?? order.billing_address;
    const street = rt.split_street(ship?.street ?? '', 35)!;
    return mapSo(order, customer, ship, street);
  };
  return { impl, dir };
}

// ---- (c) JSONata --------------------------------------------------------------------------------
function table(file: string): Record<string, string> {
  const doc = YAML.parse(fs.readFileSync(path.join(root, 'mappings/lookups', file), 'utf8')) as { entries: Record<string, unknown> };
  const t: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(doc.entries)) t[k] = String(v);
  return t;
}

function loadJsonata(): (s: Sample) => Promise<unknown> {
  const expr = jsonata(fs.readFileSync(path.join(here, 'order.jsonata'), 'utf8'));
  const list = (x: unknown): unknown[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  // The functions JSONata lacks (or has with other semantics), backed by the same runtime builtins.
  expr.registerFunction('date_in', (x: unknown, tz: string) => B.date(x, tz) ?? undefined, '<s-s:s>');
  expr.registerFunction('split_street', (s: string, w: number) => B.split_street(s, w) ?? undefined, '<s-n:o>');
  expr.registerFunction('dsum', (xs: unknown) => B.sum(list(xs) as number[]), '<x-:n>');
  expr.registerFunction('dround', (x: number, scale: number) => B.round(x, scale) ?? undefined, '<n-n:n>');
  expr.registerFunction('jstrim', (s: string) => B.trim(s) ?? undefined, '<s-:s>');
  expr.registerFunction('reject', (reason: string) => B.reject(reason), '<s:x>');
  expr.assign('web_customer', table('web-customers.yaml'));
  expr.assign('carrier', table('carriers.yaml'));
  return (s) => expr.evaluate(s);
}

// ---- run ----------------------------------------------------------------------------------------
const norm = (x: unknown) => JSON.parse(JSON.stringify(x));

function firstDifference(a: unknown, b: unknown, at = ''): string {
  if (isDeepStrictEqual(a, b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as any)[k], (b as any)[k], `${at}/${k}`);
      if (d) return d;
    }
  }
  return `${at || '/'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

let sink = 0;
function consume(r: any): void { sink = (sink + r.lines.length + r.ship_to.address1.length) | 0; }

function timeSync(impl: Impl, data: readonly Sample[]): number {
  gc();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < data.length; i++) consume(impl(data[i]!));
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
async function timeAsync(impl: (s: Sample) => Promise<unknown>, data: readonly Sample[]): Promise<number> {
  gc();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < data.length; i++) consume(await impl(data[i]!));
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

async function main(): Promise<void> {
  console.log(`transform bench: OrderToSalesOrder on ${fmt(N)} synthetic orders; node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
  const t0 = Date.now();
  const data = generateOrders(N);
  const lineCount = data.reduce((n, s) => n + s.order.items.length, 0);
  console.log(`  generated in ${Date.now() - t0} ms: ${fmt(lineCount)} items (avg ${(lineCount / N).toFixed(1)}/order), ` +
    `${data.filter((s) => s.guest).length} guests (anonymous profiles), ${data.filter((s) => s.order.customer_id == null).length} without customer_id, ${data.filter((s) => s.customer == null).length} without Sage Pro customer`);

  const t1 = Date.now();
  const compiled = await loadCompiled();
  console.log(`  built bench/flows (no type-check) into ${compiled.dir} in ${Date.now() - t1} ms`);
  const jsonataEval = loadJsonata();
  const impls: Record<'compiled' | 'hand-written', Impl> = { compiled: compiled.impl, 'hand-written': (s) => mapOrderToSalesOrder(s.order, s.customer) };

  // 1. Same output for every order.
  for (let i = 0; i < data.length; i++) {
    const s = data[i]!;
    const a = norm(impls.compiled(s));
    const b = norm(impls['hand-written'](s));
    const c = norm(await jsonataEval(s));
    const d = firstDifference(a, b) ? `compiled vs hand-written ${firstDifference(a, b)}` : firstDifference(a, c) ? `compiled vs JSONata ${firstDifference(a, c)}` : '';
    if (d) {
      console.error(`  DIFFERENT OUTPUT for order #${i} (id ${s.order.id}): ${d}`);
      process.exit(1);
    }
  }
  console.log(`  outputs identical for all ${fmt(N)} orders (compiled == hand-written == JSONata, JSON-normalised deep-equal)`);

  // 2. Warm-up, then interleaved rounds (the order of the two fast ones alternates each round).
  for (let w = 0; w < WARMUP; w++) { timeSync(impls.compiled, data); timeSync(impls['hand-written'], data); }
  const secs: Record<string, number[]> = { compiled: [], 'hand-written': [], JSONata: [] };
  const jsonataEvery = Math.max(1, Math.floor(ROUNDS / Math.max(1, JSONATA_ROUNDS)));
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['compiled', 'hand-written'] as const) : (['hand-written', 'compiled'] as const);
    for (const name of order) if (timed(name)) secs[name]!.push(timeSync(impls[name], data));
    if (timed('JSONata') && secs.JSONata!.length < JSONATA_ROUNDS && r % jsonataEvery === 0) secs.JSONata!.push(await timeAsync(jsonataEval, data));
  }
  const rate = (name: string) => (secs[name]!.length ? N / median(secs[name]!) : NaN);
  const rc = rate('compiled'), rh = rate('hand-written'), rj = rate('JSONata');
  console.log('');
  console.log(`  ${'implementation'.padEnd(14)} ${'records/s'.padStart(12)}  (median of rounds over ${fmt(N)} orders; round times in ms)`);
  for (const name of ['compiled', 'hand-written', 'JSONata']) {
    const best = secs[name]!.length ? `; best round ${fmt(N / Math.min(...secs[name]!))}/s` : '';
    console.log(`  ${name.padEnd(14)} ${fmt(rate(name)).padStart(12)}  ${secs[name]!.length} rounds: ${secs[name]!.map((s) => (s * 1000).toFixed(0)).join(' ')}${best}`);
  }
  console.log('');
  const r1 = rc / rh, r2 = rc / rj;
  const verdict = (r: number, target: number) => (Number.isNaN(r) ? 'n/a' : r >= target ? 'PASS' : 'MISS');
  console.log(`  compiled / hand-written = ${r1.toFixed(2)}  (target >= 0.8)  ${verdict(r1, 0.8)}`);
  console.log(`  compiled / JSONata      = ${r2.toFixed(1)}  (target >= 100)  ${verdict(r2, 100)}`);
  const best = (name: string) => (secs[name]!.length ? N / Math.min(...secs[name]!) : NaN);
  console.log(`  (informational, best rounds instead of medians: compiled / hand-written ${(best('compiled') / best('hand-written')).toFixed(2)}, ` +
    `compiled / JSONata ${(best('compiled') / best('JSONata')).toFixed(1)})`);
  console.log(`  (JSONata timed on the full ${fmt(N)} orders ${secs.JSONata!.length}x; sink ${sink})`);
  fs.rmSync(compiled.dir, { recursive: true, force: true });
}

await main();
