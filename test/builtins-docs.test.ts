/**
 * runtime/BUILTINS.md is tied to the code: this test fails when
 *  - a builtin the checker accepts (compiler/checker/builtins.ts) is missing from BUILTINS.md or from
 *    the runtime's exports (runtime/builtins.ts);
 *  - BUILTINS.md lists a function the runtime does not export, or the runtime exports a function
 *    BUILTINS.md does not list;
 *  - a section of BUILTINS.md names a file (`runtime/builtins/<concern>.ts`) that does not export the
 *    functions listed under it;
 *  - a documented signature disagrees with the checker's: the number of parameters, how many are
 *    optional (`= default`), the kind of each (string, int, number, textlike, list, a lambda and
 *    what it returns...) or the kind of the result;
 *  - a runtime builtins file is not re-exported by runtime/builtins.ts, not copied into builds
 *    (RUNTIME_FILES) or not linked in test/fixtures/emit/runtime/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILTINS, type ArgInfo, type BuiltinSig, type ParamKind } from '../compiler/checker/builtins.js';
import { RUNTIME_FILES } from '../compiler/emitter/build.js';
import { BOOL, DATE, DATETIME, DECIMAL, ERROR, INT, STRING, listOf, type Type } from '../compiler/schema/types.js';
import * as runtime from '../runtime/builtins.js';

const DOC = 'runtime/BUILTINS.md';

interface DocParam { readonly name: string; readonly type: string; readonly optional: boolean }
interface DocEntry { readonly name: string; readonly params: readonly DocParam[]; readonly result?: string; readonly line: number; readonly file?: string }

/** Splits at commas outside (), <>, {} (a lambda's `->` is not a closing bracket). */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '(' || c === '<' || c === '{') depth++;
    else if ((c === ')' || c === '}' || (c === '>' && s[i - 1] !== '-'))) depth--;
    if (c === ',' && depth === 0) { out.push(cur.trim()); cur = ''; } else cur += c;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

