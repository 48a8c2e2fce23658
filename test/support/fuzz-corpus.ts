/**
 * The fuzz corpus of test/fuzz.test.ts as data: the same seeded generators (mutations of the seed
 * flows, chains, deep nesting, line endings, invalid UTF-8, bad escapes, random bytes) and the same
 * seeds and counts, so another front end (the formatter, the language server) can be run on exactly
 * the inputs the compiler is fuzzed with. test/fuzz.test.ts takes its generators from here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { keywordTokens } from '../../grammar/tokens.js';
import { mulberry32 as prng } from './prng.js';

export const MUTATIONS = 3000;
export const SHAPES = 6000;
export const RANDOM_INPUTS = 1000;

export function seeds(): { name: string; text: string }[] {
  const files = ['test/fixtures/fuzz-seed.flow', 'test/fixtures/kitchen-sink.flow'];
  if (fs.existsSync('mappings')) for (const f of fs.readdirSync('mappings').sort()) if (f.endsWith('.flow')) files.push(path.join('mappings', f));
  return files.map((f) => ({ name: f, text: fs.readFileSync(f, 'utf8') }));
}

const KEYWORDS = keywordTokens.map((t) => (t as { LABEL?: string }).LABEL!.slice(1, -1));
const SNIPPETS = [...KEYWORDS, '{', '}', '(', ')', '[', ']', '=>', '->', '?.', '??', '..', '|', ';', ',', ':', '=', '"', '"x"', '0', '1.5', '5m', '0d',
  '//', '/*', '*/', '\n', ' ', '\t', '\\', 'xcart', 'sagepro', 'xcart.orders.get(1)', 'order', 'event', '@', '€', '\u0000', '\ud800',
  // Statements whose words are not all keywords (`anomaly` is a name to the lexer), and a warn with its condition.
  'anomaly', '\n  hold when anomaly\n', '\n  warn "w" when true\n'];

/** Tokens as the mutator sees them: runs of name characters, numbers, strings, single other chars. */
function tokenize(text: string): string[] {
  return text.match(/"(?:[^"\\\n]|\\.)*"?|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?[a-z]*|\s+|[^]/g) ?? [];
}

export function mutate(text: string, rnd: () => number): string {
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

export function randomBytes(rnd: () => number): string {
  const n = Math.floor(rnd() * 400);
  // Latin-1 bytes as characters, as a wrongly decoded binary file would look; some printable runs.
  return Array.from({ length: n }, () => (rnd() < 0.5 ? String.fromCharCode(32 + Math.floor(rnd() * 95)) : String.fromCharCode(Math.floor(rnd() * 256)))).join('');
}


// ---------- shapes ----------
const HEAD = 'flow Shape\n  on xcart.order.created\n  fetch order: xcart.Order = xcart.orders.get(event.data.order_id)\n';
const TAIL = '\n  write xcart.orders.set_payment_status(order_id: order.id, code: "P")\n';
export const inFlow = (stmt: string) => `${HEAD}  ${stmt}${TAIL}`;

export const CHAINS: [string, string, string][] = [
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

export function shape(i: number, rnd: () => number, all: { text: string }[]): { kind: string; text: string } {
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


export interface FuzzCase { readonly label: string; readonly text: string }

/** Every case of the corpus, in the order test/fuzz.test.ts runs them. */
export function* fuzzCorpus(): Generator<FuzzCase> {
  const all = seeds();
  let rnd = prng(0xf10c);
  for (let i = 0; i < MUTATIONS; i++) {
    const seed = all[i % all.length]!;
    yield { label: `mutation #${i} of ${seed.name}`, text: mutate(seed.text, rnd) };
  }
  rnd = prng(0x5ba9e5);
  for (let i = 0; i < SHAPES; i++) { const { kind, text } = shape(i, rnd, all); yield { label: `shape #${i} (${kind})`, text }; }
  rnd = prng(0xb17e5);
  for (let i = 0; i < RANDOM_INPUTS; i++) yield { label: `random input #${i}`, text: randomBytes(rnd) };
}
