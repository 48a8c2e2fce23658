/**
 * The mapper's preview: the edited flow text run on its flow-test fixtures (the `*.test.yaml` files
 * under the designer root whose `flow:` is a flow of this text, e.g. mappings/tests/<flow>.test.yaml)
 * by the flow-test runner itself (compiler/flow-test.ts, as `flowc test`): per case, pass or fail, the
 * write records it made and each failed expectation; or the compile errors of the text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { findTestFiles, runFlowTests } from '../../../compiler/flow-test.js';
import { createProgram, defaultSchemasDir } from '../../../compiler/program.js';

export interface PreviewCase { name: string; ok: boolean; outcome?: string; writes: { operation: string; record: unknown }[]; failures: string[] }
export interface PreviewResult { tests: string | null; cases: PreviewCase[]; compileErrors: string[] }

const flowNames = (text: string) => [...text.matchAll(/^\s*flow\s+([A-Za-z_]\w*)/gm)].map((m) => m[1]!);

/** The test files under the root (the folder of the schemas' parent) that test one of `names`. */
function testFilesFor(root: string, names: readonly string[]): string[] {
  return findTestFiles([root]).filter((f) => {
    try { const doc = YAML.parse(fs.readFileSync(f, 'utf8')) as { flow?: string } | null; return !!doc?.flow && names.includes(doc.flow); } catch { return false; }
  });
}

export async function runPreview(text: string, file: string, abs: string): Promise<PreviewResult> {
  const schemasDir = path.resolve(defaultSchemasDir([path.dirname(abs)]));
  const root = path.dirname(schemasDir);
  const tests = testFilesFor(root, flowNames(text));
  if (tests.length === 0) return { tests: null, cases: [], compileErrors: [] };
  // The edited text in a folder of its own, under its own name (the runner compiles files); the site's
  // schemas and lookups are the root's.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowd-mapper-preview-'));
  try {
    const copy = path.join(dir, path.basename(abs));
    fs.writeFileSync(copy, text);
    const program = createProgram([copy], { schemasDir, lookupsDir: path.join(root, 'lookups'), displayBase: dir });
    const errors = program.diagnostics.filter((d) => d.category === 'error');
    if (errors.length) {
      return { tests: tests.map((t) => path.relative(root, t)).join(', '), cases: [], compileErrors: errors.map((d) => `${file}${d.span ? `:${d.span.line}:${d.span.column}` : ''}: FLOW${d.code} ${d.message}`) };
    }
    const results = await runFlowTests(program, tests, root);
    return {
      tests: tests.map((t) => path.relative(root, t).split(path.sep).join('/')).join(', '),
      compileErrors: [],
      cases: results.map((r) => ({ name: r.name, ok: r.passed, ...(r.outcome ? { outcome: r.outcome } : {}), failures: [...r.failures],
        writes: (r.writes ?? []).map((w) => ({ operation: w.op, record: w.args })) })),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
