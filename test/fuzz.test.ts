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
import { keywordTokens } from '../grammar/tokens.js';
import { print } from '../grammar/print.js';
import { dottedPath } from '../compiler/checker/expressions.js';
import { mulberry32 as prng } from './support/prng.js';

const SCHEMAS = path.resolve('mappings/schemas');
const LOOKUPS = path.resolve('test/fixtures/lookups');
const schemas = loadSchemas(SCHEMAS, process.cwd());
const MUTATIONS = 3000;
const SHAPES = 6000;
const RANDOM_INPUTS = 1000;
/** Clean cases that are also built (building is slow; the first ones of each group). */
const BUILDS_PER_GROUP = 12;


function seeds(): { name: string; text: string }[] {
  const files = ['test/fixtures/fuzz-seed.flow', 'test/fixtures/kitchen-sink.flow'];
  if (fs.existsSync('mappings')) for (const f of fs.readdirSync('mappings').sort()) if (f.endsWith('.flow')) files.push(path.join('mappings', f));
  return files.map((f) => ({ name: f, text: fs.readFileSync(f, 'utf8') }));
}

const KEYWORDS = keywordTokens.map((t) => (t as { LABEL?: string }).LABEL!.slice(1, -1));
const SNIPPETS = [...KEYWORDS, '{', '}', '(', ')', '[', ']', '=>', '->', '?.', '??', '..', '|', ';', ',', ':', '=', '"', '"x"', '0', '1.5', '5m', '0d',
  '//', '/*', '*/', '\n', ' ', '\t', '\\', 'xcart', 'sagepro', 'xcart.orders.get(1)', 'order', 'event', '@', '€', '\u0000', '\ud800'];

/** Tokens as the mutator sees them: runs of name characters, numbers, strings, single other chars. */
function tokenize(text: string): string[] {
  return text.match(/"(?:[^"\\\n]|\\.)*"?|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?[a-z]*|\s+|[^]/g) ?? [];
}

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const at = (n: number) => Math.floor(rnd() * (n + 1));
  let out = text;
  const rounds = 1 + Math.floor(rnd() * 3);
  for (let r = 0; r < rounds; r++) {
    const toks = tokenize(out);
    const i = Math.floor(rnd() * Math.max(1, toks.length));
    switch (Math.floor(rnd() * 10)) {
      case 0: toks.splice(i, 1); out = toks.join(''); break;                                   // delete a token
      case 1: toks.splice(i, 0, toks[i] ?? ''); out = toks.join(''); break;                    // duplicate a token
      case 2: { const j = Math.floor(rnd() * toks.length); [toks[i], toks[j]] = [toks[j]!, toks[i]!]; out = toks.join(''); break; } // swap two tokens
      case 3: { const p = at(out.length); out = out.slice(0, p) + pick(SNIPPETS) + out.slice(p); break; } // insert a keyword or punctuation
      case 4: { const p = at(out.length); const bytes = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => String.fromCharCode(Math.floor(rnd() * 256))).join(''); out = out.slice(0, p) + bytes + out.slice(p); break; } // random bytes
      case 5: out = out.slice(0, at(out.length)); break;                                       // truncate
      case 6: { const p = at(out.length); out = out.slice(0, p) + out.slice(p + 1 + Math.floor(rnd() * 3)); break; } // delete characters
      case 7: { const p = at(Math.max(0, out.length - 2)); out = out.slice(0, p) + (out[p + 1] ?? '') + (out[p] ?? '') + out.slice(p + 2); break; } // swap characters
      default: {                                                                                // replace an identifier with another
        const names = toks.filter((t) => /^[A-Za-z_]/.test(t));
        const idx = toks.map((t, k) => (/^[A-Za-z_]/.test(t) ? k : -1)).filter((k) => k >= 0);
        if (idx.length) { toks[pick(idx)] = pick(names); out = toks.join(''); }
      }
    }
  }
  return out;
}

function randomBytes(rnd: () => number): string {
  const n = Math.floor(rnd() * 400);
  // Latin-1 bytes as characters, as a wrongly decoded binary file would look; some printable runs.
  return Array.from({ length: n }, () => (rnd() < 0.5 ? String.fromCharCode(32 + Math.floor(rnd() * 95)) : String.fromCharCode(Math.floor(rnd() * 256)))).join('');
}

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
const HEAD = 'flow Shape\n  on xcart.order.created\n  fetch order: xcart.Order = xcart.orders.get(event.data.order_id)\n';
const TAIL = '\n  write xcart.orders.set_payment_status(order_id: order.id, code: "P")\n';
const inFlow = (stmt: string) => `${HEAD}  ${stmt}${TAIL}`;

