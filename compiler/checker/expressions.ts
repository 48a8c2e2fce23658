/**
 * Expression typing: the core of the expression checker. Every expression gets a type in
 * `model.typeOf`; names, calls and indexes get a `Resolution`. Errors produce one diagnostic and the
 * `error` type, which is compatible with everything, so one mistake does not cascade. Names, member
 * access and indexes are checked here; each other kind in its own file under expr/ (calls, operators,
 * match, objects and line items).
 * Fixtures: test/fixtures/check/unknown-name.flow, unknown-field.flow, nullable-member-access.flow,
 * cannot-index.flow, table-key-type.flow, expected-found.flow, lambda-outside-call.flow
 */
import type * as A from '../../grammar/ast.js';
import type { Span } from '../../grammar/span.js';
import { createRelated, type RelatedInfo } from '../diagnostics/diagnostic.js';
import { Diagnostics, type DiagnosticMessage } from '../diagnostics/messages.js';
import { didYouMean } from '../diagnostics/did-you-mean.js';
import type { SchemaSet } from '../schema/load-schemas.js';
import {
  ANY, BOOL, DECIMAL, DURATION, ERROR, INT, NEVER, NULL, STRING, assignable, fieldsOf, isLoose, listOf,
  nonNull, typeToString, unify, withNullable, type Type,
} from '../schema/types.js';
import type { ModelTables, Report } from './context.js';
import type { MapInput, TableInfo } from './model.js';
import type { Binding, Scope } from './scope.js';
import { call } from './expr/calls.js';
import { match } from './expr/match.js';
import { each, objectExpr } from './expr/objects.js';
import { binary, unary } from './expr/operators.js';

export type { Report } from './context.js';
export { Scope, type Binding } from './scope.js';

export class ExprChecker {
  /** Names already reported as used before their step (FLOW4005): no second "unknown name". */
  readonly usedEarly = new WeakSet<A.Node>();
  /** Operation calls are allowed only as the whole value of a fetch, lookup or write step. */
  allowedOperationCalls = new WeakSet<A.Node>();
  /** While a map body is checked: the flow-level bindings it reads, with their type there. */
  private inputs: Map<Binding, Type> | undefined;

  constructor(
    readonly model: ModelTables,
    readonly schemas: SchemaSet,
    readonly tables: ReadonlyMap<string, TableInfo>,
    readonly usedTables: Set<string>,
    readonly report: Report,
  ) {}

  set(e: A.Node, t: Type): Type { this.model.typeOf.set(e, t); return t; }

  /** Types an expression; `expected` guides object literals and `each` bodies (their target entity). */
  check(e: A.Expr, scope: Scope, expected?: Type): Type {
    return this.set(e, this.compute(e, scope, expected));
  }

  /**
   * Runs `body` and hands `record` the flow-level names (and `event`) it read, in declaration order,
   * each with the type it had there: the inputs of a map function (model.mapInputs).
   */
  withInputs<T>(record: (inputs: MapInput[]) => void, body: () => T): T {
    const outer = this.inputs;
    this.inputs = new Map();
    try { return body(); } finally {
      const found = [...this.inputs.entries()].sort(([a], [b]) => a.order! - b.order!);
      record(found.map(([b, type]) => ({ name: nameOf(b), decl: b.decl, type })));
      this.inputs = outer;
    }
  }

