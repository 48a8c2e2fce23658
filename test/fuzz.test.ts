/**
 * Deterministic fuzzing of the front end (seeded PRNG; the same inputs on every run, no timing
 * assertions). Seeds: test/fixtures/fuzz-seed.flow (a real order flow), the kitchen sink, and any
 * mappings/*.flow present when the test runs. Over 10,000 cases in four groups:
 *  - mutations of the seeds (delete, duplicate or swap tokens and characters, insert random bytes
 *    and keywords, truncate, replace identifiers with others);
 *  - shapes that broke the compiler before: operator and member chains up to 12,000 long (`+`,
 *    `&&`, `==`, `??`, `.`, `?.`, ...), deep nesting (parentheses, brackets, `not`, unary minus,
 *    `if`, objects, calls, lambdas, `match`), seeds with mixed or CR-only line endings, seeds with
 *    invalid UTF-8 bytes decoded as the CLI reads files, and strings with bad escapes;
 *  - fully random byte strings.
 * Every case must not throw (parse, check, print; a sample of the clean ones also builds), no
 * diagnostic may report an internal error, and every diagnostic's line and column must be those an
 * editor shows for its offset (lines end at CRLF, LF or a lone CR; columns count UTF-16 units).
 * The figures (cases, crashes, positions checked) are printed.
 *
 * On a failure the message names the case and the input (JSON), to paste into a fixture.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileSource, type Program } from '../compiler/program.js';
import { DiagnosticBag } from '../compiler/diagnostics/diagnostic.js';
import { loadSchemas } from '../compiler/schema/load-schemas.js';
import { buildProgram } from '../compiler/emitter/build.js';
import { CHAINS, inFlow, MUTATIONS, mutate, RANDOM_INPUTS, randomBytes, seeds, shape, SHAPES } from './support/fuzz-corpus.js';
import { print } from '../grammar/print.js';
import { dottedPath } from '../compiler/checker/expressions.js';
import { mulberry32 as prng } from './support/prng.js';

const SCHEMAS = path.resolve('mappings/schemas');
const LOOKUPS = path.resolve('test/fixtures/lookups');
const schemas = loadSchemas(SCHEMAS, process.cwd());
/** Clean cases that are also built (building is slow; the first ones of each group). */
const BUILDS_PER_GROUP = 12;

const FILE = 'fuzz/case.flow';

/** (line, column) of an offset as VS Code shows it; written apart from LineMap on purpose. */
function editorPosition(text: string, offset: number): { line: number; column: number } {
  let line = 1, start = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) { line++; start = i + 1; }
    else if (c === 13 && i + 1 === offset) return { line, column: i - start + 2 }; // between the CR and LF of one break
  }
  return { line, column: offset - start + 1 };
}

interface Stats { cases: number; clean: number; built: number; crashes: string[]; positions: number; badPositions: string[] }
const stats: Stats = { cases: 0, clean: 0, built: 0, crashes: [], positions: 0, badPositions: [] };

function check(text: string, label: string, build: boolean): { clean: boolean; codes: number[] } {
  stats.cases++;
  const bag = new DiagnosticBag();
  let program: Program;
  const crash = (what: string, err: unknown) => {
    stats.crashes.push(`${label}: ${what} threw ${(err as Error).stack?.split('\n').slice(0, 4).join(' | ')}\ninput: ${JSON.stringify(text).slice(0, 2000)}`);
    return { clean: false, codes: [] };
  };
  try {
    const unit = compileSource(text, FILE, path.resolve(FILE), schemas, LOOKUPS, process.cwd(), bag);
    program = { units: [unit], schemas, schemasDir: SCHEMAS, lookupsDir: LOOKUPS, diagnostics: bag.sorted(), hasErrors: bag.hasErrors, source: () => text };
    print(unit.ast);
  } catch (err) { return crash('compile or print', err); }
  for (const d of program.diagnostics) {
    const where = `${label}: FLOW${d.code} ${d.message.slice(0, 200)}\ninput: ${JSON.stringify(text).slice(0, 2000)}`;
    if (/internal (parser )?error/i.test(d.message)) { stats.crashes.push(where); continue; }
    const s = d.span;
    if (!Number.isInteger(d.code) || d.code <= 0 || !s || s.file !== FILE || !(0 <= s.start && s.start <= s.end && s.end <= text.length)) {
      stats.badPositions.push(`${where}\nspan ${JSON.stringify(s)}`); continue;
    }
    const a = editorPosition(text, s.start), b = editorPosition(text, s.end);
    stats.positions++;
    if (a.line !== s.line || a.column !== s.column || b.line !== s.endLine || b.column !== s.endColumn) {
      stats.badPositions.push(`${where}\nspan ${s.line}:${s.column}-${s.endLine}:${s.endColumn}, editor ${a.line}:${a.column}-${b.line}:${b.column}`);
    }
  }
  if (!program.hasErrors) {
    stats.clean++;
    if (build) {
      try { buildProgram(program, { typeCheck: false, emitJs: false }); stats.built++; }
      catch (err) { return crash('buildProgram', err); }
    }
  }
  return { clean: !program.hasErrors, codes: program.diagnostics.map((d) => d.code) };
}

/** Asserts the figures so far and prints them. */
function report(group: string): void {
  console.log(`fuzz, so far (${group}): ${stats.cases} cases run, ${stats.crashes.length} crashes, ${stats.positions} diagnostics checked for position (${stats.badPositions.length} wrong), ${stats.clean} clean, ${stats.built} built`);
  if (stats.crashes.length) {
    const kinds = new Map<string, number>();
    for (const c of stats.crashes) { const k = (c.split('\n')[0]!.replace(/^[^:]*: /, '').slice(0, 160)); kinds.set(k, (kinds.get(k) ?? 0) + 1); }
    console.log([...kinds].map(([k, n]) => `  ${n} x ${k}`).join('\n'));
  }
  expect(stats.crashes.slice(0, 3)).toEqual([]);
  expect(stats.badPositions.slice(0, 3)).toEqual([]);
}

