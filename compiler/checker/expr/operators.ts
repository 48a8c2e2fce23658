/**
 * Operators: unary (FLOW3017) and binary (FLOW3008) operands, and the result types (int and decimal
 * arithmetic, string concatenation with its length bound, comparisons, `??`).
 * Fixtures: test/fixtures/check/operator-operands.flow, unary-operand.flow
 */
import type * as A from '../../../grammar/ast.js';
import { Diagnostics } from '../../diagnostics/messages.js';
import { BOOL, ERROR, ANY, isLoose, isNumeric, nonNull, prim, typeToString, unify, withNullable, type Type } from '../../schema/types.js';
import type { ExprChecker } from '../expressions.js';
import type { Scope } from '../scope.js';

export function unary(ec: ExprChecker, e: A.Unary, scope: Scope): Type {
  const t = ec.check(e.operand, scope);
  if (isLoose(t)) return t;
  if (e.op === '!' ? (t.kind === 'prim' && t.name === 'bool') : isNumeric(t)) return t;
  ec.report(Diagnostics.Operator_0_cannot_apply_to_1, e.span, [e.op, typeToString(t)]);
  return ERROR;
}

export function binary(ec: ExprChecker, e: A.Binary, scope: Scope): Type {
  const l = ec.check(e.left, scope);
  const r = ec.check(e.right, scope);
  const fail = (): Type => { ec.report(Diagnostics.Operator_0_cannot_apply_to_1_and_2, e.opSpan, [e.op, typeToString(l), typeToString(r)]); return ERROR; };
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