  private compute(e: A.Expr, scope: Scope, expected?: Type): Type {
    switch (e.kind) {
      case 'StringLit': return { kind: 'prim', name: 'string', nullable: false, maxLength: [...e.value].length };
      case 'NumberLit': return e.isInt ? INT : DECIMAL;
      case 'BoolLit': return BOOL;
      case 'NullLit': return NULL;
      case 'Duration': return DURATION;
      case 'Missing': return ERROR;
      case 'Ident': return this.ident(e, scope);
      case 'Member': return this.member(e, scope);
      case 'Index': return this.index(e, scope);
      case 'Call': return call(this, e, scope);
      case 'Lambda':
        this.report(Diagnostics.Function_outside_call, e.span);
        return ERROR;
      case 'Binary': return binary(this, e, scope);
      case 'Unary': return unary(this, e, scope);
      case 'If': {
        this.condition(e.condition, scope);
        const a = this.check(e.then, scope, expected);
        const b = this.check(e.else, scope, expected);
        const u = unify(a, b);
        if (!u) { this.report(Diagnostics.Else_branch_0_unlike_then_1, e.else.span, [typeToString(a), typeToString(b)]); return ERROR; }
        return u;
      }
      case 'Match': return match(this, e, scope, expected);
      case 'Reject': this.expectType(e.reason, this.check(e.reason, scope), STRING, Diagnostics.Reason_must_be_string_found_0); return NEVER;
      case 'ListExpr': {
        let t: Type = NEVER;
        for (const item of e.items) {
          const it = this.check(item, scope, expected?.kind === 'list' ? expected.element : undefined);
          const u = unify(t, it);
          if (!u) { this.report(Diagnostics.List_item_0_unlike_others_1, item.span, [typeToString(t), typeToString(it)]); t = ERROR; }
          else t = u;
        }
        return listOf(t.kind === 'never' ? ANY : t);
      }
      case 'ObjectExpr': return objectExpr(this, e, scope, expected && (expected.kind === 'entity' || expected.kind === 'object') ? expected : undefined);
      case 'Each': return each(this, e, scope, expected);
    }
  }

  condition(e: A.Expr, scope: Scope): void {
    const t = this.check(e, scope);
    if (!isLoose(t) && !(t.kind === 'prim' && t.name === 'bool')) this.report(Diagnostics.Condition_must_be_bool_found_0, e.span, [typeToString(t)]);
  }

  /** Reports `msg` (a catalog entry whose {0} is the type found) unless `t` is assignable to `want`. */
  expectType(e: A.Expr, t: Type, want: Type, msg: DiagnosticMessage): boolean {
    if (assignable(t, want)) return true;
    this.report(msg, e.span, [typeToString(t)]);
    return false;
  }

  private ident(e: A.Ident, scope: Scope): Type {
    const b = scope.lookup(e.name);
    if (b) {
      b.used = true;
      this.model.resolution.set(e, { kind: 'local', name: e.name, decl: b.decl });
      if (this.inputs && b.order !== undefined && !this.inputs.has(b)) this.inputs.set(b, b.type);
      return b.type;
    }
    if (this.tables.has(e.name)) {
      this.report(Diagnostics.Table_0_used_as_value, e.span, [e.name]);
      return ERROR;
    }
    if (e.name === 'xcart' || e.name === 'sagepro') {
      this.report(Diagnostics.Not_an_operation_call_system_0_alone, e.span, [e.name]);
      return ERROR;
    }
    if (this.usedEarly.has(e)) return ERROR;
    const candidates = [...scope.allNames(), ...this.tables.keys()];
    this.report(Diagnostics.Unknown_name_0, e.span, [e.name], { hint: didYouMean(e.name, candidates), label: 'unknown name' });
    return ERROR;
  }

  private member(e: A.Member, scope: Scope): Type {
    const path = dottedPath(e);
    if (path && (path[0] === 'xcart' || path[0] === 'sagepro') && !scope.lookup(path[0])) {
      this.report(Diagnostics.Not_an_operation_call_0_without_arguments, e.span, [path.join('.')]);
      return ERROR;
    }
    const ot = this.check(e.object, scope);
    return this.fieldAccess(ot, e.name, e.optional, e.object, e.span);
  }

