/**
 * The value of a fetch, lookup or write step: one call of an operation of the right kind (FLOW3018
 * for anything else, FLOW2005 for an unknown system, FLOW3012 for a read in a write or the reverse).
 * Operation calls anywhere else are FLOW3009 (expr/calls.ts).
 * Fixtures: test/fixtures/check/not-an-operation-call.flow, read-operation-in-write.flow, unknown-system.flow
 */
import type * as A from '../../../grammar/ast.js';
import { Diagnostics } from '../../diagnostics/messages.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { ERROR, type Type } from '../../schema/types.js';
import type { CheckContext } from '../context.js';
import { dottedPath, exprText } from '../expressions.js';

export function stepCall(e: A.Expr, want: 'read' | 'write', ctx: CheckContext): Type {
  const { ec, root: scope, report } = ctx;
  if (e.kind === 'Missing') return ERROR;
  const path = e.kind === 'Call' ? dottedPath(e.callee) : undefined;
  if (e.kind !== 'Call' || !path || path.length < 2 || (path[0] !== 'xcart' && path[0] !== 'sagepro')) {
    if (e.kind === 'Call' && path && path.length >= 2 && !['xcart', 'sagepro'].includes(path[0]!)) {
      report(Diagnostics.Unknown_system_0, e.callee.span, [path[0]!], { hint: didYouMean(path[0]!, ['xcart', 'sagepro']) });
      return ERROR;
    }
    ec.check(e, scope);
    report(Diagnostics.Not_an_operation_call_found_0, e.span, [exprText(e)]);
    return ERROR;
  }
  ec.allowedOperationCalls.add(e);
  const t = ec.check(e, scope);
  const r = ec.model.resolution.get(e);
  if (r?.kind === 'operation' && r.op.kind !== want) {
    report(Diagnostics.Operation_0_is_a_1_use_2, e.callee.span, [`${r.op.system}.${r.op.name}`, r.op.kind, r.op.kind === 'read' ? 'fetch or lookup' : 'write']);
  }
  return t;
}
