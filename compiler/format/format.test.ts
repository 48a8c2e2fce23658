/**
 * `flowc fmt`: on every .flow file of the repository (test/ fixtures, mappings/, bench/flows/) and on
 * the fuzz corpus (test/support/fuzz-corpus.ts, the inputs test/fuzz.test.ts runs), each file that
 * parses formats idempotently (fmt(fmt(x)) == fmt(x)), to the same AST (spans stripped) and with the
 * same comments in the same order; a file with syntax errors comes back untouched with its issues.
 * Golden files for messy inputs (fixtures/*.flow → *.flow.golden; UPDATE_GOLDEN=1 rewrites them), and
 * the command: `flowc fmt` rewrites, `--check` lists and exits 1, syntax errors are left alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from '../../grammar/index.js';
import { formatSource, stripSpans } from './format.js';
import { lexComments } from './comments.js';
import { runFmt } from './fmt-command.js';
import { fuzzCorpus } from '../../test/support/fuzz-corpus.js';

function flowFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.flow')).map((f) => path.join(dir, f)).sort();
}
const FILES = [...flowFiles('test'), ...flowFiles('mappings'), ...flowFiles('bench/flows')];

/** Checks the three properties, written apart from format.ts's own check; returns whether the text parsed. */
function checkProperties(text: string, label: string): boolean {
  const before = parse(text, 'x.flow');
  const r = formatSource(text, 'x.flow', { verify: false });
  if (before.issues.length) {
    if (r.text !== text || r.changed || r.issues.length === 0) expect({ text: r.text, changed: r.changed, issues: r.issues.length }, label).toEqual({ text, changed: false, issues: before.issues.length });
    return false;
  }
  const after = parse(r.text, 'x.flow');
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (after.issues.length) expect(after.issues, `${label}: the formatted text does not parse:\n${r.text}`).toEqual([]);
  if (!same(stripSpans(after.ast), stripSpans(before.ast))) expect(stripSpans(after.ast), `${label}: another AST`).toEqual(stripSpans(before.ast));
  const comments = (t: string) => lexComments(t).comments.map((c) => c.text.replace(/\r\n?/g, '\n'));
  if (!same(comments(r.text), comments(text))) expect(comments(r.text), `${label}: comments moved or lost`).toEqual(comments(text));
  const again = formatSource(r.text, 'x.flow', { verify: false }).text;
  if (again !== r.text) expect(again, `${label}: not idempotent`).toBe(r.text);
  return true;
}

describe('flowc fmt on every .flow file of the repository', () => {
  test(`${FILES.length} files: idempotent, same AST, same comments; syntax errors untouched`, () => {
    let parsed = 0, changed = 0;
    for (const f of FILES) {
      const text = fs.readFileSync(f, 'utf8');
      if (checkProperties(text, f)) { parsed++; if (formatSource(text, f).changed) changed++; }
    }
    console.log(`fmt fixtures: ${FILES.length} files, ${parsed} parse (${changed} would change), ${FILES.length - parsed} with syntax errors left untouched`);
    expect(parsed).toBeGreaterThan(50);
    expect(FILES.length - parsed).toBeGreaterThan(0);
  });
});

/**
 * The whole corpus takes about a minute (most of it parsing 10,000 inputs three times), too long for
 * every run: by default every 10th case is run (FMT_FUZZ=all runs them all).
 */
const FUZZ_STEP = process.env.FMT_FUZZ === 'all' ? 1 : 10;

describe('flowc fmt on the fuzz corpus', () => {
  test(`every ${FUZZ_STEP === 1 ? '' : `${FUZZ_STEP}th `}case that parses: idempotent, same AST, same comments; the rest untouched`, () => {
    let cases = 0, parsed = 0, i = 0;
    for (const c of fuzzCorpus()) {
      if (i++ % FUZZ_STEP !== 0) continue;
      cases++;
      let ok: boolean;
      try { ok = checkProperties(c.text, c.label); }
      catch (err) { throw new Error(`${c.label}: ${(err as Error).message.slice(0, 2000)}\ninput: ${JSON.stringify(c.text).slice(0, 2000)}`); }
      if (ok) parsed++;
    }
    console.log(`fmt fuzz corpus: ${cases} cases, ${parsed} parse and were formatted, ${cases - parsed} left untouched`);
    expect(cases).toBeGreaterThanOrEqual(10_000 / FUZZ_STEP);
    expect(parsed).toBeGreaterThan(300 / FUZZ_STEP);
  }, 180_000);
});

