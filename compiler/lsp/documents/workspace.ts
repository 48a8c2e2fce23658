/**
 * The language server's state: the open documents and, per document version, its analysis on the
 * compiler's own pipeline (compileSource: the parser, the checker and their diagnostics, exactly as
 * `flowc check` makes them), the entity schemas and catalogs of each schemas folder (loaded once,
 * dropped when a file under it changes), and the lookup files of each lookups folder (likewise).
 *
 * Which schemas and lookups a document uses is what `flowc check <file>` would use: the nearest
 * `schemas/` folder above the file, and `lookups/` beside it (program.ts, defaultSchemasDir).
 * `workspace/didChangeWatchedFiles` for a file under one of those folders re-checks the open documents
 * that use it (`changed` returns them, so the server republishes their diagnostics).
 *
 * Features also need types in a file with syntax errors (completion while typing `order.`): there the
 * checker runs on the recovered tree for its side tables only (its diagnostics are not shown, as
 * `flowc check` does not show them), guarded so a checker failure on a broken tree never ends the
 * session.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parse, type FlowFile, type SyntaxIssue } from '../../../grammar/index.js';
import { compileSource, defaultSchemasDir } from '../../program.js';
import { DiagnosticBag, createDiagnostic, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { Diagnostics } from '../../diagnostics/messages.js';
import { loadSchemas, type SchemaSet } from '../../schema/load-schemas.js';
import { loadLookups, referencedLookupFiles, type LookupFile } from '../../schema/load-lookups.js';
import { checkFlowFile } from '../../checker/checker.js';
import type { FlowModel } from '../../checker/model.js';

export interface Analysis {
  readonly uri: string;
  readonly version: number;
  readonly doc: TextDocument;
  readonly text: string;
  /** The path diagnostics show (relative to the workspace root). */
  readonly file: string;
  readonly absPath: string;
  readonly ast: FlowFile;
  readonly issues: readonly SyntaxIssue[];
  /** What `flowc check` reports for this file (this file's spans only). */
  readonly diagnostics: readonly Diagnostic[];
  /** The checker's models, also for a file with syntax errors (recovered tree). */
  readonly models: readonly FlowModel[];
  readonly schemas: SchemaSet;
  readonly schemasDir: string;
  readonly lookupsDir: string;
}