const CHAINS: [string, string, string][] = [
  // [operand, operator, wrapper]: the chain is `operand op operand op ...`
  ['1', ' + ', 'let x = '], ['true', ' && ', 'let x = '], ['true', ' == ', 'let x = '], ['order.email', ' ?? ', 'let x = '],
  ['1', ' - ', 'let x = '], ['2', ' * ', 'let x = '], ['false', ' || ', 'let x = '], ['1', ' < ', 'let x = '], ['"a"', ' + ', 'let x = '],
  ['x', ' or ', 'let x = '],
];
const NESTS: [string, string, string][] = [
  // [open, core, close] repeated depth times
  ['(', '1', ')'], ['[', '1', ']'], ['not ', 'true', ''], ['-', '1', ''], ['- ', '1', ''], ['if true then ', '1', ' else 2'],
  ['{a = ', '1', '}'], ['abs(', '1', ')'], ['count([1], y => ', 'true', ')'], ['match 1 { 1 => ', '2', ' }'], ['reject ', '"r"', ''],
  ['each [1] as i { a = ', '1', ' }'], ['x => ', '1', ''],
];

function chainLength(rnd: () => number): number {
  const r = rnd();
  if (r < 0.01) return 10_000 + Math.floor(rnd() * 2_000);      // the crashers
  if (r < 0.1) return 200 + Math.floor(rnd() * 200);           // around the depth limit
  return 1 + Math.floor(rnd() * 60);
}

function withLineEndings(text: string, rnd: () => number, only?: string): string {
  return text.split(/\r\n|\r|\n/).map((l, i, all) => l + (i === all.length - 1 ? '' : only ?? ['\n', '\r\n', '\r'][Math.floor(rnd() * 3)]!)).join('');
}

const BAD_BYTES = [[0xff], [0xfe], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xf0, 0x9f, 0x98], [0xef, 0xbb, 0xbf]];

function withInvalidUtf8(text: string, rnd: () => number): string {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let at = 0;
  const n = 1 + Math.floor(rnd() * 4);
  const cuts = Array.from({ length: n }, () => Math.floor(rnd() * (bytes.length + 1))).sort((a, b) => a - b);
  for (const c of cuts) { parts.push(bytes.subarray(at, c), Buffer.from(BAD_BYTES[Math.floor(rnd() * BAD_BYTES.length)]!)); at = c; }
  parts.push(bytes.subarray(at));
  // As the CLI reads a file: invalid sequences become U+FFFD, a leading BOM is dropped.
  return Buffer.concat(parts).toString('utf8').replace(/^\uFEFF/, '');
}

function badEscape(rnd: () => number): string {
  const hex = Math.floor(rnd() * 3) === 0 ? (0xd800 + Math.floor(rnd() * 0x800)).toString(16) : Math.floor(rnd() * 0x2000000).toString(16);
  const forms = [`\\u{${hex}}`, '\\u{}', '\\u{zz}', '\\u{110000}', '\\', `\\u{${'0'.repeat(1 + Math.floor(rnd() * 20))}41}`, '\\q', '\\\r'];
  return forms[Math.floor(rnd() * forms.length)]!;
}

function shape(i: number, rnd: () => number, all: { text: string }[]): { kind: string; text: string } {
  const seed = all[i % all.length]!.text;
  switch (i % 6) {
    case 0: {
      const [operand, op, prefix] = CHAINS[Math.floor(rnd() * CHAINS.length)]!;
      return { kind: `chain '${op.trim()}'`, text: inFlow(prefix + Array(chainLength(rnd)).fill(operand).join(op)) };
    }
    case 1: {
      const member = rnd() < 0.5 ? '.email' : '?.email';
      return { kind: `member chain '${member.slice(0, -5)}'`, text: inFlow(`let x = order${member.repeat(chainLength(rnd))}`) };
    }
    case 2: {
      const [open, core, close] = NESTS[Math.floor(rnd() * NESTS.length)]!;
      const r = rnd();
      const depth = r < 0.01 ? 10_000 : r < 0.3 ? 50 + Math.floor(rnd() * 250) : 1 + Math.floor(rnd() * 70);
      return { kind: `nesting '${open.trim()}'`, text: inFlow(`let x = ${open.repeat(depth)}${core}${close.repeat(depth)}`) };
    }
    case 3: {
      const base = rnd() < 0.3 ? mutate(seed, rnd) : seed;
      return rnd() < 0.5 ? { kind: 'CR-only line endings', text: withLineEndings(base, rnd, '\r') } : { kind: 'mixed line endings', text: withLineEndings(base, rnd) };
    }
    case 4: {
      const base = rnd() < 0.5 ? withLineEndings(seed, rnd) : seed;
      return { kind: 'invalid UTF-8', text: withInvalidUtf8(base, rnd) };
    }
    default: {
      const body = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => badEscape(rnd)).join('x');
      const text = inFlow(`let x = "a${body}b"`);
      return { kind: 'bad escape', text: rnd() < 0.3 ? withLineEndings(text, rnd) : text };
    }
  }
}

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
