/**
 * Object literals and line items (`each`): fields against the target entity (FLOW3001 with a FLOW9002
 * note, FLOW2007 with a FLOW9001 note, FLOW3003 with a FLOW9002 note), the assignment rules (FLOW3002,
 * FLOW3004, FLOW3005 fixed width, FLOW3019 computed), `when` blocks, and `each` over a list (FLOW3009).
 * Fixtures: test/fixtures/check/required-field-missing.flow, unknown-field.flow, duplicate-assignment.flow,
 * type-mismatch.flow, nullable-into-required.flow, fixed-width-column.flow, computed-field-write.flow, expected-found.flow
 */
import type * as A from '../../../grammar/ast.js';
import { Diagnostics, Hints } from '../../diagnostics/messages.js';
import { createRelated, hintText, type RelatedInfo } from '../../diagnostics/diagnostic.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { ANY, ERROR, assignable, fieldsOf, isLoose, listOf, nonNull, typeToString, type Field, type Type } from '../../schema/types.js';
import { exprText, type ExprChecker } from '../expressions.js';
import { Scope, type Binding } from '../scope.js';

/** Checks an object literal, against a target entity when there is one. */
export function objectExpr(ec: ExprChecker, o: A.ObjectExpr, scope: Scope, target?: Type): Type {
  if (target) ec.model.objectTarget.set(o, target);
  const targetFields = target ? fieldsOf(target) : undefined;
  const assigned = checkMembers(ec, o.members, scope, target, targetFields, new Map());
  if (target && targetFields) {
    const missing = [...targetFields.values()].filter((f) => f.required && !f.readOnly && !assigned.has(f.name));
    for (const f of missing) {
      ec.report(Diagnostics.Required_field_0_of_1_is_never_assigned, o.span, [f.name, typeToString(nonNull(target))],
        { related: f.span ? [createRelated(Diagnostics._0_is_declared_here, f.span, [f.name])] : [] });
    }
    return nonNull(target);
  }
  const fields = new Map<string, Field>();
  for (const [name, a] of assigned) fields.set(name, { name, type: ec.model.typeOf.get(a.value) ?? ERROR, required: true, readOnly: false });
  return { kind: 'object', fields, nullable: false };
}

/** Returns the fields definitely assigned (when-blocks count when both branches assign). */
function checkMembers(ec: ExprChecker, members: readonly A.ObjectMember[], scope: Scope, target: Type | undefined, fields: Map<string, Field> | undefined, outer: Map<string, A.Assignment>): Map<string, A.Assignment> {
  const assigned = new Map<string, A.Assignment>();
  for (const m of members) {
    if (m.kind === 'Missing') continue;
    if (m.kind === 'WhenBlock') {
      ec.condition(m.condition, scope);
      const a = checkMembers(ec, m.then.members, scope, target, fields, new Map([...outer, ...assigned]));
      const b = m.else ? checkMembers(ec, m.else.members, scope, target, fields, new Map([...outer, ...assigned])) : new Map<string, A.Assignment>();
      for (const [k, v] of a) if (b.has(k)) assigned.set(k, v);
      continue;
    }
    const prev = assigned.get(m.name.text) ?? outer.get(m.name.text);
    if (prev) {
      ec.report(Diagnostics.Field_0_is_assigned_more_than_once, m.name.span, [m.name.text],
        { related: [createRelated(Diagnostics._0_was_first_assigned_here, prev.name.span, [m.name.text])] });
    }
    assigned.set(m.name.text, m);
    const f = fields?.get(m.name.text);
    if (fields && !f) {
      const t = target!;
      const related: RelatedInfo[] = t.kind === 'entity' && t.span ? [createRelated(Diagnostics._0_is_declared_here, t.span, [`${t.system}.${t.name}`])] : [];
      ec.report(Diagnostics.Type_0_has_no_field_1, m.name.span, [typeToString(nonNull(t)), m.name.text], { hint: didYouMean(m.name.text, fields.keys()), related, label: 'unknown field' });
      ec.check(m.value, scope);
      continue;
    }
    const vt = ec.check(m.value, scope, f?.type);
    if (f) assignField(ec, m, vt, f, target!);
  }
  return assigned;
}

/** The assignment rules: type (3002), null into required (3004), fixed width (3005), computed (3019). */
export function assignField(ec: ExprChecker, m: A.Assignment, vt: Type, f: Field, target?: Type): void {
  if (f.readOnly) {
    ec.report(Diagnostics.Field_0_is_computed, m.name.span, [f.name, target ? typeToString(nonNull(target)) : 'its entity', f.storage?.computed ?? `${f.storage?.table ?? ''}.${f.storage?.column ?? f.name}`.replace(/^\./, '')]);
    return;
  }
  if (isLoose(vt)) return;
  if (!assignable(nonNull(vt), nonNull(f.type))) {
    ec.report(Diagnostics.Cannot_assign_0_to_field_1_of_type_2, m.value.span, [typeToString(vt), f.name, typeToString(f.type)],
      { hint: conversionHint(vt, f.type) });
    return;
  }
  if (vt.nullable && f.required && !f.type.nullable) {
    ec.report(Diagnostics.Nullable_0_into_required_field_1, m.value.span, [exprText(m.value), f.name]);
  }
  const width = f.storage?.width;
  if (width !== undefined && vt.kind === 'prim' && vt.name === 'string' && (vt.maxLength === undefined || vt.maxLength > width)) {
    const col = `${f.storage?.table ?? ''}.${f.storage?.column ?? f.name}`;
    ec.report(Diagnostics.Value_may_not_fit_column_0_1_width_2, m.value.span, [f.name, col, width, vt.maxLength === undefined ? 'any number of' : String(vt.maxLength)],
      { hint: hintText(Hints.Truncate_to_width_0, [width]) });
  }
}

export function each(ec: ExprChecker, e: A.Each, scope: Scope, expected?: Type): Type {
  const st = ec.check(e.source, scope);
  let element: Type = ERROR;
  if (st.kind === 'list') element = st.element;
  else if (st.kind === 'any') element = ANY;
  else if (!isLoose(st)) ec.report(Diagnostics.Each_source_must_be_list_found_0, e.source.span, [typeToString(st)]);
  const inner = new Scope(scope);
  const binding: Binding = { type: element, decl: 'item', node: e.item, used: false };
  inner.declare(e.item.text, binding);
  ec.model.resolution.set(e.item, { kind: 'local', name: e.item.text, decl: 'item' });
  if (e.where) ec.condition(e.where, inner);
  const target = expected && expected.kind === 'list' && (expected.element.kind === 'entity' || expected.element.kind === 'object') ? expected.element : undefined;
  const bodyType = ec.check(e.body, inner, target);
  return listOf(bodyType);
}

function conversionHint(from: Type, to: Type): string | undefined {
  if (from.kind !== 'prim' || to.kind !== 'prim') return undefined;
  if (to.name === 'decimal' || to.name === 'int') return from.name === 'string' ? hintText(Hints.Convert_with_0, [to.name]) : undefined;
  if (to.name === 'string') return hintText(Hints.Convert_with_0, ['string']);
  if (to.name === 'date' && (from.name === 'datetime' || from.name === 'string')) return hintText(Hints.Convert_to_date);
  if (to.name === 'datetime' && from.name === 'string') return hintText(Hints.Convert_with_0, ['datetime']);
  return undefined;
}
