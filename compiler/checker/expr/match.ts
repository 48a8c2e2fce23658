/**
 * `match`: literal patterns of the subject's type (FLOW3009), repeated patterns (FLOW6006), known
 * codes (FLOW3020) and exhaustiveness over them (FLOW3006), arms of one type (FLOW3009).
 * Fixtures: test/fixtures/check/match-missing-codes.flow, unknown-match-code.flow, unreachable-match-arm.flow, match-arms.flow
 */
import type * as A from '../../../grammar/ast.js';
import { hintText } from '../../diagnostics/diagnostic.js';
import { Diagnostics, Hints } from '../../diagnostics/messages.js';
import { ERROR, NEVER, isLoose, nonNull, typeToString, unify, type Type } from '../../schema/types.js';
import { exprText, type ExprChecker } from '../expressions.js';
import type { Scope } from '../scope.js';

export function match(ec: ExprChecker, e: A.Match, scope: Scope, expected?: Type): Type {
  const st = ec.check(e.subject, scope);
  const seen = new Map<string, A.Expr>();
  let result: Type = NEVER;
  for (const arm of e.arms) {
    for (const p of arm.patterns) {
      const pt = ec.check(p, scope);
      if (p.kind !== 'StringLit' && p.kind !== 'NumberLit' && p.kind !== 'NullLit' && p.kind !== 'BoolLit') {
        ec.report(Diagnostics.Pattern_must_be_literal_found_0, p.span, [exprText(p)]);
        continue;
      }
      if (!isLoose(st) && pt.kind !== 'null' && !unify(nonNull(st), pt)) {
        ec.report(Diagnostics.Pattern_of_type_0_found_1, p.span, [typeToString(nonNull(st)), typeToString(pt)]);
      }
      const key = literalKey(p);
      if (seen.has(key)) ec.report(Diagnostics.Duplicate_match_pattern_0, p.span, [key]);
      seen.set(key, p);
      const codes = st.kind === 'prim' ? st.codes : undefined;
      if (codes && p.kind === 'StringLit' && !codes.includes(p.value)) {
        ec.report(Diagnostics.Unknown_match_code_0, p.span, [p.value, exprText(e.subject), codes.map((c) => `'${c}'`).join(', ')]);
      }
    }
    const vt = ec.check(arm.value, scope, expected);
    const u = unify(result, vt);
    if (!u) { ec.report(Diagnostics.Match_arm_0_unlike_others_1, arm.value.span, [typeToString(result), typeToString(vt)]); result = ERROR; }
    else result = u;
  }
  if (e.otherwise) {
    const vt = ec.check(e.otherwise, scope, expected);
    const u = unify(result, vt);
    if (!u) { ec.report(Diagnostics.Match_arm_0_unlike_others_1, e.otherwise.span, [typeToString(result), typeToString(vt)]); result = ERROR; }
    else result = u;
  } else if (st.kind === 'prim' && st.codes) {
    const missing = st.codes.filter((c) => !seen.has(`"${c}"`));
    if (missing.length) {
      ec.report(Diagnostics.Match_misses_codes_0, e.span, [exprText(e.subject), missing.map((c) => `'${c}'`).join(', ')],
        { hint: hintText(Hints.Add_match_arms) });
    }
  }
  return result.kind === 'never' ? ERROR : result;
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