// ---------- shapes ----------
test(`${MUTATIONS} mutations of the seed flows never crash the compiler`, () => {
  const rnd = prng(0xf10c);
  const all = seeds();
  let clean = 0;
  for (let i = 0; i < MUTATIONS; i++) {
    const seed = all[i % all.length]!;
    if (check(mutate(seed.text, rnd), `mutation #${i} of ${seed.name}`, clean < BUILDS_PER_GROUP).clean) clean++;
  }
  // Some mutations keep the flow valid, so the build path is exercised too.
  expect(clean).toBeGreaterThan(0);
  report('mutations');
});

test(`${SHAPES} chains, deep nesting, line endings, invalid UTF-8 and bad escapes never crash the compiler or misplace a diagnostic`, () => {
  const rnd = prng(0x5ba9e5);
  const all = seeds();
  const byKind = new Map<string, number>();
  let built = 0;
  for (let i = 0; i < SHAPES; i++) {
    const { kind, text } = shape(i, rnd, all);
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    const r = check(text, `shape #${i} (${kind})`, built < BUILDS_PER_GROUP * 2 && i % 6 <= 2);
    if (r.clean && i % 6 <= 2) built++;
  }
  console.log(`fuzz shapes: ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  expect(built).toBeGreaterThan(0);
  report('shapes');
});

test(`${RANDOM_INPUTS} random byte strings never crash the compiler`, () => {
  const rnd = prng(0xb17e5);
  for (let i = 0; i < RANDOM_INPUTS; i++) check(randomBytes(rnd), `random input #${i}`, false);
  report('total');
  expect(stats.cases).toBeGreaterThanOrEqual(10_000);
});

describe('the inputs that crashed or misled flowc before', () => {
  const codes = (text: string) => check(text, 'regression', false).codes;
  test.each(CHAINS.map(([operand, op]) => [op.trim(), operand]))("a chain of 10,000 '%s' is FLOW1005, not a stack overflow", (_op, operand) => {
    const op = CHAINS.find(([o]) => o === operand)![1];
    expect(codes(inFlow(`let x = ${Array(10_000).fill(operand).join(op)}`))).toContain(1005);
  });
  test.each(['.', '?.'])("a member chain of 10,000 '%s' is FLOW1005", (dot) => {
    expect(codes(inFlow(`let x = order${`${dot}email`.repeat(10_000)}`))).toContain(1005);
  });
  test('200 nested parentheses are FLOW1005 at the parenthesis past the limit', () => {
    const text = inFlow(`let x = ${'('.repeat(200)}1${')'.repeat(200)}`);
    const bag = new DiagnosticBag();
    compileSource(text, FILE, path.resolve(FILE), schemas, LOOKUPS, process.cwd(), bag);
    const d = bag.sorted().find((x) => x.code === 1005);
    // The value is level 1 and each '(' opens one more: the 65th '(' (column 11 + 64) is level 65.
    expect(d?.span).toMatchObject({ line: 4, column: 11 + 64 });
  });
  test("'\\u{110000}' is FLOW1006 at the escape", () => {
    const text = inFlow('let x = "ab\\u{110000}"');
    const bag = new DiagnosticBag();
    compileSource(text, FILE, path.resolve(FILE), schemas, LOOKUPS, process.cwd(), bag);
    expect(bag.sorted().map((d) => [d.code, d.span?.line, d.span?.column, d.span?.endColumn])).toEqual([[1006, 4, 14, 24]]);
  });
  test('dottedPath walks a member chain iteratively (it was recursive, copying the path at every level)', () => {
    let e: import('../grammar/ast.js').Expr = { kind: 'Ident', name: 'event', span: undefined as never };
    for (let i = 0; i < 100_000; i++) e = { kind: 'Member', object: e, name: { kind: 'Name', text: `f${i % 10}`, span: undefined as never }, optional: false, span: undefined as never };
    const p = dottedPath(e)!;
    expect(p).toHaveLength(100_001);
    expect(p.slice(0, 3)).toEqual(['event', 'f0', 'f1']);
  });
  test('a CR-only file defines its flow, with the diagnostics of its LF twin', () => {
    const lf = fs.readFileSync('test/fixtures/fuzz-seed.flow', 'utf8');
    const cr = lf.replace(/\r?\n/g, '\r');
    expect(check(cr, 'CR-only seed', false).codes).toEqual(check(lf, 'LF seed', false).codes);
    const bag = new DiagnosticBag();
    expect(compileSource(cr, FILE, path.resolve(FILE), schemas, LOOKUPS, process.cwd(), bag).ast.flows).toHaveLength(1);
  });
  test('a lookup file name with a NUL byte is a missing lookup file, not a file-system TypeError', () => {
    const src = 'flow F\n  on xcart.order.created\n  table t: string -> string from "xcart-\u0000carriers.yaml"\n';
    const bag = new DiagnosticBag();
    expect(() => compileSource(src, FILE, path.resolve(FILE), schemas, LOOKUPS, process.cwd(), bag)).not.toThrow();
    const codes = bag.sorted().map((d) => String(d.code));
    expect(codes.some((c) => c.startsWith('10'))).toBe(false); // it parses
    expect(codes.some((c) => c.startsWith('50'))).toBe(true); // a lookup diagnostic (FLOW50xx)
  });
});
