/**
 * The compile pipeline: find inputs → load schemas and catalogs → parse → check → (emit).
 *
 * Phases and what each guarantees once reached:
 *  1. Loaded:  schemas and operation catalogs are validated (5xxx diagnostics for broken files);
 *              the lookup files the flows' tables name are read, each once (schema/load-lookups.ts).
 *  2. Parsed:  every .flow file has a whole AST (recovery fills holes with Missing nodes) and its
 *              syntax diagnostics (1xxx).
 *  3. Checked: files without syntax errors are bound and type-checked (2xxx-6xxx); each flow has a
 *              FlowModel. Files with syntax errors are not checked, so one typo does not cascade.
 *  4. Emitted: only when no file has errors (see emitter/).
 * Here: a file that defines no flow (FLOW6007), flow names unique across files (FLOW2014), and the
 * cap of 100 diagnostics (FLOW9003).
 * Fixtures: test/fixtures/check/no-flow.flow, duplicate-flow-name.flow, too-many-diagnostics.flow
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse, type FlowFile, type SyntaxIssue } from '../grammar/index.js';
import { createDiagnostic, createRelated, DiagnosticBag, type Diagnostic } from './diagnostics/diagnostic.js';
import { Diagnostics } from './diagnostics/messages.js';
import { loadSchemas, type SchemaSet } from './schema/load-schemas.js';
import { checkFlowFile } from './checker/checker.js';
import { loadLookups, referencedLookupFiles, type LookupFile } from './schema/load-lookups.js';
import type { FlowModel } from './checker/model.js';

export interface ProgramOptions {
  /** Entity schemas folder; default: `<folder>/schemas` of a folder argument, or the nearest `schemas/` above a file. */
  readonly schemasDir?: string;
  /** Lookup tables folder; default: `lookups/` beside the schemas folder. */
  readonly lookupsDir?: string;
  /** Paths in diagnostics are shown relative to this (default: cwd). */
  readonly displayBase?: string;
  /** Preloaded schemas (benchmarks, watch mode). */
  readonly schemas?: SchemaSet;
}

export interface SourceUnit {
  readonly file: string;       // as displayed
  readonly absPath: string;
  readonly text: string;
  readonly ast: FlowFile;
  readonly models: readonly FlowModel[];
  readonly hasSyntaxErrors: boolean;
}

export interface Program {
  readonly units: readonly SourceUnit[];
  readonly schemas: SchemaSet;
  readonly schemasDir: string;
  readonly lookupsDir: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly hasErrors: boolean;
  /** Source text by displayed file name (flows, schemas), for code frames. */
  source(file: string): string | undefined;
}

export class UsageError extends Error {}

/** Expands folders to the .flow files inside (sorted, deterministic). */
export function findFlowFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) throw new UsageError(`no such file or folder: ${p}`);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        const child = path.join(p, name);
        const cst = fs.statSync(child);
        if (cst.isDirectory()) visit(child);
        else if (name.endsWith('.flow')) out.push(child);
      }
    } else out.push(p);
  };
  for (const p of paths) visit(p);
  return [...new Set(out.map((p) => path.resolve(p)))];
}

