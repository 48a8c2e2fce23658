/**
 * Loads the lookup table files a program's flows reference (`table x: K -> V from "file.yaml"`), each
 * once, beside the schemas (program.ts wires it; the checker only reads the result). A file is a YAML
 * mapping of keys to values, optionally under `entries`. Each entry keeps its position in the file,
 * so a diagnostic about one value can point at it. Nothing here reports: the checker turns a missing
 * or broken file into FLOW5003/5004/5005 at the `from "..."` of the table that names it.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML, { isMap, isScalar, type Node as YamlNode } from 'yaml';
import type * as A from '../../grammar/ast.js';
import { LineMap, type Span } from '../../grammar/span.js';

export interface LookupEntry {
  /** The key as YAML wrote it (numbers as their text: `2`). */
  readonly key: string;
  readonly value: unknown;
  /** Where the entry is in the lookup file (its key). */
  readonly span: Span;
}

export type LookupFile =
  /** No such file; `dir` as displayed, `candidates` the names of the files that are there. */
  | { readonly status: 'missing'; readonly file: string; readonly dir: string; readonly candidates: readonly string[] }
  /** Not YAML, or YAML but not a mapping; `problem` (without a trailing '.') and where. */
  | { readonly status: 'invalid'; readonly file: string; readonly shown: string; readonly text: string; readonly problem: string; readonly span?: Span }
  | { readonly status: 'ok'; readonly file: string; readonly shown: string; readonly text: string; readonly entries: readonly LookupEntry[] };

/** The lookup files by the name a flow gives them (relative to the lookups folder). */
export type LookupSet = ReadonlyMap<string, LookupFile>;

/** The file names the tables of a parsed file read, in source order, each once. */
export function referencedLookupFiles(ast: A.FlowFile): string[] {
  const out = new Set<string>();
  for (const flow of ast.flows) for (const item of flow.items) if (item.kind === 'TableDecl' && item.from) out.add(item.from.value);
  return [...out];
}

/**
 * Loads `files` from `lookupsDir` (undefined: there is no lookups folder). `cache` (one per program)
 * holds what was already loaded, so a file that many flows share is read and parsed once.
 */
export function loadLookups(files: readonly string[], lookupsDir: string | undefined, displayBase: string, cache = new Map<string, LookupFile>()): LookupSet {
  const out = new Map<string, LookupFile>();
  for (const file of files) {
    let f = cache.get(file);
    if (!f) { f = loadLookupFile(file, lookupsDir, displayBase); cache.set(file, f); }
    out.set(file, f);
  }
  return out;
}

function loadLookupFile(file: string, dir: string | undefined, displayBase: string): LookupFile {
  // A name with a NUL byte is no file (the file system APIs throw on one): reported as missing.
  const abs = dir && !file.includes('\0') ? path.resolve(dir, file) : undefined;
  if (!abs || !fs.statSync(abs, { throwIfNoEntry: false })?.isFile()) {
    const shownDir = dir ? path.relative(displayBase, dir) || dir : 'no lookups folder';
    const candidates = dir && fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    return { status: 'missing', file, dir: shownDir, candidates };
  }
  const shown = path.relative(displayBase, abs);
  const text = fs.readFileSync(abs, 'utf8');
  const lines = new LineMap(text);
  const doc = YAML.parseDocument(text);
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    return { status: 'invalid', file, shown, text, problem: e.message.split('\n')[0]!, span: lines.span(shown, e.pos[0], e.pos[1]) };
  }
  const root = doc.contents as YamlNode | null;
  const node = isMap(root) && root.items.some((p) => isScalar(p.key) && p.key.value === 'entries') ? root.get('entries', true) as YamlNode | undefined : root;
  if (!isMap(node)) return { status: 'invalid', file, shown, text, problem: "expected a mapping of keys to values (optionally under 'entries')" };
  const js = doc.toJS() as Record<string, unknown>;
  const values = (node === root ? js : js.entries) as Record<string, unknown>;
  const spans = new Map<string, Span>();
  for (const p of node.items) {
    const k = p.key as YamlNode | null;
    const r = k?.range;
    if (isScalar(k) && r) spans.set(String(k.value), lines.span(shown, r[0], Math.max(r[0], r[1])));
  }
  const entries = Object.entries(values).map(([key, value]) => ({ key, value, span: spans.get(key) ?? lines.span(shown, 0, 0) }));
  return { status: 'ok', file, shown, text, entries };
}
