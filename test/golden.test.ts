/**
 * Golden tests: one runner for every fixture under test/fixtures/{syntax,check,emit}.
 *
 *   syntax/X.flow, check/X.flow → X.diag   the `renderBaseline` text of all diagnostics of the file,
 *                                          checked against mappings/schemas and test/fixtures/lookups
 *   emit/X.flow                 → X.ts     the emitted module of the flow; the file must have no
 *                                          diagnostics, and the build (typeCheck on) no type errors
 *   emit/entities.ts                       the generated entity types the modules import
 *
 * Updating: golden files are reviewed like code. Run `UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts`
 * to (re)write them after a deliberate compiler change, and review the diff. CI never sets
 * UPDATE_GOLDEN, so a missing or different golden file fails there.
 *
 * emit/runtime/{contract,builtins}.ts are symlinks to the repository's runtime/ files, so the golden
 * modules (and entities.ts) also type-check in place under the project's tsconfig (which includes
 * test/). Only those two files are linked: linking the folder would make vitest run runtime's tests twice.
 *
 * Coverage: every diagnostic code of the catalog is either covered by a .diag golden, or listed below
 * as unreachable (no input can produce it) or blocked (reachable, but only with output that is wrong
 * today: a compiler bug, see the notes). A new code therefore needs a fixture or an entry here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createProgram } from '../compiler/program.js';
import { renderBaseline } from '../compiler/diagnostics/render-baseline.js';
import { Diagnostics, type DiagnosticMessage } from '../compiler/diagnostics/messages.js';
import { loadSchemas } from '../compiler/schema/load-schemas.js';
import { buildProgram } from '../compiler/emitter/build.js';

const ROOT = 'test/fixtures';
const SCHEMAS = path.resolve('mappings/schemas');
const LOOKUPS = path.resolve(ROOT, 'lookups');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const schemas = loadSchemas(SCHEMAS, process.cwd());

/** Codes no .flow input can produce, with the reason. */
export const UNREACHABLE: Record<number, string> = {
  3021: 'Cannot_infer_type_of_0 is in the catalog but no checker code reports it',
  5001: 'needs a broken entity schema; the fixtures are checked against mappings/schemas',
  5002: 'needs a broken operation catalog; the fixtures are checked against mappings/schemas',
  9001: 'related information only (rendered on !!! related lines), never a diagnostic of its own',
  9002: 'related information only',
  9004: 'related information only',
  9005: 'related information only',
  9006: 'related information only',
  9007: 'related information only',
};

/** Codes that are reachable, but whose every reproduction today shows wrong output (compiler bugs). */
export const BLOCKED: Record<number, string> = {};

/** Related-information codes that must appear on `!!! related` lines of some golden. */
const RELATED = [9001, 9002, 9004, 9005, 9006, 9007];

function listFixtures(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return (fs.readdirSync(abs, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.flow'))
    .map((f) => path.join(ROOT, dir, f).split(path.sep).join('/'))
    .sort();
}

function swapExt(file: string, ext: string): string { return file.replace(/\.flow$/, ext); }

/** Compares `actual` with the golden file, or writes it when UPDATE_GOLDEN=1. */
function expectGolden(actual: string, goldenPath: string): void {
  if (UPDATE) {
    if (!fs.existsSync(goldenPath) || fs.readFileSync(goldenPath, 'utf8') !== actual) fs.writeFileSync(goldenPath, actual);
    return;
  }
  if (!fs.existsSync(goldenPath)) throw new Error(`missing golden file ${goldenPath}; run UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts and review it`);
  expect(actual, `golden ${goldenPath} differs; run UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts and review the diff`).toBe(fs.readFileSync(goldenPath, 'utf8'));
}

function compile(file: string) {
  return createProgram([file], { schemasDir: SCHEMAS, lookupsDir: LOOKUPS, displayBase: process.cwd(), schemas });
}

const diagFixtures = [...listFixtures('syntax'), ...listFixtures('check')];
const emitFixtures = listFixtures('emit');

describe('diagnostics', () => {
  test.each(diagFixtures)('%s', (file) => {
    const program = compile(file);
    const baseline = renderBaseline(program.diagnostics, (f) => program.source(f));
    if (file.includes('/syntax/')) {
      // The parser must recover: a syntax fixture reports several syntax errors, and only those.
      expect(program.diagnostics.filter((d) => d.code < 2000).length).toBeGreaterThan(1);
      expect(program.diagnostics.every((d) => d.code < 2000)).toBe(true);
    } else {
      expect(program.diagnostics.some((d) => d.code < 1010)).toBe(false);
    }
    expectGolden(baseline, swapExt(file, '.diag'));
  });
});

describe('emit', () => {
  test.each(emitFixtures)('%s', (file) => {
    const program = compile(file);
    expect(renderBaseline(program.diagnostics, (f) => program.source(f))).toBe('');
    const models = program.units.flatMap((u) => u.models);
    expect(models).toHaveLength(1);
    const out = buildProgram(program, { typeCheck: true, emitJs: false });
    expect(out.typeErrors).toEqual([]);
    const module = out.files.get(`${models[0]!.flow.name.text}.ts`);
    expect(module).toBeDefined();
    expectGolden(module!, swapExt(file, '.ts'));
  });

  test('entities.ts', () => {
    const file = emitFixtures[0]!;
    const out = buildProgram(compile(file), { typeCheck: false, emitJs: false });
    expectGolden(out.files.get('entities.ts')!, path.join(ROOT, 'emit', 'entities.ts'));
  });
});

describe('coverage', () => {
  // Read when the tests run (after an UPDATE_GOLDEN run has written them), not at collection.
  const goldenTexts = () => diagFixtures.map((f) => swapExt(f, '.diag')).filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8'));
  const catalog = (Object.values(Diagnostics) as DiagnosticMessage[]).map((m) => m.code);

  test('the .diag goldens cover exactly the reachable codes', () => {
    const covered = new Set<number>();
    for (const t of goldenTexts()) {
      for (const m of t.matchAll(/^(?:\S+\(\d+,\d+\): )?(?:error|warning|message) FLOW(\d+):/gm)) covered.add(Number(m[1]));
    }
    const reachable = catalog.filter((c) => !(c in UNREACHABLE) && !(c in BLOCKED));
    expect([...covered].sort((a, b) => a - b)).toEqual([...new Set(reachable)].sort((a, b) => a - b));
  });

  test('related-information codes appear on related lines', () => {
    const related = new Set<number>();
    for (const t of goldenTexts()) for (const m of t.matchAll(/^!!! related FLOW(\d+) /gm)) related.add(Number(m[1]));
    for (const c of RELATED) expect(related.has(c), `FLOW${c} on a !!! related line`).toBe(true);
  });

  test('the unreachable and blocked lists name only catalog codes', () => {
    for (const c of [...Object.keys(UNREACHABLE), ...Object.keys(BLOCKED)].map(Number)) expect(catalog).toContain(c);
  });

  test('every golden has its fixture (no stale goldens)', () => {
    for (const dir of ['syntax', 'check', 'emit']) {
      const abs = path.join(ROOT, dir);
      for (const f of fs.readdirSync(abs, { recursive: true }) as string[]) {
        const p = path.join(abs, f);
        if (f.endsWith('.diag') || (f.endsWith('.ts') && dir === 'emit' && f !== 'entities.ts' && !p.includes(`${path.sep}runtime${path.sep}`) && !f.startsWith('runtime'))) {
          expect(fs.existsSync(p.replace(/\.(diag|ts)$/, '.flow')), `${p} has no .flow`).toBe(true);
        }
      }
    }
  });
});
