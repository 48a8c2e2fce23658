/**
 * Expression typing. Every expression gets a type in `model.typeOf`; names, calls and indexes get a
 * `Resolution`. Errors produce one diagnostic and the `error` type, which is compatible with
 * everything, so one mistake does not cascade.
 */
import type * as A from '../../grammar/ast.js';
import type { Span } from '../../grammar/span.js';
import { Diagnostics } from '../diagnostics/messages.js';
import { didYouMean } from '../diagnostics/did-you-mean.js';
import type { DiagnosticMessage } from '../diagnostics/messages.js';
import type { RelatedInfo } from '../diagnostics/diagnostic.js';
import type { Operation, SchemaSet } from '../schema/load-schemas.js';
import {
  ANY, BOOL, DECIMAL, DURATION, ERROR, INT, NEVER, NULL, STRING, assignable, fieldsOf, isLoose, isNumeric, listOf,
  nonNull, prim, typeToString, unify, withNullable, type Field, type Type,
} from '../schema/types.js';
import { BUILTINS, isValidDateFormat, paramAccepts, paramKindText, type ArgInfo } from './builtins.js';
import type { FlowModel, Resolution, TableInfo } from './model.js';

export interface Report {
  (msg: DiagnosticMessage, span: Span, args?: (string | number)[], extra?: { hint?: string; related?: RelatedInfo[]; label?: string }): void;
}

export interface Binding { type: Type; readonly decl: Extract<Resolution, { kind: 'local' }>['decl']; readonly node?: A.Node; used: boolean }

export class Scope {
  private readonly names = new Map<string, Binding>();
  constructor(readonly parent?: Scope) {}
  declare(name: string, b: Binding): void { this.names.set(name, b); }
  lookup(name: string): Binding | undefined { return this.names.get(name) ?? this.parent?.lookup(name); }
  allNames(): string[] { return [...this.names.keys(), ...(this.parent?.allNames() ?? [])]; }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class ExprChecker {
  /** Names already reported as used before their step (FLOW4005): no second "unknown name". */
  readonly usedEarly = new WeakSet<A.Node>();
  /** Operation calls are allowed only as the whole value of a fetch, lookup or write step. */
  allowedOperationCalls = new WeakSet<A.Node>();

  constructor(
    readonly model: Mutable<Pick<FlowModel, 'typeOf' | 'resolution' | 'objectTarget'>>,
    readonly schemas: SchemaSet,
    readonly tables: ReadonlyMap<string, TableInfo>,
    readonly usedTables: Set<string>,
    readonly report: Report,
  ) {}

  private set(e: A.Node, t: Type): Type { this.model.typeOf.set(e, t); return t; }

  /** Types an expression; `expected` guides object literals and `each` bodies (their target entity). */
  check(e: A.Expr, scope: Scope, expected?: Type): Type {
    return this.set(e, this.compute(e, scope, expected));
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
      case 'Call': return this.call(e, scope);
      case 'Lambda':
        this.report(Diagnostics.Expected_0_found_1, e.span, ['a value', 'a function (functions are only arguments of count, sum, filter, ...)']);
        return ERROR;
      case 'Binary': return this.binary(e, scope);
      case 'Unary': {
        const t = this.check(e.operand, scope);
        if (isLoose(t)) return t;
        if (e.op === '!' ? (t.kind === 'prim' && t.name === 'bool') : isNumeric(t)) return t;
        this.report(Diagnostics.Operator_0_cannot_apply_to_1, e.span, [e.op, typeToString(t)]);
        return ERROR;
      }
      case 'If': {
        this.condition(e.condition, scope);
        const a = this.check(e.then, scope, expected);
        const b = this.check(e.else, scope, expected);
        const u = unify(a, b);
        if (!u) { this.report(Diagnostics.Expected_0_found_1, e.else.span, [`a value of type '${typeToString(a)}' like the 'then' branch`, `'${typeToString(b)}'`]); return ERROR; }
        return u;
      }
      case 'Match': return this.match(e, scope, expected);
      case 'Reject': this.expectType(e.reason, this.check(e.reason, scope), STRING, 'a reason text'); return NEVER;
      case 'ListExpr': {
        let t: Type = NEVER;
        for (const item of e.items) {
          const it = this.check(item, scope, expected?.kind === 'list' ? expected.element : undefined);
          const u = unify(t, it);
          if (!u) { this.report(Diagnostics.Expected_0_found_1, item.span, [`'${typeToString(t)}' like the other items`, `'${typeToString(it)}'`]); t = ERROR; }
          else t = u;
        }
        return listOf(t.kind === 'never' ? ANY : t);
      }
      case 'ObjectExpr': return this.object(e, scope, expected && (expected.kind === 'entity' || expected.kind === 'object') ? expected : undefined);
      case 'Each': return this.each(e, scope, expected);
    }
  }

