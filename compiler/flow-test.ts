/**
 * `flowc test`: runs flow tests. A test file (`*.test.yaml` beside the flows) names a flow and
 * its cases; each case gives the trigger event, the results of the read operations the flow calls
 * (fetches and lookups), and the expected outcome and writes. The flow runs through its generated
 * module with a recording context: reads answer from the fixture, writes are recorded and compared.
 *
 *   flow: OrderToSalesOrder
 *   now: "2024-05-02T12:00:00Z"          # the run's clock (optional)
 *   cases:
 *     - name: paid order becomes a sales order
 *       event: { type: order.created, source: xcart, id: "5", data: { order_id: 5 } }
 *       calls:                            # operation → result (a list of results when called repeatedly)
 *         xcart.orders.get: { $file: fixtures/order-5.json }
 *         sagepro.customers.find_by_email: null
 *       claimed: false                    # true: the idempotency key already succeeded
 *       expect:
 *         outcome: done                   # done | skipped | duplicate | rejected
 *         writes: [ { op: sagepro.sales_orders.create, args: { order: {...} } } ]
 *         reason: "unpaid order"          # for rejected / skipped: a part of the reason
 *         site: "order-to-sales-order.flow:12"   # for rejected: where (file:line), optional
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import type { Program } from './program.js';
import { buildProgram, writeBuild } from './emitter/build.js';
import type { FlowContext, FlowModule, TriggerEvent } from '../runtime/contract.js';

export interface CaseResult {
  readonly file: string;
  readonly flow: string;
  readonly name: string;
  readonly passed: boolean;
  readonly failures: readonly string[];
  /** What the run did (the designer's preview shows it): its outcome, reason and the write calls in order. */
  readonly outcome?: string;
  readonly reason?: string;
  readonly writes?: readonly { readonly op: string; readonly args: unknown }[];
}

interface TestCase {
  name?: string;
  event?: Partial<TriggerEvent>;
  calls?: Record<string, unknown>;
  claimed?: boolean;
  expect?: { outcome?: string; writes?: { op: string; args?: unknown }[]; reason?: string; site?: string; warnings?: string[] };
}

export function findTestFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const n of fs.readdirSync(p).sort()) if (n !== 'node_modules' && !n.startsWith('.')) visit(path.join(p, n));
    } else if (/\.test\.ya?ml$/.test(p)) out.push(path.resolve(p));
    else if (p.endsWith('.flow')) {
      const base = p.replace(/\.flow$/, '');
      for (const ext of ['.test.yaml', '.test.yml']) if (fs.existsSync(base + ext)) out.push(path.resolve(base + ext));
    }
  };
  for (const p of paths) visit(p);
  return [...new Set(out)];
}

/** JSON normal form: absent and null fields are the same (both mean "blank" to a connector). */
function normal(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v), (_k, x) => (x === null ? undefined : x));
}

function resolveFiles(v: unknown, dir: string): unknown {
  if (Array.isArray(v)) return v.map((x) => resolveFiles(x, dir));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$file === 'string' && Object.keys(o).length === 1) {
      const p = path.resolve(dir, o.$file);
      const text = fs.readFileSync(p, 'utf8');
      return p.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolveFiles(x, dir)]));
  }
  return v;
}