  fieldAccess(ot: Type, name: A.Name, optional: boolean, object: A.Expr | undefined, span: Span): Type {
    if (ot.kind === 'error' || ot.kind === 'never') return ERROR;
    if (ot.kind === 'any') return ANY;
    if (ot.kind === 'null') return NULL;
    const fields = fieldsOf(ot);
    if (!fields) {
      this.report(Diagnostics.Type_0_has_no_field_1, name.span, [typeToString(nonNull(ot)), name.text], { label: 'unknown field' });
      return ERROR;
    }
    if (ot.nullable && !optional) {
      this.report(Diagnostics._0_may_be_null_use_optional_access, object?.span ?? span, [object ? exprText(object) : 'value', name.text]);
    }
    const f = fields.get(name.text);
    if (!f) {
      const related: RelatedInfo[] = ot.kind === 'entity' && ot.span ? [createRelated(Diagnostics._0_is_declared_here, ot.span, [`${ot.system}.${ot.name}`])] : [];
      this.report(Diagnostics.Type_0_has_no_field_1, name.span, [typeToString(nonNull(ot)), name.text],
        { hint: didYouMean(name.text, fields.keys()), related, label: 'unknown field' });
      return ERROR;
    }
    // Reading a field the schema does not require: it may be absent.
    const t = f.required ? f.type : withNullable(f.type, true);
    return optional || ot.nullable ? withNullable(t, true) : t;
  }

  private index(e: A.Index, scope: Scope): Type {
    if (e.object.kind === 'Ident' && this.tables.has(e.object.name) && !scope.lookup(e.object.name)) {
      const table = this.tables.get(e.object.name)!;
      this.usedTables.add(table.name);
      this.model.resolution.set(e, { kind: 'table', name: table.name });
      this.set(e.object, ANY);
      const kt = this.check(e.index, scope);
      if (!isLoose(kt) && !assignable(nonNull(kt), table.keyType)) {
        this.report(Diagnostics.Table_0_key_type_1_given_2, e.index.span, [table.name, typeToString(table.keyType), typeToString(kt)],
          { related: [createRelated(Diagnostics.The_key_type_of_0_is_declared_here, table.decl.keyType.span, [table.name])] });
      }
      const vt = table.valueType;
      const nullable = table.missing === 'null' || (table.missing === 'default' && !!table.defaultValue && (this.model.typeOf.get(table.defaultValue)?.nullable ?? false));
      return withNullable(vt, nullable);
    }
    const ot = this.check(e.object, scope);
    const it = this.check(e.index, scope);
    if (isLoose(ot)) return ot.kind === 'any' ? ANY : ERROR;
    if (ot.kind !== 'list') { this.report(Diagnostics.Cannot_index_0, e.object.span, [typeToString(ot)]); return ERROR; }
    this.expectType(e.index, it, INT, Diagnostics.Index_must_be_int_found_0);
    this.model.resolution.set(e, { kind: 'list-index' });
    return withNullable(ot.element, true);
  }
}

/** The name of a flow-level binding (`event` has no declaring node). */
function nameOf(b: Binding): string {
  const n = b.node as A.Name | undefined;
  return n?.text ?? 'event';
}

/** `a.b.c` as parts, or undefined when the expression is not a plain dotted name. */
export function dottedPath(e: A.Expr): string[] | undefined {
  // Iterative and linear: the checker asks this at every level of a member chain.
  const parts: string[] = [];
  let cur = e;
  while (cur.kind === 'Member' && !cur.optional) { parts.push(cur.name.text); cur = cur.object; }
  if (cur.kind !== 'Ident') return undefined;
  parts.push(cur.name);
  return parts.reverse();
}

/** A short rendering of an expression for messages. */
export function exprText(e: A.Expr): string {
  switch (e.kind) {
    case 'Ident': return e.name;
    case 'Member': return `${exprText(e.object)}${e.optional ? '?.' : '.'}${e.name.text}`;
    case 'Index': return `${exprText(e.object)}[${exprText(e.index)}]`;
    case 'Call': return `${exprText(e.callee)}(...)`;
    case 'StringLit': return JSON.stringify(e.value);
    case 'NumberLit': return e.text;
    case 'BoolLit': return String(e.value);
    case 'NullLit': return 'null';
    case 'Binary': return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
    default: return e.kind === 'Missing' ? '?' : e.kind.toLowerCase();
  }
}