/** `name(a: T, b: U = d): R` → its parts; undefined when the text is not a signature. */
function parseSignature(text: string, line: number, file: string | undefined): DocEntry | undefined {
  const m = /^([a-z_][a-z0-9_]*)\((.*)$/.exec(text);
  if (!m) return undefined;
  const rest = m[2]!;
  let depth = 1;
  let i = 0;
  for (; i < rest.length && depth > 0; i++) {
    if (rest[i] === '(') depth++;
    else if (rest[i] === ')') depth--;
  }
  const inner = rest.slice(0, i - 1);
  const after = rest.slice(i).trim();
  const params = splitTop(inner).map((p) => {
    const [decl, dflt] = p.split(/\s=\s/, 2) as [string, string | undefined];
    const colon = decl.indexOf(':');
    return { name: (colon < 0 ? decl : decl.slice(0, colon)).trim(), type: colon < 0 ? '' : decl.slice(colon + 1).trim(), optional: dflt !== undefined };
  });
  return { name: m[1]!, params, ...(after.startsWith(':') ? { result: after.slice(1).trim() } : {}), line, ...(file ? { file } : {}) };
}

/** Every signature in the first cell of BUILTINS.md's function tables, with the file its section names. */
function docEntries(text: string): DocEntry[] {
  const out: DocEntry[] = [];
  let file: string | undefined;
  text.split('\n').forEach((l, n) => {
    if (l.startsWith('## ')) {
      const f = /`(?:runtime\/)?(builtins\/[a-z-]+\.ts)`/.exec(l);
      file = f ? f[1] : undefined;
      return;
    }
    if (!l.startsWith('| `')) return;
    const cell = l.slice(1).split(/(?<!\\)\|/)[0]!;
    for (const m of cell.matchAll(/`([^`]+)`/g)) {
      const e = parseSignature(m[1]!.replace(/\\\|/g, '|'), n + 1, file);
      if (e) out.push(e);
    }
  });
  return out;
}

/** What the checker accepts for a documented parameter type. */
function docParamKind(t: string): ParamKind | 'lambda:bool' | 'lambda:number' | 'lambda:any' | undefined {
  const lambda = /^\(.*\)\s*->\s*(.+)$/.exec(t);
  if (lambda) {
    const r = lambda[1]!.trim();
    return r === 'bool' ? 'lambda:bool' : r === 'number' || r === 'decimal' || r === 'int' ? 'lambda:number' : 'lambda:any';
  }
  const base = t.replace(/\?$/, '');
  if (/^list(<.*>)?$/.test(base)) return 'list';
  if (base === 'decimal') return 'number'; // the checker accepts an int wherever a decimal goes
  if (['string', 'int', 'bool', 'date', 'datetime', 'number', 'textlike', 'any'].includes(base)) return base as ParamKind;
  return undefined;
}

function checkerParamKind(sig: BuiltinSig, i: number): string {
  const k = sig.params[i]!;
  if (k === 'lambda') return `lambda:${sig.lambdaResult ?? 'any'}`;
  return k === 'decimal' ? 'number' : k;
}

/** The checker's result kind when called with arguments of its parameters' kinds. */
function checkerResultKind(sig: BuiltinSig): string {
  const argOf = (k: ParamKind): ArgInfo => {
    const type: Type = k === 'string' || k === 'textlike' ? STRING : k === 'int' ? INT : k === 'number' || k === 'decimal' ? DECIMAL
      : k === 'bool' ? BOOL : k === 'date' ? DATE : k === 'datetime' ? DATETIME : k === 'list' ? listOf(STRING) : ERROR;
    return { type };
  };
  const t = sig.result(sig.params.map(argOf));
  if (t.kind === 'prim') return t.name;
  if (t.kind === 'list' || t.kind === 'object') return t.kind;
  return 'any';
}

/** Does a documented result type agree with the checker's result kind? */
function resultAgrees(doc: string, kind: string): boolean {
  const t = doc.replace(/\?$/, '');
  if (kind === 'any') return true; // the checker leaves it untyped
  if (/^[A-Z]$/.test(t)) return kind !== 'list' && kind !== 'object'; // a type variable: one element or value
  if (/^list(<.*>)?$/.test(t)) return kind === 'list';
  if (t.startsWith('{')) return kind === 'object';
  if (t === 'number') return kind === 'int' || kind === 'decimal';
  return t === kind;
}

const docText = fs.readFileSync(DOC, 'utf8');
const entries = docEntries(docText);
const documented = new Map(entries.map((e) => [e.name, e]));
const exported = new Set(Object.entries(runtime).filter(([, v]) => typeof v === 'function').map(([k]) => k));

describe('runtime/BUILTINS.md is tied to the code', () => {
  it('lists each function once', () => {
    expect(entries.length).toBeGreaterThan(40);
    const seen = new Set<string>();
    for (const e of entries) {
      expect(seen.has(e.name), `${DOC}:${e.line} lists ${e.name} a second time`).toBe(false);
      seen.add(e.name);
    }
  });

  it('lists every builtin the checker accepts, and the runtime exports each', () => {
    for (const name of Object.keys(BUILTINS)) {
      expect(documented.has(name), `compiler/checker/builtins.ts accepts ${name}(...), which ${DOC} does not list`).toBe(true);
      expect(exported.has(name), `compiler/checker/builtins.ts accepts ${name}(...), which runtime/builtins.ts does not export`).toBe(true);
    }
  });

  it('lists exactly the functions the runtime exports', () => {
    for (const e of entries) expect(exported.has(e.name), `${DOC}:${e.line} lists ${e.name}, which runtime/builtins.ts does not export`).toBe(true);
    for (const name of exported) expect(documented.has(name), `runtime/builtins.ts exports ${name}, which ${DOC} does not list`).toBe(true);
  });

  it('lists each function under the section of the file that defines it', async () => {
    for (const e of entries) {
      expect(e.file, `${DOC}:${e.line}: the section of ${e.name} names no runtime/builtins/<concern>.ts file`).toBeDefined();
      const mod = (await import(/* @vite-ignore */ pathToFileURL(path.resolve('runtime', e.file!)).href)) as Record<string, unknown>;
      expect(typeof mod[e.name], `${DOC}:${e.line} lists ${e.name} under runtime/${e.file}, which does not export it`).toBe('function');
    }
  });

  it('documents the signature the checker checks', () => {
    const problems: string[] = [];
    for (const [name, sig] of Object.entries(BUILTINS)) {
      const e = documented.get(name);
      if (!e) continue;
      const where = `${DOC}:${e.line} ${name}`;
      if (e.params.length !== sig.params.length) {
        problems.push(`${where}: ${e.params.length} parameters, the checker takes ${sig.params.length}`);
        continue;
      }
      const optional = e.params.filter((p) => p.optional).length;
      if (optional !== (sig.optional ?? 0)) problems.push(`${where}: ${optional} optional parameters, the checker has ${sig.optional ?? 0}`);
      e.params.forEach((p, i) => {
        const kind = docParamKind(p.type);
        if (kind === undefined) problems.push(`${where}: parameter ${p.name} has a type the test does not know: '${p.type}'`);
        else if (kind !== checkerParamKind(sig, i)) problems.push(`${where}: parameter ${p.name} is '${p.type}', the checker expects ${checkerParamKind(sig, i)}`);
      });
      const kind = checkerResultKind(sig);
      if (e.result === undefined) problems.push(`${where}: no result type (the checker gives ${kind})`);
      else if (!resultAgrees(e.result, kind)) problems.push(`${where}: returns '${e.result}', the checker gives ${kind}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('every runtime builtins file goes into builds', () => {
  const files = fs.readdirSync('runtime/builtins').filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `builtins/${f}`);

  it('is re-exported by runtime/builtins.ts (all but internal.ts, which is no builtin)', () => {
    const index = fs.readFileSync('runtime/builtins.ts', 'utf8');
    for (const f of files) {
      const line = `export * from './${f.replace(/\.ts$/, '.js')}';`;
      if (f === 'builtins/internal.ts') expect(index, `runtime/builtins.ts must not re-export ${f}`).not.toContain(line);
      else expect(index, `runtime/builtins.ts: ${line}`).toContain(line);
    }
  });

  it('is copied by flowc build (RUNTIME_FILES in compiler/emitter/build.ts)', () => {
    for (const f of ['builtins.ts', ...files]) expect(RUNTIME_FILES, `runtime/${f}`).toContain(f);
  });

  it('is linked in test/fixtures/emit/runtime/ (so the golden modules type-check in place)', () => {
    for (const f of ['builtins.ts', ...files]) {
      const link = path.join('test/fixtures/emit/runtime', f);
      expect(fs.existsSync(link) && fs.lstatSync(link).isSymbolicLink(), `${link} links ../runtime/${f}`).toBe(true);
      expect(fs.realpathSync(link), link).toBe(fs.realpathSync(path.join('runtime', f)));
    }
  });
});
