/**
 * Calls: builtin functions (known name FLOW2004, argument count FLOW3011, positional arguments
 * FLOW2010, argument kinds FLOW3009, date formats FLOW3016), the lambdas they take (FLOW3009), and
 * operation calls (FLOW2003, parameters FLOW2010/FLOW3009/FLOW3004/FLOW3013; only as a step's value,
 * FLOW3009 elsewhere).
 * Fixtures: test/fixtures/check/function-arity.flow, unknown-function.flow, unknown-parameter.flow,
 * missing-argument.flow, invalid-date-format.flow, unknown-operation.flow, call-arguments.flow, named-function-argument.flow
 */
import type * as A from '../../../grammar/ast.js';
import { Diagnostics } from '../../diagnostics/messages.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import {
  ANY, ERROR, NULL, assignable, isLoose, isNumeric, listOf, nonNull, typeToString, type Field, type Type,
} from '../../schema/types.js';
import { BUILTINS, isValidDateFormat, paramAccepts, paramKindText, type ArgInfo } from '../builtins.js';
import { dottedPath, exprText, type ExprChecker } from '../expressions.js';
import { Scope } from '../scope.js';

export function call(ec: ExprChecker, e: A.Call, scope: Scope): Type {
  const path = dottedPath(e.callee);
  if (path && path.length >= 2 && (path[0] === 'xcart' || path[0] === 'sagepro') && !scope.lookup(path[0])) {
    return operationCall(ec, e, path, scope);
  }
  if (e.callee.kind !== 'Ident') {
    ec.report(Diagnostics.Callee_must_be_function_name_found_0, e.callee.span, [exprText(e.callee)]);
    for (const a of e.args) ec.check(a.value, scope);
    return ERROR;
  }
  const name = e.callee.name;
  const sig = BUILTINS[name];
  if (!sig) {
    ec.report(Diagnostics.Unknown_function_0, e.callee.span, [name], { hint: didYouMean(name, Object.keys(BUILTINS)), label: 'unknown function' });
    for (const a of e.args) if (a.value.kind !== 'Lambda') ec.check(a.value, scope);
    return ERROR;
  }
  ec.model.resolution.set(e, { kind: 'builtin', name });
  const min = sig.params.length - (sig.optional ?? 0);
  if (e.args.length < min || e.args.length > sig.params.length) {
    ec.report(Diagnostics.Function_0_expects_1_arguments_found_2, e.span, [name, min === sig.params.length ? `${min}` : `${min} to ${sig.params.length}`, e.args.length]);
  }
  const infos: ArgInfo[] = [];
  let bad = false;
  e.args.forEach((arg, i) => {
    const kind = sig.params[i] ?? 'any';
    if (arg.name) ec.report(Diagnostics.Function_0_takes_no_named_argument_1, arg.name.span, [name, arg.name.text]);
    let t: Type;
    if (kind === 'lambda') {
      t = lambda(ec, arg.value, infos[0]?.type, scope, sig.lambdaResult ?? 'any');
    } else {
      t = ec.check(arg.value, scope);
      if (!paramAccepts(kind, nonNull(t))) {
        ec.report(Diagnostics.Argument_0_of_1_expects_2_found_3, arg.value.span, [i + 1, name, paramKindText(kind), typeToString(t)]);
        bad = true;
      }
    }
    const lit = arg.value.kind === 'StringLit' ? arg.value.value : arg.value.kind === 'NumberLit' ? Number(arg.value.text) : undefined;
    infos.push({ type: t, literal: lit });
    if (sig.formatArg === i && typeof lit === 'string' && !isValidDateFormat(lit)) ec.report(Diagnostics.Invalid_date_format_0, arg.value.span, [lit]);
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

export function lambda(ec: ExprChecker, e: A.Expr, listType: Type | undefined, scope: Scope, want: 'bool' | 'any' | 'number'): Type {
  if (e.kind !== 'Lambda') {
    ec.check(e, scope);
    ec.report(Diagnostics.Function_argument_expected_found_0, e.span, [exprText(e)]);
    return ERROR;
  }
  const param = listType?.kind === 'list' ? listType.element : listType && isLoose(listType) ? ANY : ERROR;
  const inner = new Scope(scope);
  inner.declare(e.param.text, { type: param, decl: 'param', node: e.param, used: true });
  ec.model.resolution.set(e.param, { kind: 'local', name: e.param.text, decl: 'param' });
  const r = ec.check(e.body, inner);
  if (want === 'bool' && !isLoose(r) && !(r.kind === 'prim' && r.name === 'bool')) ec.report(Diagnostics.Condition_must_be_bool_found_0, e.body.span, [typeToString(r)]);
  if (want === 'number' && !isLoose(r) && !isNumeric(r)) ec.report(Diagnostics.Function_body_must_be_number_found_0, e.body.span, [typeToString(r)]);
  const t: Type = { kind: 'lambda', param, result: r, nullable: false };
  return ec.set(e, t);
}

export function operationCall(ec: ExprChecker, e: A.Call, path: string[], scope: Scope): Type {
  const [system, ...rest] = path as [string, ...string[]];
  const opName = rest.join('.');
  const op = ec.schemas.operations.get(`${system}.${opName}`);
  if (!op) {
    const names = [...ec.schemas.operations.values()].filter((o) => o.system === system).map((o) => o.name);
    ec.report(Diagnostics.Unknown_operation_0_on_1, e.callee.span, [opName, system === 'xcart' ? 'X-Cart' : 'Sage Pro'], { hint: didYouMean(opName, names), label: 'unknown operation' });
    for (const a of e.args) ec.check(a.value, scope);
    return ERROR;
  }
  if (!ec.allowedOperationCalls.has(e)) {
    ec.report(Diagnostics.Operation_call_0_in_expression, e.span, [`${system}.${opName}`]);
  }
  const args: (A.Expr | undefined)[] = new Array(op.params.length).fill(undefined);
  e.args.forEach((a, i) => {
    let idx = i;
    if (a.name) {
      idx = op.params.findIndex((p) => p.name === a.name!.text);
      if (idx < 0) {
        ec.report(Diagnostics.Unknown_parameter_0_of_1, a.name.span, [a.name.text, `${system}.${opName}`], { hint: didYouMean(a.name.text, op.params.map((p) => p.name)) });
        ec.check(a.value, scope);
        return;
      }
    } else if (i >= op.params.length) {
      ec.report(Diagnostics.Function_0_expects_1_arguments_found_2, a.span, [`${system}.${opName}`, op.params.length, e.args.length]);
      ec.check(a.value, scope);
      return;
    }
    const p = op.params[idx]!;
    args[idx] = a.value;
    const t = ec.check(a.value, scope, p.type);
    if (!assignable(nonNull(t), nonNull(p.type)) ) {
      ec.report(Diagnostics.Parameter_0_of_1_expects_2_found_3, a.value.span, [p.name, `${system}.${opName}`, typeToString(p.type), typeToString(t)]);
    } else if (t.nullable && !p.type.nullable && !isLoose(t)) {
      ec.report(Diagnostics.Nullable_0_into_required_field_1, a.value.span, [exprText(a.value), p.name]);
    }
  });
  op.params.forEach((p, i) => {
    if (args[i] === undefined && !p.type.nullable) ec.report(Diagnostics.Missing_argument_0_of_1, e.span, [p.name, `${system}.${opName}`]);
  });
  ec.model.resolution.set(e, { kind: 'operation', op, args });
  return op.returns ?? NULL;
}