  condition(e: A.Expr, scope: Scope): void {
    const t = this.check(e, scope);
    if (!isLoose(t) && !(t.kind === 'prim' && t.name === 'bool')) this.report(Diagnostics.Expected_0_found_1, e.span, ['a condition (bool)', `'${typeToString(t)}'`]);
  }

  expectType(e: A.Expr, t: Type, want: Type, what: string): boolean {
    if (assignable(t, want)) return true;
    this.report(Diagnostics.Expected_0_found_1, e.span, [what, `'${typeToString(t)}'`]);
    return false;
  }

  private ident(e: A.Ident, scope: Scope): Type {
    const b = scope.lookup(e.name);
    if (b) {
      b.used = true;
      this.model.resolution.set(e, { kind: 'local', name: e.name, decl: b.decl });
      return b.type;
    }
    if (this.tables.has(e.name)) {
      this.report(Diagnostics.Expected_0_found_1, e.span, ['a value', `table '${e.name}' (look a key up with ${e.name}[key])`]);
      return ERROR;
    }
    if (e.name === 'xcart' || e.name === 'sagepro') {
      this.report(Diagnostics.Not_an_operation_call, e.span, [`'${e.name}' on its own`]);
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
      this.report(Diagnostics.Not_an_operation_call, e.span, [`'${path.join('.')}' without arguments`]);
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
      const related: RelatedInfo[] = ot.kind === 'entity' && ot.span ? [{ span: ot.span, message: `'${ot.system}.${ot.name}' is declared here.` }] : [];
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
          { related: [{ span: table.decl.keyType.span, message: `The key type of '${table.name}' is declared here.` }] });
      }
      const vt = table.valueType;
      const nullable = table.missing === 'null' || (table.missing === 'default' && !!table.defaultValue && (this.model.typeOf.get(table.defaultValue)?.nullable ?? false));
      return withNullable(vt, nullable);
    }
    const ot = this.check(e.object, scope);
    const it = this.check(e.index, scope);
    if (isLoose(ot)) return ot.kind === 'any' ? ANY : ERROR;
    if (ot.kind !== 'list') { this.report(Diagnostics.Cannot_index_0, e.object.span, [typeToString(ot)]); return ERROR; }
    this.expectType(e.index, it, INT, 'an int index');
    this.model.resolution.set(e, { kind: 'list-index' });
    return withNullable(ot.element, true);
  }

  private call(e: A.Call, scope: Scope): Type {
    const path = dottedPath(e.callee);
    if (path && path.length >= 2 && (path[0] === 'xcart' || path[0] === 'sagepro') && !scope.lookup(path[0])) {
      return this.operationCall(e, path, scope);
    }
    if (e.callee.kind !== 'Ident') {
      this.report(Diagnostics.Expected_0_found_1, e.callee.span, ['a function name', `'${exprText(e.callee)}'`]);
      for (const a of e.args) this.check(a.value, scope);
      return ERROR;
    }
    const name = e.callee.name;
    const sig = BUILTINS[name];
    if (!sig) {
      this.report(Diagnostics.Unknown_function_0, e.callee.span, [name], { hint: didYouMean(name, Object.keys(BUILTINS)), label: 'unknown function' });
      for (const a of e.args) if (a.value.kind !== 'Lambda') this.check(a.value, scope);
      return ERROR;
    }
    this.model.resolution.set(e, { kind: 'builtin', name });
    const min = sig.params.length - (sig.optional ?? 0);
    if (e.args.length < min || e.args.length > sig.params.length) {
      this.report(Diagnostics.Function_0_expects_1_arguments_found_2, e.span, [name, min === sig.params.length ? `${min}` : `${min} to ${sig.params.length}`, e.args.length]);
    }
    const infos: ArgInfo[] = [];
    let bad = false;
    e.args.forEach((arg, i) => {
      const kind = sig.params[i] ?? 'any';
      if (arg.name) this.report(Diagnostics.Unknown_parameter_0_of_1, arg.name.span, [arg.name.text, `function '${name}' (its arguments are positional)`]);
      let t: Type;
      if (kind === 'lambda') {
        t = this.lambda(arg.value, infos[0]?.type, scope, sig.lambdaResult ?? 'any');
      } else {
        t = this.check(arg.value, scope);
        if (!paramAccepts(kind, nonNull(t))) {
          this.report(Diagnostics.Expected_0_found_1, arg.value.span, [`${paramKindText(kind)} as argument ${i + 1} of '${name}'`, `'${typeToString(t)}'`]);
          bad = true;
        }
      }
      const lit = arg.value.kind === 'StringLit' ? arg.value.value : arg.value.kind === 'NumberLit' ? Number(arg.value.text) : undefined;
      infos.push({ type: t, literal: lit });
      if (sig.formatArg === i && typeof lit === 'string' && !isValidDateFormat(lit)) this.report(Diagnostics.Invalid_date_format_0, arg.value.span, [lit]);
    });
    if (bad || infos.some((i) => i.type.kind === 'error')) return ERROR;
    if (name === 'collect' && infos[1]?.type.kind === 'lambda') return listOf(infos[1].type.result);
    if (name === 'group_by' && infos[1]?.type.kind === 'lambda') {
      const fields = new Map<string, Field>([
        ['key', { name: 'key', type: infos[1].type.result, required: true, readOnly: false }],
        ['items', { name: 'items', type: infos[0]!.type.kind === 'list' ? nonNull(infos[0]!.type) : listOf(ANY), required: true, readOnly: false }],
      ]);
      return listOf({ kind: 'object', fields, nullable: false });
    }
    return sig.result(infos);
  }

  private lambda(e: A.Expr, listType: Type | undefined, scope: Scope, want: 'bool' | 'any' | 'number'): Type {
    if (e.kind !== 'Lambda') {
      this.check(e, scope);
      this.report(Diagnostics.Expected_0_found_1, e.span, ['a function such as x => x.value', `'${exprText(e)}'`]);
      return ERROR;
    }
    const param = listType?.kind === 'list' ? listType.element : listType && isLoose(listType) ? ANY : ERROR;
    const inner = new Scope(scope);
    inner.declare(e.param.text, { type: param, decl: 'param', node: e.param, used: true });
    this.model.resolution.set(e.param, { kind: 'local', name: e.param.text, decl: 'param' });
    const r = this.check(e.body, inner);
    if (want === 'bool' && !isLoose(r) && !(r.kind === 'prim' && r.name === 'bool')) this.report(Diagnostics.Expected_0_found_1, e.body.span, ['a condition (bool)', `'${typeToString(r)}'`]);
    if (want === 'number' && !isLoose(r) && !isNumeric(r)) this.report(Diagnostics.Expected_0_found_1, e.body.span, ['a number', `'${typeToString(r)}'`]);
    const t: Type = { kind: 'lambda', param, result: r, nullable: false };
    return this.set(e, t);
  }

  operationCall(e: A.Call, path: string[], scope: Scope): Type {
    const [system, ...rest] = path as [string, ...string[]];
    const opName = rest.join('.');
    const op = this.schemas.operations.get(`${system}.${opName}`);
    if (!op) {
      const names = [...this.schemas.operations.values()].filter((o) => o.system === system).map((o) => o.name);
      this.report(Diagnostics.Unknown_operation_0_on_1, e.callee.span, [opName, system === 'xcart' ? 'X-Cart' : 'Sage Pro'], { hint: didYouMean(opName, names), label: 'unknown operation' });
      for (const a of e.args) this.check(a.value, scope);
      return ERROR;
    }
    if (!this.allowedOperationCalls.has(e)) {
      this.report(Diagnostics.Expected_0_found_1, e.span, ['a pure value (operations are called only by fetch, lookup and write steps)', `a call of ${system}.${opName}`]);
    }
    const args: (A.Expr | undefined)[] = new Array(op.params.length).fill(undefined);
    e.args.forEach((a, i) => {
      let idx = i;
      if (a.name) {
        idx = op.params.findIndex((p) => p.name === a.name!.text);
        if (idx < 0) {
          this.report(Diagnostics.Unknown_parameter_0_of_1, a.name.span, [a.name.text, `${system}.${opName}`], { hint: didYouMean(a.name.text, op.params.map((p) => p.name)) });
          this.check(a.value, scope);
          return;
        }
      } else if (i >= op.params.length) {
        this.report(Diagnostics.Function_0_expects_1_arguments_found_2, a.span, [`${system}.${opName}`, op.params.length, e.args.length]);
        this.check(a.value, scope);
        return;
      }
      const p = op.params[idx]!;
      args[idx] = a.value;
      const t = this.check(a.value, scope, p.type);
      if (!assignable(nonNull(t), nonNull(p.type)) ) {
        this.report(Diagnostics.Expected_0_found_1, a.value.span, [`'${typeToString(p.type)}' for parameter '${p.name}' of ${system}.${opName}`, `'${typeToString(t)}'`]);
      } else if (t.nullable && !p.type.nullable && !isLoose(t)) {
        this.report(Diagnostics.Nullable_0_into_required_field_1, a.value.span, [exprText(a.value), p.name]);
      }
    });
    op.params.forEach((p, i) => {
      if (args[i] === undefined && !p.type.nullable) this.report(Diagnostics.Missing_argument_0_of_1, e.span, [p.name, `${system}.${opName}`]);
    });
    this.model.resolution.set(e, { kind: 'operation', op, args });
    return op.returns ?? NULL;
  }

  private binary(e: A.Binary, scope: Scope): Type {
    const l = this.check(e.left, scope);
    const r = this.check(e.right, scope);
    const fail = (): Type => { this.report(Diagnostics.Operator_0_cannot_apply_to_1_and_2, e.opSpan, [e.op, typeToString(l), typeToString(r)]); return ERROR; };
    if (e.op === '??') {
      const u = unify(nonNull(l), r);
      if (!u) return fail();
      return withNullable(u, r.nullable);
    }
    if (isLoose(l) || isLoose(r)) {
      if (e.op === '==' || e.op === '!=' || e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=' || e.op === '&&' || e.op === '||') return BOOL;
      return l.kind === 'error' || r.kind === 'error' ? ERROR : ANY;
    }
    const nullable = l.nullable || r.nullable;
    switch (e.op) {
      case '&&': case '||':
        if (!(l.kind === 'prim' && l.name === 'bool') || !(r.kind === 'prim' && r.name === 'bool')) return fail();
        return BOOL;
      case '==': case '!=':
        if (l.kind === 'null' || r.kind === 'null') return BOOL;
        if (!unify(nonNull(l), nonNull(r))) return fail();
        return BOOL;
      case '<': case '<=': case '>': case '>=': {
        const ok = (isNumeric(l) && isNumeric(r)) || (l.kind === 'prim' && r.kind === 'prim' && l.name === r.name && ['string', 'date', 'datetime', 'duration'].includes(l.name));
        return ok ? BOOL : fail();
      }
      case '+':
        if (l.kind === 'prim' && l.name === 'string' || r.kind === 'prim' && r.name === 'string') {
          if (l.kind !== 'prim' || r.kind !== 'prim') return fail();
          const ml = l.name === 'string' ? l.maxLength : l.name === 'int' ? 20 : undefined;
          const mr = r.name === 'string' ? r.maxLength : r.name === 'int' ? 20 : undefined;
          return { kind: 'prim', name: 'string', nullable: false, ...(ml !== undefined && mr !== undefined ? { maxLength: ml + mr } : {}) };
        }
        if (!isNumeric(l) || !isNumeric(r)) return fail();
        return prim(l.kind === 'prim' && r.kind === 'prim' && l.name === 'int' && r.name === 'int' ? 'int' : 'decimal', nullable);
      case '%':
        if (!(l.kind === 'prim' && l.name === 'int') || !(r.kind === 'prim' && r.name === 'int')) return fail();
        return prim('int', nullable);
      case '-': case '*':
        if (!isNumeric(l) || !isNumeric(r)) return fail();
        return prim(l.kind === 'prim' && r.kind === 'prim' && l.name === 'int' && r.name === 'int' ? 'int' : 'decimal', nullable);
      case '/':
        if (!isNumeric(l) || !isNumeric(r)) return fail();
        return prim('decimal', nullable);
    }
  }

  private match(e: A.Match, scope: Scope, expected?: Type): Type {
    const st = this.check(e.subject, scope);
    const seen = new Map<string, A.Expr>();
    let result: Type = NEVER;
    for (const arm of e.arms) {
      for (const p of arm.patterns) {
        const pt = this.check(p, scope);
        if (p.kind !== 'StringLit' && p.kind !== 'NumberLit' && p.kind !== 'NullLit' && p.kind !== 'BoolLit') {
          this.report(Diagnostics.Expected_0_found_1, p.span, ['a literal pattern (a string, number, true, false or null)', `'${exprText(p)}'`]);
          continue;
        }
        if (!isLoose(st) && pt.kind !== 'null' && !unify(nonNull(st), pt)) {
          this.report(Diagnostics.Expected_0_found_1, p.span, [`a pattern of type '${typeToString(nonNull(st))}'`, `'${typeToString(pt)}'`]);
        }
        const key = literalKey(p);
        if (seen.has(key)) this.report(Diagnostics.Duplicate_match_pattern_0, p.span, [key]);
        seen.set(key, p);
        const codes = st.kind === 'prim' ? st.codes : undefined;
        if (codes && p.kind === 'StringLit' && !codes.includes(p.value)) {
          this.report(Diagnostics.Unknown_match_code_0, p.span, [p.value, exprText(e.subject), codes.map((c) => `'${c}'`).join(', ')]);
        }
      }
      const vt = this.check(arm.value, scope, expected);
      const u = unify(result, vt);
      if (!u) { this.report(Diagnostics.Expected_0_found_1, arm.value.span, [`'${typeToString(result)}' like the other arms`, `'${typeToString(vt)}'`]); result = ERROR; }
      else result = u;
    }
    if (e.otherwise) {
      const vt = this.check(e.otherwise, scope, expected);
      const u = unify(result, vt);
      if (!u) { this.report(Diagnostics.Expected_0_found_1, e.otherwise.span, [`'${typeToString(result)}' like the other arms`, `'${typeToString(vt)}'`]); result = ERROR; }
      else result = u;
    } else if (st.kind === 'prim' && st.codes) {
      const missing = st.codes.filter((c) => !seen.has(`"${c}"`));
      if (missing.length) {
        this.report(Diagnostics.Match_misses_codes_0, e.span, [exprText(e.subject), missing.map((c) => `'${c}'`).join(', ')],
          { hint: "Add arms for them, or 'else => ...' (stores can also define their own codes)." });
      }
    }
    return result.kind === 'never' ? ERROR : result;
  }

  /** Checks an object literal, against a target entity when there is one. */
  object(o: A.ObjectExpr, scope: Scope, target?: Type): Type {
    if (target) this.model.objectTarget.set(o, target);
    const targetFields = target ? fieldsOf(target) : undefined;
    const assigned = this.members(o.members, scope, target, targetFields, new Map());
    if (target && targetFields) {
      const missing = [...targetFields.values()].filter((f) => f.required && !f.readOnly && !assigned.has(f.name));
      for (const f of missing) {
        this.report(Diagnostics.Required_field_0_of_1_is_never_assigned, o.span, [f.name, typeToString(nonNull(target))],
          { related: f.span ? [{ span: f.span, message: `'${f.name}' is declared here.` }] : [] });
      }
      return nonNull(target);
    }
    const fields = new Map<string, Field>();
    for (const [name, a] of assigned) fields.set(name, { name, type: this.model.typeOf.get(a.value) ?? ERROR, required: true, readOnly: false });
    return { kind: 'object', fields, nullable: false };
  }

  /** Returns the fields definitely assigned (when-blocks count when both branches assign). */
  private members(members: readonly A.ObjectMember[], scope: Scope, target: Type | undefined, fields: Map<string, Field> | undefined, outer: Map<string, A.Assignment>): Map<string, A.Assignment> {
    const assigned = new Map<string, A.Assignment>();
    for (const m of members) {
      if (m.kind === 'Missing') continue;
      if (m.kind === 'WhenBlock') {
        this.condition(m.condition, scope);
        const a = this.members(m.then.members, scope, target, fields, new Map([...outer, ...assigned]));
        const b = m.else ? this.members(m.else.members, scope, target, fields, new Map([...outer, ...assigned])) : new Map<string, A.Assignment>();
        for (const [k, v] of a) if (b.has(k)) assigned.set(k, v);
        continue;
      }
      const prev = assigned.get(m.name.text) ?? outer.get(m.name.text);
      if (prev) {
        this.report(Diagnostics.Field_0_is_assigned_more_than_once, m.name.span, [m.name.text],
          { related: [{ span: prev.name.span, message: `'${m.name.text}' was first assigned here.` }] });
      }
      assigned.set(m.name.text, m);
      const f = fields?.get(m.name.text);
      if (fields && !f) {
        const t = target!;
        const related: RelatedInfo[] = t.kind === 'entity' && t.span ? [{ span: t.span, message: `'${t.system}.${t.name}' is declared here.` }] : [];
        this.report(Diagnostics.Type_0_has_no_field_1, m.name.span, [typeToString(nonNull(t)), m.name.text], { hint: didYouMean(m.name.text, fields.keys()), related, label: 'unknown field' });
        this.check(m.value, scope);
        continue;
      }
      const vt = this.check(m.value, scope, f?.type);
      if (f) this.assignField(m, vt, f, target!);
    }
    return assigned;
  }

  /** The assignment rules: type (3002), null into required (3004), fixed width (3005), computed (3019). */
  assignField(m: A.Assignment, vt: Type, f: Field, target?: Type): void {
    if (f.readOnly) {
      this.report(Diagnostics.Field_0_is_computed, m.name.span, [f.name, target ? typeToString(nonNull(target)) : 'its entity', f.storage?.computed ?? `${f.storage?.table ?? ''}.${f.storage?.column ?? f.name}`.replace(/^\./, '')]);
      return;
    }
    if (isLoose(vt)) return;
    if (!assignable(nonNull(vt), nonNull(f.type))) {
      this.report(Diagnostics.Cannot_assign_0_to_field_1_of_type_2, m.value.span, [typeToString(vt), f.name, typeToString(f.type)],
        { hint: conversionHint(vt, f.type) });
      return;
    }
    if (vt.nullable && f.required && !f.type.nullable) {
      this.report(Diagnostics.Nullable_0_into_required_field_1, m.value.span, [exprText(m.value), f.name]);
    }
    const width = f.storage?.width;
    if (width !== undefined && vt.kind === 'prim' && vt.name === 'string' && (vt.maxLength === undefined || vt.maxLength > width)) {
      const col = `${f.storage?.table ?? ''}.${f.storage?.column ?? f.name}`;
      this.report(Diagnostics.Value_may_not_fit_column_0_1_width_2, m.value.span, [f.name, col, width, vt.maxLength === undefined ? 'any number of' : String(vt.maxLength)],
        { hint: `Use truncate(value, ${width}) to cut it, or a lookup table whose values fit.` });
    }
  }

  private each(e: A.Each, scope: Scope, expected?: Type): Type {
    const st = this.check(e.source, scope);
    let element: Type = ERROR;
    if (st.kind === 'list') element = st.element;
    else if (st.kind === 'any') element = ANY;
    else if (!isLoose(st)) this.report(Diagnostics.Expected_0_found_1, e.source.span, ['a list to iterate', `'${typeToString(st)}'`]);
    const inner = new Scope(scope);
    const binding: Binding = { type: element, decl: 'item', node: e.item, used: false };
    inner.declare(e.item.text, binding);
    this.model.resolution.set(e.item, { kind: 'local', name: e.item.text, decl: 'item' });
    if (e.where) this.condition(e.where, inner);
    const target = expected && expected.kind === 'list' && (expected.element.kind === 'entity' || expected.element.kind === 'object') ? expected.element : undefined;
    const bodyType = this.check(e.body, inner, target);
    return listOf(bodyType);
  }
}

function conversionHint(from: Type, to: Type): string | undefined {
  if (from.kind !== 'prim' || to.kind !== 'prim') return undefined;
  if (to.name === 'decimal' || to.name === 'int') return from.name === 'string' ? `Convert it with ${to.name}(...).` : undefined;
  if (to.name === 'string') return 'Convert it with string(...).';
  if (to.name === 'date' && (from.name === 'datetime' || from.name === 'string')) return "Convert it with date(...) (a datetime's calendar date in a zone) or parse_date(text, \"MM/dd/yyyy\").";
  if (to.name === 'datetime' && from.name === 'string') return 'Convert it with datetime(...).';
  return undefined;
}

function literalKey(p: A.Expr): string {
  switch (p.kind) {
    case 'StringLit': return JSON.stringify(p.value);
    case 'NumberLit': return p.text;
    case 'BoolLit': return String(p.value);
    case 'NullLit': return 'null';
    default: return '';
  }
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