function firstDifference(actual: unknown, expected: unknown, at = ''): string | undefined {
  if (isDeepStrictEqual(actual, expected)) return undefined;
  if (actual && expected && typeof actual === 'object' && typeof expected === 'object' && Array.isArray(actual) === Array.isArray(expected)) {
    const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
    for (const k of keys) {
      const d = firstDifference((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${at}/${k}`);
      if (d) return d;
    }
  }
  return `${at || '/'}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`;
}

export async function runFlowTests(program: Program, testFiles: readonly string[], displayBase = process.cwd()): Promise<CaseResult[]> {
  const out = buildProgram(program, { typeCheck: false });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-test-'));
  try {
    writeBuild(out, dir);
    const modules = new Map<string, FlowModule>();
    for (const f of out.flows) modules.set(f.name, (await import(pathToFileURL(path.join(dir, f.module)).href)) as FlowModule);
    const results: CaseResult[] = [];
    for (const tf of testFiles) {
      const shown = path.relative(displayBase, tf) || tf;
      let doc: { flow?: string; now?: string; cases?: TestCase[] };
      try { doc = YAML.parse(fs.readFileSync(tf, 'utf8')) as typeof doc; }
      catch (e) { results.push({ file: shown, flow: '?', name: '(file)', passed: false, failures: [`cannot read the test file: ${(e as Error).message}`] }); continue; }
      const mod = doc?.flow ? modules.get(doc.flow) : undefined;
      if (!mod) { results.push({ file: shown, flow: doc?.flow ?? '?', name: '(file)', passed: false, failures: [`flow '${doc?.flow}' is not among the compiled flows (${[...modules.keys()].join(', ') || 'none'})`] }); continue; }
      for (const [i, c0] of (doc.cases ?? []).entries()) {
        const c = resolveFiles(c0, path.dirname(tf)) as TestCase;
        results.push(await runCase(mod, c, doc.now, shown, doc.flow!, c.name ?? `case ${i + 1}`));
      }
    }
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function runCase(mod: FlowModule, c: TestCase, now: string | undefined, file: string, flow: string, name: string): Promise<CaseResult> {
  const failures: string[] = [];
  const writes: { op: string; args: unknown }[] = [];
  const warnings: string[] = [];
  const callCounts = new Map<string, number>();
  const calls = c.calls ?? {};
  const ctx: FlowContext = {
    async call(system, operation, args) {
      const op = `${system}.${operation}`;
      const kind = mod.meta.operations.find((o) => o.system === system && o.operation === operation)?.kind;
      if (kind === 'write') {
        writes.push({ op, args: normal(args) });
        const answer = calls[op];
        return answer === undefined ? normal(Object.values(args)[0]) : answer;
      }
      if (!(op in calls)) throw Object.assign(new Error(`the test gives no result for ${op}`), { errorClass: 'invalid' });
      const answer = calls[op];
      if (Array.isArray(answer) && (answer as unknown[]).every((x) => x && typeof x === 'object' && '$result' in (x as object))) {
        const n = callCounts.get(op) ?? 0; callCounts.set(op, n + 1);
        return (answer[n] as { $result: unknown }).$result;
      }
      return structuredClone(answer);
    },
    async claim() { return !c.claimed; },
    now: () => now ?? '2024-01-01T00:00:00Z',
    warn: (m) => { warnings.push(m); },
  };
  const event: TriggerEvent = { type: 'test', source: 'xcart', data: {}, ...(c.event ?? {}) } as TriggerEvent;
  let outcome: string; let reason: string | undefined; let site: string | undefined;
  try {
    const r = await mod.run(event, ctx);
    outcome = r.outcome; reason = r.reason;
  } catch (err) {
    const e = err as { errorClass?: string; message?: string; reason?: string; site?: { file: string; line: number } };
    outcome = e.errorClass === 'invalid' ? 'rejected' : `error (${e.errorClass ?? 'internal'})`;
    reason = e.reason ?? e.message;
    site = e.site ? `${path.basename(e.site.file)}:${e.site.line}` : undefined;
  }
  const ex = c.expect ?? {};
  const wantOutcome = ex.outcome ?? 'done';
  if (outcome !== wantOutcome) failures.push(`outcome: expected ${wantOutcome}, found ${outcome}${reason ? ` (${reason})` : ''}`);
  if (ex.reason !== undefined && !(reason ?? '').includes(ex.reason)) failures.push(`reason: expected a reason containing ${JSON.stringify(ex.reason)}, found ${JSON.stringify(reason ?? null)}`);
  if (ex.site !== undefined && site !== ex.site) failures.push(`site: expected ${ex.site}, found ${site ?? 'none'}`);
  if (ex.writes !== undefined) {
    if (ex.writes.length !== writes.length) failures.push(`writes: expected ${ex.writes.length} (${ex.writes.map((w) => w.op).join(', ') || 'none'}), found ${writes.length} (${writes.map((w) => w.op).join(', ') || 'none'})`);
    ex.writes.forEach((w, i) => {
      const got = writes[i];
      if (!got) return;
      if (got.op !== w.op) failures.push(`write ${i + 1}: expected ${w.op}, found ${got.op}`);
      else if (w.args !== undefined) { const d = firstDifference(got.args, normal(w.args), ''); if (d) failures.push(`write ${i + 1} (${w.op}) ${d}`); }
    });
  }
  if (ex.warnings !== undefined) {
    for (const w of ex.warnings) if (!warnings.some((x) => x.includes(w))) failures.push(`warnings: expected one containing ${JSON.stringify(w)}, found ${JSON.stringify(warnings)}`);
  }
  return { file, flow, name, passed: failures.length === 0, failures, outcome, ...(reason !== undefined ? { reason } : {}), writes };
}
