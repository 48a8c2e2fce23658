/**
 * Tables: inline entries (literal keys and values of the declared types, FLOW3009, FLOW3007; a key
 * once, FLOW2006 with a FLOW9004 note), lookup files (`from "file.yaml"`, loaded by the program
 * beside the schemas: FLOW5003 missing, FLOW5004 not a mapping or a non-int key of an int table,
 * FLOW5005 a value of the wrong type, each with a FLOW9007 note where the file says so), the
 * `on missing` default (FLOW3009), tables declared once (FLOW2006) and used (FLOW6003).
 * Fixtures: test/fixtures/check/table-key-type.flow, table-entries.flow, lookup-file-not-found.flow,
 * lookup-file-invalid.flow, lookup-file-value-type.flow, unused-steps.flow
 */
import type * as A from '../../../grammar/ast.js';
import type { Span } from '../../../grammar/span.js';
import { createRelated } from '../../diagnostics/diagnostic.js';
import { Diagnostics } from '../../diagnostics/messages.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { ERROR, assignable, isLoose, typeToString, type Type } from '../../schema/types.js';
import type { CheckContext, Rule } from '../context.js';
import { exprText } from '../expressions.js';
import type { TableInfo } from '../model.js';
import { resolveTypeRef } from './type-ref.js';

/** Table types are primitives: resolved without the entity schemas. */
const NO_SCHEMAS = { entities: new Map(), operations: new Map(), diagnostics: [], hash: '', sources: new Map() };

export const tableRule: Rule = {
  name: 'table',
  // Tables are declared anywhere in the flow and visible everywhere.
  begin(ctx) {
    for (const item of ctx.flow.items) {
      if (item.kind !== 'TableDecl') continue;
      const prev = ctx.tables.get(item.name.text);
      if (prev) {
        ctx.report(Diagnostics._0_is_declared_more_than_once, item.name.span, [item.name.text], { related: [createRelated(Diagnostics._0_was_first_declared_here, prev.decl.name.span, [item.name.text])] });
        continue;
      }
      ctx.tables.set(item.name.text, checkTable(item, ctx));
    }
  },
  end(ctx) {
    for (const t of ctx.tables.values()) if (!ctx.usedTables.has(t.name)) ctx.report(Diagnostics.Table_0_is_never_used, t.decl.name.span, [t.name]);
  },
};

function literalValue(e: A.Expr): string | number | boolean | null | undefined {
  switch (e.kind) {
    case 'StringLit': return e.value;
    case 'NumberLit': return Number(e.text);
    case 'BoolLit': return e.value;
    case 'NullLit': return null;
    case 'Unary': { const v = literalValue(e.operand); return e.op === '-' && typeof v === 'number' ? -v : undefined; }
    default: return undefined;
  }
}

function checkTable(t: A.TableDecl, ctx: CheckContext): TableInfo {
  const { ec, root: scope, report } = ctx;
  const keyType = resolveTypeRef(t.keyType, NO_SCHEMAS, report);
  const valueType0 = resolveTypeRef(t.valueType, NO_SCHEMAS, report);
  const entries: [string | number | boolean, unknown][] = [];
  let file: string | undefined;
  const seen = new Map<string, Span>();
  let maxLen = 0;
  const noteValue = (v: unknown) => { if (typeof v === 'string') maxLen = Math.max(maxLen, [...v].length); };
  for (const entry of t.entries) {
    const kt = ec.check(entry.key, scope);
    const vt = ec.check(entry.value, scope);
    const k = literalValue(entry.key); const v = literalValue(entry.value);
    if (k === undefined || k === null) { report(Diagnostics.Table_key_must_be_literal_found_0, entry.key.span, [exprText(entry.key)]); continue; }
    if (v === undefined) { report(Diagnostics.Table_value_must_be_literal_found_0, entry.value.span, [exprText(entry.value)]); continue; }
    if (!isLoose(keyType) && !assignable(kt, keyType)) report(Diagnostics.Table_0_key_type_1_given_2, entry.key.span, [t.name.text, typeToString(keyType), typeToString(kt)]);
    if (!isLoose(valueType0) && !assignable(vt, valueType0)) report(Diagnostics.Table_value_of_type_0_found_1, entry.value.span, [typeToString(valueType0), typeToString(vt)]);
    const ks = JSON.stringify(k);
    if (seen.has(ks)) report(Diagnostics._0_is_declared_more_than_once, entry.key.span, [String(k)], { related: [createRelated(Diagnostics._0_was_first_declared_here, seen.get(ks)!, [String(k)])] });
    seen.set(ks, entry.key.span);
    entries.push([k, v]); noteValue(v);
  }
  let fileFailed = false;
  if (t.from) {
    file = t.from.value;
    const lookup = ctx.lookups.get(file) ?? { status: 'missing', file, dir: 'no lookups folder', candidates: [] };
    if (lookup.status === 'missing') {
      fileFailed = true;
      report(Diagnostics.Lookup_file_0_not_found, t.from.span, [file, lookup.dir], lookup.candidates.length ? { hint: didYouMean(file, lookup.candidates) } : {});
    } else {
      ctx.lookupTexts.push(`${file}\0${lookup.text}`);
      if (lookup.status === 'invalid') {
        report(Diagnostics.Lookup_file_0_is_invalid_1, t.from.span, [lookup.shown, lookup.problem], lookup.span ? { related: [createRelated(Diagnostics.The_problem_is_here, lookup.span)] } : {});
      } else {
        const intKeys = keyType.kind === 'prim' && keyType.name === 'int';
        for (const { key: k, value: v, span } of lookup.entries) {
          const key: string | number = intKeys ? Number(k) : k;
          if (intKeys && !Number.isInteger(key)) { report(Diagnostics.Lookup_file_0_key_1_is_not_an_int, t.from.span, [lookup.shown, k], { related: [createRelated(Diagnostics.The_problem_is_here, span)] }); continue; }
          if (!valueMatches(v, valueType0)) { report(Diagnostics.Lookup_file_0_value_1_not_2, t.from.span, [lookup.shown, k, typeToString(valueType0)], { related: [createRelated(Diagnostics.The_problem_is_here, span)] }); continue; }
          entries.push([key, v]); noteValue(v);
        }
      }
    }
  }
  let valueType = valueType0;
  if (valueType.kind === 'prim' && valueType.name === 'string' && (entries.length > 0)) valueType = { ...valueType, maxLength: maxLen } as Type;
  if (t.missing?.action === 'default' && t.missing.value) {
    const dt = ec.check(t.missing.value, scope);
    if (!isLoose(valueType0) && !assignable(dt, valueType0)) report(Diagnostics.Table_default_of_type_0_found_1, t.missing.value.span, [typeToString(valueType0), typeToString(dt)]);
    if (valueType.kind === 'prim' && valueType.maxLength !== undefined) {
      const dl = dt.kind === 'prim' ? dt.maxLength : undefined;
      valueType = { ...valueType, ...(dl === undefined ? { maxLength: undefined } : { maxLength: Math.max(valueType.maxLength, dl) }) } as Type;
    }
  }
  if (fileFailed) valueType = ERROR;
  return { name: t.name.text, decl: t, keyType, valueType, entries, missing: t.missing?.action ?? 'reject', defaultValue: t.missing?.value, file };
}

function valueMatches(v: unknown, t: Type): boolean {
  if (t.kind !== 'prim') return true;
  switch (t.name) {
    case 'string': case 'date': case 'datetime': return typeof v === 'string';
    case 'int': return Number.isInteger(v);
    case 'decimal': return typeof v === 'number';
    case 'bool': return typeof v === 'boolean';
    default: return true;
  }
}
