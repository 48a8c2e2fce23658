/**
 * preview: the (edited) flow text run on its flow tests (`<tests>/<flow file base>.test.yaml`, the
 * runner of compiler/flow-test.ts). Pass or fail and the failed expectations are flow-test.ts's own
 * (runFlowTests on a program of this one text), and so are each case's outcome and the write records
 * it made. A text that does not compile runs nothing: its errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { compileSource, type Program } from '../program.js';
import { DiagnosticBag, codeOf } from '../diagnostics/diagnostic.js';
import { runFlowTests } from '../flow-test.js';
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
  const cases: PreviewCase[] = results.map((r) => ({
    name: r.name, ok: r.passed, outcome: r.outcome ?? '?', ...(r.reason ? { reason: r.reason } : {}),
    writes: (r.writes ?? []).map((w): PreviewWrite => ({ operation: w.op, record: w.args })), failures: r.failures,
  }));
  return { tests: shown, cases, compileErrors: [] };
}