export function uriToPath(uri: string, root: string): string {
  if (uri.startsWith('file:')) return fileURLToPath(uri);
  // untitled: and other schemes: a name under the root, so relative lookups still resolve.
  return path.join(root, uri.replace(/^[a-z]+:\/*/i, '').replace(/[^\w.-]+/g, '_') || 'untitled.flow');
}
export function pathToUri(p: string): string { return pathToFileURL(p).href; }

export class Workspace {
  private readonly docs = new Map<string, TextDocument>();
  private readonly analyses = new Map<string, Analysis>();
  private readonly schemaSets = new Map<string, SchemaSet>();
  private readonly lookupCaches = new Map<string, Map<string, LookupFile>>();

  constructor(readonly root: string) {}

  open(uri: string, version: number, text: string): Analysis {
    this.docs.set(uri, TextDocument.create(uri, 'flow', version, text));
    this.analyses.delete(uri);
    return this.analysis(uri)!;
  }

  /** Applies LSP content changes (full or incremental). */
  change(uri: string, version: number, changes: readonly ({ text: string } | { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string })[]): Analysis | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    this.docs.set(uri, TextDocument.update(doc, changes as Parameters<typeof TextDocument.update>[1], version));
    this.analyses.delete(uri);
    return this.analysis(uri);
  }

  close(uri: string): void { this.docs.delete(uri); this.analyses.delete(uri); }

  openUris(): string[] { return [...this.docs.keys()]; }

  document(uri: string): TextDocument | undefined { return this.docs.get(uri); }

  analysis(uri: string): Analysis | undefined {
    const cached = this.analyses.get(uri);
    if (cached) return cached;
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    const a = this.analyze(uri, doc, doc.getText());
    this.analyses.set(uri, a);
    return a;
  }

  /** An analysis of other text in the place of `uri` (completion repairs the text at the cursor). */
  analyzeText(uri: string, text: string): Analysis | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    return this.analyze(uri, TextDocument.create(uri, 'flow', doc.version, text), text);
  }

  private dirsOf(absPath: string): { schemasDir: string; lookupsDir: string } {
    const schemasDir = path.resolve(defaultSchemasDir([path.dirname(absPath)]));
    return { schemasDir, lookupsDir: path.join(path.dirname(schemasDir), 'lookups') };
  }

  schemasFor(schemasDir: string): SchemaSet {
    let s = this.schemaSets.get(schemasDir);
    if (!s) { s = loadSchemas(schemasDir, this.root); this.schemaSets.set(schemasDir, s); }
    return s;
  }

  private analyze(uri: string, doc: TextDocument, text: string): Analysis {
    const absPath = uriToPath(uri, this.root);
    const file = path.relative(this.root, absPath) || absPath;
    const { schemasDir, lookupsDir } = this.dirsOf(absPath);
    const schemas = this.schemasFor(schemasDir);
    let lookupCache = this.lookupCaches.get(lookupsDir);
    if (!lookupCache) { lookupCache = new Map(); this.lookupCaches.set(lookupsDir, lookupCache); }
    const bag = new DiagnosticBag();
    // The schema problems of files this flow uses are reported where flowc check reports them (on those files).
    const unit = compileSource(text, file, absPath, schemas, lookupsDir, this.root, bag, lookupCache);
    const diagnostics = bag.sorted().filter((d) => !d.span || d.span.file === file);
    if (bag.droppedCount) diagnostics.push(createDiagnostic(Diagnostics.Too_many_diagnostics_0_more, undefined, [bag.droppedCount]));
    const { issues } = unit.hasSyntaxErrors ? parse(text, file) : { issues: [] as SyntaxIssue[] };
    let models = unit.models;
    if (unit.hasSyntaxErrors) {
      try {
        const lookups = loadLookups(referencedLookupFiles(unit.ast), lookupsDir, this.root, lookupCache);
        models = checkFlowFile(withoutPolicies(unit.ast), file, schemas, { lookups }).models;
      } catch { models = []; }
    }
    return { uri, version: doc.version, doc, text, file, absPath, ast: unit.ast, issues, diagnostics, models, schemas, schemasDir, lookupsDir };
  }

  /**
   * Files changed on disk (schemas, catalogs, lookup files, events): drops what was loaded from them
   * and returns the open documents whose analysis changed with them.
   */
  changed(paths: readonly string[]): string[] {
    const affected = new Set<string>();
    for (const p of paths.map((x) => path.resolve(x))) {
      for (const dir of [...this.schemaSets.keys()]) if (isUnder(p, dir)) { this.schemaSets.delete(dir); this.mark(affected, (a) => a.schemasDir === dir); }
      for (const [dir, cache] of this.lookupCaches) if (isUnder(p, dir)) {
        cache.clear();
        this.mark(affected, (a) => a.lookupsDir === dir && referencedLookupFiles(a.ast).some((f) => path.resolve(dir, f) === p));
      }
    }
    return [...affected];
  }

  private mark(affected: Set<string>, uses: (a: Analysis) => boolean): void {
    for (const uri of this.docs.keys()) {
      const a = this.analyses.get(uri) ?? this.analysis(uri);
      if (a && uses(a)) { affected.add(uri); this.analyses.delete(uri); }
    }
  }
}

/**
 * A recovered tree without its error policies, for the features' check of a file with syntax errors:
 * recovery leaves durations of 0 ms in a half-typed policy (`backoff exponential 5s..`), and the
 * checker's retry budget (checker/retry-budget.ts retriesWithin) counts a zero-capped backoff one
 * millisecond at a time: `retry for 24h` is 86 million steps, seconds of CPU on every keystroke (the
 * same is true of a clean `5s..0s`, which `flowc check` takes ~9 s for; reported, not fixed here).
 * The features need names and types, not policies.
 */
function withoutPolicies(ast: FlowFile): FlowFile {
  return {
    ...ast,
    flows: ast.flows.map((f) => f && {
      ...f,
      items: f.items.filter((i) => i?.kind !== 'Policy').map((i) => (i && (i.kind === 'Fetch' || i.kind === 'Lookup' || i.kind === 'Write') ? { ...i, policies: [] } : i)),
    }),
  };
}

function isUnder(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
