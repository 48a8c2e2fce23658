/**
 * Deterministic fuzzing of the front end (seeded PRNG; the same inputs on every run, no timing
 * assertions). Seeds: test/fixtures/fuzz-seed.flow (a real order flow), the kitchen sink, and any
 * mappings/*.flow present when the test runs. About 2,000 mutations of the seeds (delete, duplicate
 * or swap tokens and characters, insert random bytes and keywords, truncate, replace identifiers
 * with others) and 200 fully random byte strings must never make the compiler throw; every
 * diagnostic must have a code and a span inside the file; an input that checks without errors must
 * build (typeCheck off) without throwing.
 *
 * On a failure the message names the case number and the input (JSON), to paste into a fixture.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { compileSource, type Program } from '../compiler/program.js';
import { DiagnosticBag } from '../compiler/diagnostics/diagnostic.js';
import { loadSchemas } from '../compiler/schema/load-schemas.js';
import { buildProgram } from '../compiler/emitter/build.js';
import { keywordTokens } from '../grammar/tokens.js';

const SCHEMAS = path.resolve('mappings/schemas');
const LOOKUPS = path.resolve('test/fixtures/lookups');
const schemas = loadSchemas(SCHEMAS, process.cwd());
const MUTATIONS = 2000;
const RANDOM_INPUTS = 200;

/** mulberry32: small, fast, good enough for picking mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

function check(text: string, label: string): { clean: boolean } {
  const bag = new DiagnosticBag();
  let program: Program;
  try {
    const unit = compileSource(text, FILE, path.resolve(FILE), schemas, LOOKUPS, process.cwd(), bag);
    program = { units: [unit], schemas, schemasDir: SCHEMAS, lookupsDir: LOOKUPS, diagnostics: bag.sorted(), hasErrors: bag.hasErrors, source: () => text };
  } catch (err) {
    throw new Error(`${label}: compileSource threw ${(err as Error).stack}\ninput: ${JSON.stringify(text)}`);
  }
  for (const d of program.diagnostics) {
    const where = `${label}: FLOW${d.code} ${d.message}\ninput: ${JSON.stringify(text)}`;
    expect(Number.isInteger(d.code) && d.code > 0, where).toBe(true);
    expect(d.span, where).toBeDefined();
    const s = d.span!;
    expect(s.file, where).toBe(FILE);
    expect(0 <= s.start && s.start <= s.end && s.end <= text.length, `${where}\nspan ${s.start}..${s.end} of ${text.length}`).toBe(true);
    expect(s.line >= 1 && s.column >= 1, where).toBe(true);
  }
  if (!program.hasErrors) {
    try { buildProgram(program, { typeCheck: false, emitJs: false }); }
    catch (err) { throw new Error(`${label}: buildProgram threw ${(err as Error).stack}\ninput: ${JSON.stringify(text)}`); }
  }
  return { clean: !program.hasErrors };
}

test(`${MUTATIONS} mutations of the seed flows never crash the compiler`, () => {
  const rnd = prng(0xf10c);
  const all = seeds();
  let clean = 0;
  for (let i = 0; i < MUTATIONS; i++) {
    const seed = all[i % all.length]!;
    if (check(mutate(seed.text, rnd), `mutation #${i} of ${seed.name}`).clean) clean++;
  }
  // Some mutations keep the flow valid, so the build path is exercised too.
  expect(clean).toBeGreaterThan(0);
});

test(`${RANDOM_INPUTS} random byte strings never crash the compiler`, () => {
  const rnd = prng(0xb17e5);
  for (let i = 0; i < RANDOM_INPUTS; i++) check(randomBytes(rnd), `random input #${i}`);
});
