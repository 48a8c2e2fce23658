/** Lookup files, loaded beside the schemas: each once per program, each entry with its position. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from '../../grammar/index.js';
import { loadLookups, referencedLookupFiles, type LookupFile } from './load-lookups.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookups-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, 'gl.yaml'), '# GL account per gateway\nentries:\n  Stripe: "1010"\n  PayPal: "1020"\n');
fs.writeFileSync(path.join(dir, 'broken.yaml'), 'A: { B\n');
fs.writeFileSync(path.join(dir, 'list.yaml'), '- A\n- B\n');

describe('loadLookups', () => {
  test('entries keep their place in the file; a missing file lists what is there; broken files say where', () => {
    const set = loadLookups(['gl.yaml', 'nope.yaml', 'broken.yaml', 'list.yaml'], dir, dir);
    const gl = set.get('gl.yaml')!;
    expect(gl.status).toBe('ok');
    if (gl.status !== 'ok') return;
    expect(gl.entries.map((e) => [e.key, e.value, e.span.file, e.span.line, e.span.column])).toEqual([
      ['Stripe', '1010', 'gl.yaml', 3, 3], ['PayPal', '1020', 'gl.yaml', 4, 3],
    ]);
    const nope = set.get('nope.yaml')!;
    expect(nope.status).toBe('missing');
    if (nope.status === 'missing') expect([...nope.candidates].sort()).toEqual(['broken.yaml', 'gl.yaml', 'list.yaml']);
    const broken = set.get('broken.yaml')!;
    expect(broken.status === 'invalid' && broken.span?.line).toBeGreaterThan(0);
    const list = set.get('list.yaml')!;
    expect(list.status === 'invalid' && list.problem).toBe("expected a mapping of keys to values (optionally under 'entries')");
  });

  test('with one cache per program a file is read once, however many flows name it', () => {
    const cache = new Map<string, LookupFile>();
    const first = loadLookups(['gl.yaml'], dir, dir, cache).get('gl.yaml');
    fs.writeFileSync(path.join(dir, 'gl.yaml'), 'Stripe: "9999"\n');
    expect(loadLookups(['gl.yaml'], dir, dir, cache).get('gl.yaml')).toBe(first);
    // A new program (a new cache) reads the file as it is now.
    const again = loadLookups(['gl.yaml'], dir, dir).get('gl.yaml')!;
    expect(again.status === 'ok' && again.entries.map((e) => e.value)).toEqual(['9999']);
  });

  test('no lookups folder: every file is missing, and says so', () => {
    const f = loadLookups(['gl.yaml'], undefined, dir).get('gl.yaml')!;
    expect(f).toMatchObject({ status: 'missing', dir: 'no lookups folder', candidates: [] });
  });

  test('the files a flow file names, once each, in source order', () => {
    const { ast } = parse([
      'flow A', '  on schedule every 1h',
      '  table a: string -> string from "x.yaml"', '  table b: string -> string from "y.yaml"', '  table c: string -> string from "x.yaml"',
    ].join('\n'), 'a.flow');
    expect(referencedLookupFiles(ast)).toEqual(['x.yaml', 'y.yaml']);
  });
});