describe('golden layouts', () => {
  const dir = path.join(import.meta.dirname, 'fixtures');
  test.each(fs.readdirSync(dir).filter((f) => f.endsWith('.flow')).sort())('%s', (name) => {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    const out = formatSource(text, name).text;
    const golden = path.join(dir, `${name}.golden`);
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden, out);
    expect(out).toBe(fs.readFileSync(golden, 'utf8'));
    checkProperties(text, name);
  });

  test('a line comment stays after its element, and a list holding one is broken one element per line', () => {
    const out = formatSource('flow F\n  on xcart.order.created\n  let a = { b = 1 // one\n c = 2 }\n', 'f.flow').text;
    expect(out).toBe('flow F\n  on xcart.order.created\n  let a = {\n    b = 1 // one\n    c = 2\n  }\n');
  });

  test('blank-line groups: one blank line kept between groups, none at the start of a list', () => {
    const out = formatSource('flow F\n\n\n  on xcart.order.created\n\n\n\n  let a = 1\n  let b = 2\n\n  let c = 3\n', 'f.flow').text;
    expect(out).toBe('flow F\n  on xcart.order.created\n\n  let a = 1\n  let b = 2\n\n  let c = 3\n');
  });

  test('CRLF and a byte order mark are kept', () => {
    const out = formatSource('\uFEFFflow F\r\n  on   xcart.order.created\r\n', 'f.flow').text;
    expect(out).toBe('\uFEFFflow F\r\n  on xcart.order.created\r\n');
  });
});

describe('the flowc fmt command', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowc-fmt-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const run = (paths: string[], check: boolean) => {
    let out = '', err = '';
    const code = runFmt(paths, { check }, { out: (s) => { out += s; }, err: (s) => { err += s; } });
    return { code, out, err };
  };
  const messy = 'flow A\n  on   xcart.order.created // trigger\n  let x = (1+2)\n';
  const clean = 'flow B\n  on xcart.order.created\n';
  const broken = 'flow C\n  on xcart.order.created\n  let x = (1 +\n';

  test('--check lists the files that would change and exits 1; nothing is written', () => {
    const dir = path.join(tmp, 'check');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.flow'), messy);
    fs.writeFileSync(path.join(dir, 'b.flow'), clean);
    const r = run([dir], true);
    expect(r.code).toBe(1);
    expect(r.out).toBe(`${path.relative(process.cwd(), path.join(dir, 'a.flow'))}\n`);
    expect(r.err).toContain('1 file would be reformatted');
    expect(fs.readFileSync(path.join(dir, 'a.flow'), 'utf8')).toBe(messy);
    expect(run([path.join(dir, 'b.flow')], true)).toMatchObject({ code: 0, out: '' });
  });

  test('without --check the files are rewritten, and a second --check passes', () => {
    const dir = path.join(tmp, 'write');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.flow'), messy);
    const r = run([dir], false);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'a.flow'), 'utf8')).toBe('flow A\n  on xcart.order.created // trigger\n  let x = 1 + 2\n');
    expect(run([dir], true).code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['a.flow']);
  });

  test('a file with syntax errors is left untouched, with its diagnostics, and the run exits 1', () => {
    const dir = path.join(tmp, 'broken');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'c.flow'), broken);
    fs.writeFileSync(path.join(dir, 'a.flow'), messy);
    const r = run([dir], false);
    expect(r.code).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'c.flow'), 'utf8')).toBe(broken);
    expect(r.err).toMatch(/error FLOW1001: .*\n.*c\.flow:4:1/);
    expect(r.err).toContain('has syntax errors; left as it is');
    // The other file is still formatted.
    expect(fs.readFileSync(path.join(dir, 'a.flow'), 'utf8')).not.toBe(messy);
  });

  test('a file that is not valid UTF-8 is never rewritten', () => {
    const dir = path.join(tmp, 'bytes');
    fs.mkdirSync(dir);
    const bytes = Buffer.concat([Buffer.from('flow D\n  on   xcart.order.created\n  let s = "'), Buffer.from([0xff]), Buffer.from('"\n')]);
    fs.writeFileSync(path.join(dir, 'd.flow'), bytes);
    const r = run([dir], false);
    expect(r.code).toBe(1);
    expect(r.err).toContain('not valid UTF-8');
    expect(fs.readFileSync(path.join(dir, 'd.flow')).equals(bytes)).toBe(true);
  });
});