export function defaultSchemasDir(paths: readonly string[]): string {
  for (const p of paths) {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory() && fs.existsSync(path.join(p, 'schemas'))) return path.resolve(p, 'schemas');
  }
  for (const p of paths) {
    let dir = path.resolve(fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ? p : path.dirname(p));
    for (;;) {
      if (fs.existsSync(path.join(dir, 'schemas')) && fs.statSync(path.join(dir, 'schemas')).isDirectory()) return path.join(dir, 'schemas');
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return path.resolve('mappings/schemas');
}

const syntaxMessages = {
  1001: Diagnostics.Unexpected_0_expected_1,
  1002: Diagnostics.Unterminated_string_literal,
  1003: Diagnostics.Unexpected_character_0,
  1004: Diagnostics.Unexpected_0_expected_1,
  1005: Diagnostics.Nested_too_deeply_0_1,
  1006: Diagnostics.Invalid_escape_0,
} as const;

export function syntaxDiagnostic(i: SyntaxIssue): Diagnostic {
  return createDiagnostic(syntaxMessages[i.code as keyof typeof syntaxMessages] ?? Diagnostics.Unexpected_0_expected_1, i.span, [...i.args]);
}

export function createProgram(paths: readonly string[], options: ProgramOptions = {}): Program {
  const displayBase = options.displayBase ?? process.cwd();
  const show = (abs: string) => path.relative(displayBase, abs) || abs;
  const files = findFlowFiles(paths);
  const schemasDir = path.resolve(options.schemasDir ?? defaultSchemasDir(paths));
  const lookupsDir = path.resolve(options.lookupsDir ?? path.join(path.dirname(schemasDir), 'lookups'));
  const schemas = options.schemas ?? loadSchemas(schemasDir, displayBase);
  const bag = new DiagnosticBag();
  bag.addAll(schemas.diagnostics);
  const sources = new Map<string, string>(schemas.sources);
  const units: SourceUnit[] = [];
  const lookupCache = new Map<string, LookupFile>();
  for (const abs of files) {
    const file = show(abs);
    // As an editor shows it: invalid UTF-8 bytes become U+FFFD, and a byte order mark is not text.
    const text = fs.readFileSync(abs, 'utf8').replace(/^\uFEFF/, '');
    sources.set(file, text);
    units.push(compileSource(text, file, abs, schemas, lookupsDir, displayBase, bag, lookupCache));
  }
  // Flow names are module names: they must be unique across files, not only within one.
  const firstByName = new Map<string, { file: string; name: import('../grammar/index.js').Name }>();
  for (const u of units) for (const m of u.models) {
    const prev = firstByName.get(m.flow.name.text);
    if (prev && prev.file !== u.file) {
      bag.add(createDiagnostic(Diagnostics.Flow_0_is_declared_more_than_once, m.flow.name.span, [m.flow.name.text],
        { related: [createRelated(Diagnostics._0_was_first_declared_here, prev.name.span, [m.flow.name.text])] }));
    } else if (!prev) firstByName.set(m.flow.name.text, { file: u.file, name: m.flow.name });
  }
  const diagnostics = bag.sorted();
  if (bag.droppedCount) diagnostics.push(createDiagnostic(Diagnostics.Too_many_diagnostics_0_more, undefined, [bag.droppedCount]));
  return {
    units, schemas, schemasDir, lookupsDir, diagnostics, hasErrors: bag.hasErrors,
    source: (f) => sources.get(f),
  };
}

/**
 * Parses and checks one source text (also used in-process by benchmarks and tests). The lookup files
 * its tables name are loaded from `lookupsDir` (through `lookupCache`, one per program) and passed to
 * the checker.
 */
export function compileSource(text: string, file: string, absPath: string, schemas: SchemaSet, lookupsDir: string, displayBase: string, bag: DiagnosticBag,
  lookupCache = new Map<string, LookupFile>()): SourceUnit {
  const { ast, issues, lines } = parse(text, file);
  for (const i of issues) bag.add(syntaxDiagnostic(i));
  let models: FlowModel[] = [];
  // An empty file, or one of comments only (or whose line breaks hid everything in a comment).
  if (issues.length === 0 && ast.flows.length === 0) bag.add(createDiagnostic(Diagnostics.File_defines_no_flow, lines.span(file, 0, 0), []));
  if (issues.length === 0) {
    const lookups = loadLookups(referencedLookupFiles(ast), lookupsDir, displayBase, lookupCache);
    const checked = checkFlowFile(ast, file, schemas, { lookups });
    bag.addAll(checked.diagnostics);
    models = checked.models;
  }
  return { file, absPath, text, ast, models, hasSyntaxErrors: issues.length > 0 };
}
