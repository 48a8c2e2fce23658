/**
 * preview: the (edited) flow text run on its flow tests (`<tests>/<flow file base>.test.yaml`, the
 * runner of compiler/flow-test.ts). Pass or fail and the failed expectations are flow-test.ts's own
 * (runFlowTests on a program of this one text); the write records each case made come from a second
 * run of the same built module with a context that answers reads from the case's fixtures as
 * flow-test.ts does and records the writes. A text that does not compile runs nothing: its errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { compileSource, type Program } from '../program.js';
import { DiagnosticBag, codeOf } from '../diagnostics/diagnostic.js';
import { runFlowTests } from '../flow-test.js';
import { buildProgram, writeBuild } from '../emitter/build.js';
import type { FlowContext, FlowModule, TriggerEvent } from '../../runtime/contract.js';
import type { DesignContext, DesignDiagnostic, PreviewCase, PreviewResult, PreviewWrite } from './api.js';
import { stateOf } from './context.js';

export function testFileFor(file: string, ctx: DesignContext): string | undefined {
  const base = path.basename(file).replace(/\.flow$/, '');
  for (const dir of ctx.testsDirs) for (const ext of ['.test.yaml', '.test.yml']) {
    const p = path.join(dir, base + ext);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

export async function previewImpl(text: string, file: string, ctx: DesignContext): Promise<PreviewResult> {
  const schemas = ctx.schemas();
  const bag = new DiagnosticBag();
  const abs = path.resolve(ctx.displayBase, file);
  const unit = compileSource(text, file, abs, schemas, ctx.lookupsDir, ctx.displayBase, bag, stateOf(ctx).lookupCache);
  const testFile = testFileFor(file, ctx);
  const shown = testFile ? path.relative(ctx.displayBase, testFile) || testFile : null;
  const errors = bag.sorted().filter((d) => d.category === 'error');
  if (errors.length) {
    const compileErrors: DesignDiagnostic[] = errors.map((d) => ({ code: codeOf(d), severity: 'error', message: d.message, ...(d.hint ? { hint: d.hint } : {}), ...(d.span ? { span: d.span } : {}), fixes: [] }));
    return { tests: shown, cases: [], compileErrors };
  }
  if (!testFile) return { tests: null, cases: [], compileErrors: [] };
  const program: Program = {
    units: [unit], schemas, schemasDir: ctx.schemasDir, lookupsDir: ctx.lookupsDir, diagnostics: bag.sorted(), hasErrors: false,
    source: (f) => (f === file ? text : schemas.sources.get(f)),
  };
  const results = await runFlowTests(program, [testFile], ctx.displayBase);
  const recorded = await record(program, testFile);
  const cases: PreviewCase[] = results.map((r, i) => {
    const rec = recorded[i];
    return { name: r.name, ok: r.passed, outcome: rec?.outcome ?? '?', ...(rec?.reason ? { reason: rec.reason } : {}), writes: rec?.writes ?? [], failures: r.failures };
  });
  return { tests: shown, cases, compileErrors: [] };
}

interface Recorded { outcome: string; reason?: string; writes: PreviewWrite[] }

async function record(program: Program, testFile: string): Promise<Recorded[]> {
  let doc: { flow?: string; now?: string; cases?: Record<string, unknown>[] };
  try { doc = YAML.parse(fs.readFileSync(testFile, 'utf8')) as typeof doc; } catch { return []; }
  const out = buildProgram(program, { typeCheck: false });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'designer-preview-'));
  try {
    writeBuild(out, dir);
    const f = out.flows.find((x) => x.name === doc.flow);
    if (!f) return [];
    const mod = (await import(pathToFileURL(path.join(dir, f.module)).href)) as FlowModule;
    const results: Recorded[] = [];
    for (const c0 of doc.cases ?? []) {
      const c = resolveFiles(c0, path.dirname(testFile)) as { event?: Partial<TriggerEvent>; calls?: Record<string, unknown>; claimed?: boolean };
      const writes: PreviewWrite[] = [];
      const counts = new Map<string, number>();
      const calls = c.calls ?? {};
      const ctx: FlowContext = {
        async call(system, operation, args) {
          const op = `${system}.${operation}`;
          const kind = mod.meta.operations.find((o) => o.system === system && o.operation === operation)?.kind;
          if (kind === 'write') {
            writes.push({ operation: op, record: JSON.parse(JSON.stringify(args ?? null)) });
            const answer = calls[op];
            return answer === undefined ? Object.values(args)[0] : answer;
          }
          if (!(op in calls)) throw Object.assign(new Error(`the test gives no result for ${op}`), { errorClass: 'invalid' });
          const answer = calls[op];
          if (Array.isArray(answer) && answer.every((x) => x && typeof x === 'object' && '$result' in (x as object))) {
            const n = counts.get(op) ?? 0; counts.set(op, n + 1);
            return (answer[n] as { $result: unknown }).$result;
          }
          return structuredClone(answer);
        },
        async claim() { return !c.claimed; },
        now: () => doc.now ?? '2024-01-01T00:00:00Z',
        warn: () => {},
      };
      const event = { type: 'test', source: 'xcart', data: {}, ...(c.event ?? {}) } as TriggerEvent;
      try {
        const r = await mod.run(event, ctx);
        results.push({ outcome: r.outcome, ...(r.reason ? { reason: r.reason } : {}), writes });
      } catch (err) {
        const e = err as { errorClass?: string; message?: string; reason?: string };
        results.push({ outcome: e.errorClass === 'invalid' ? 'rejected' : `error (${e.errorClass ?? 'internal'})`, reason: e.reason ?? e.message, writes });
      }
    }
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function resolveFiles(v: unknown, dir: string): unknown {
  if (Array.isArray(v)) return v.map((x) => resolveFiles(x, dir));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$file === 'string' && Object.keys(o).length === 1) {
      const text = fs.readFileSync(path.resolve(dir, o.$file), 'utf8');
      return o.$file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolveFiles(x, dir)]));
  }
  return v;
}
