/**
 * The designer's context: where a flow's schemas, lookups and flow tests are, found as `flowc check
 * <file>` and the language server find them (program.ts defaultSchemasDir: the nearest `schemas/`
 * above the file; `lookups/` beside it). Loads the schemas once and keeps the lookup files it read,
 * and the last few analyses (an edit starts from the model of the text it edits).
 */
import fs from 'node:fs';
import path from 'node:path';
import { defaultSchemasDir } from '../program.js';
import { loadSchemas, type SchemaSet } from '../schema/load-schemas.js';
import type { LookupFile } from '../schema/load-lookups.js';
import type { DesignContext, DesignContextOptions } from './api.js';

/** What a context keeps besides its public fields (not part of the API). */
export interface ContextState {
  readonly lookupCache: Map<string, LookupFile>;
  /** Recent analyses by file and text (small: the text being edited and the one an edit made). */
  readonly analyses: Map<string, unknown>;
}

const states = new WeakMap<DesignContext, ContextState>();

export function stateOf(ctx: DesignContext): ContextState {
  let s = states.get(ctx);
  if (!s) { s = { lookupCache: new Map(), analyses: new Map() }; states.set(ctx, s); }
  return s;
}

export function designContextImpl(flowPath: string, o: DesignContextOptions): DesignContext {
  const abs = path.resolve(flowPath);
  const dir = fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory() ? abs : path.dirname(abs);
  const schemasDir = path.resolve(o.schemasDir ?? defaultSchemasDir([dir]));
  const base = path.dirname(schemasDir);
  const lookupsDir = path.resolve(o.lookupsDir ?? path.join(base, 'lookups'));
  const testsDirs = (o.testsDirs ?? [path.join(base, 'tests'), dir]).map((d) => path.resolve(d));
  const displayBase = o.displayBase ?? process.cwd();
  let schemas = o.schemas;
  const ctx: DesignContext = {
    schemasDir, lookupsDir, testsDirs, displayBase,
    schemas: () => (schemas ??= loadSchemas(schemasDir, displayBase)),
  };
  return ctx;
}
