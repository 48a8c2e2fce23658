/**
 * The cached lookahead tables (lookahead-cache.ts) choose exactly what Chevrotain's own LL(k)
 * strategy chooses: every .flow file of the repository (shipped flows, test fixtures with errors) and
 * every prefix cut at a line end of the shipped flows (recovery paths) parse to the same AST and the
 * same issues with either. A second parser built from the same grammar finds every table in the cache.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParser, parse } from './index.js';
import { FlowParser } from './parser.js';

const REPO = path.resolve(import.meta.dirname, '..');
const saved = process.env.CONNECT_CACHE_DIR;
let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-lookahead-')); process.env.CONNECT_CACHE_DIR = tmp; });
afterAll(() => { if (saved === undefined) delete process.env.CONNECT_CACHE_DIR; else process.env.CONNECT_CACHE_DIR = saved; fs.rmSync(tmp, { recursive: true, force: true }); });

function flowFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) flowFiles(p, out); else if (e.name.endsWith('.flow')) out.push(p);
  }
  return out.sort();
}

describe('cached lookahead tables', () => {
  it('first build computes and stores them; the next build finds every one', () => {
    const first = new FlowParser();
    expect(first.lookaheadMisses).toBeGreaterThan(0);
    expect(fs.readdirSync(tmp).filter((f) => /^lookahead-[0-9a-f]{64}\.json$/.test(f))).toHaveLength(1);
    expect(new FlowParser().lookaheadMisses).toBe(0);
  });

  it('parse the same as Chevrotain\'s LLkLookaheadStrategy (every .flow file, and prefixes of the shipped ones)', () => {
    const cached = createParser('cached');
    expect(cached.lookaheadMisses).toBe(0);
    const stock = createParser('chevrotain');
    const files = flowFiles(REPO);
    expect(files.length).toBeGreaterThan(20);
    const texts: [string, string][] = files.map((f) => [path.relative(REPO, f), fs.readFileSync(f, 'utf8')]);
    for (const f of flowFiles(path.join(REPO, 'mappings')).filter((x) => !x.includes(`${path.sep}tests${path.sep}`))) {
      const text = fs.readFileSync(f, 'utf8');
      let at = 0;
      for (let i = 0; (at = text.indexOf('\n', at + 1)) > 0; i++) if (i % 3 === 0) texts.push([`${path.relative(REPO, f)}@${at}`, text.slice(0, at) + ' ( =']);
    }
    let withIssues = 0;
    for (const [name, text] of texts) {
      const a = parse(text, name, cached);
      const b = parse(text, name, stock);
      expect(a.ast, name).toEqual(b.ast);
      expect(a.issues, name).toEqual(b.issues);
      if (a.issues.length) withIssues++;
    }
    expect(withIssues).toBeGreaterThan(10);
  });
});
