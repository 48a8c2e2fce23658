/**
 * The depth limit of expression trees. The parser reads a chain such as `a + b + ... ` or
 * `x.a.b.c...` iteratively, but it becomes a tree as deep as the chain is long, and the checker,
 * the emitter and the printer walk trees recursively. So after parsing, an expression nested
 * deeper than MAX_EXPRESSION_DEPTH (every operator, `.`, `?.`, call, index, list, object and
 * other expression node counts one level) is replaced by a `Missing` node and reported as
 * FLOW1005 at the part that is too deep (once per parent). Later phases then never see a tree deeper than the limit.
 * This walk itself is iterative.
 */
import type * as A from './ast.js';
import { childKeys } from './ast.js';
import type { SyntaxIssue } from './parser.js';

export const MAX_EXPRESSION_DEPTH = 256;

const EXPR_KINDS = new Set<string>([
  'StringLit', 'NumberLit', 'BoolLit', 'NullLit', 'Duration', 'Ident', 'Member', 'Index', 'Call', 'Lambda', 'Binary',
  'Unary', 'If', 'Match', 'Reject', 'ListExpr', 'ObjectExpr', 'Each', 'Missing',
]);

/** Cuts expressions deeper than the limit out of `file` (in place) and returns one FLOW1005 per cut. */
export function limitExpressionDepth(file: A.FlowFile): SyntaxIssue[] {
  const issues: SyntaxIssue[] = [];
  const stack: { node: A.Node; depth: number }[] = [{ node: file, depth: 0 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    const keys = childKeys[node.kind] ?? [];
    let reported = false;
    for (const key of keys) {
      const holder = node as unknown as Record<string, unknown>;
      const value = holder[key];
      const visit = (child: unknown, replace: (m: A.Missing) => void) => {
        if (!child || typeof child !== 'object' || !('kind' in child)) return;
        const c = child as A.Node;
        const d = EXPR_KINDS.has(c.kind) ? depth + 1 : depth;
        if (d > MAX_EXPRESSION_DEPTH) {
          if (!reported) issues.push({ code: 1005, span: c.span, args: [String(MAX_EXPRESSION_DEPTH), "operators, '.', '?.', calls, indexes and other expressions"] });
          reported = true;
          replace({ kind: 'Missing', expected: 'a less deeply nested expression', span: c.span });
          return;
        }
        stack.push({ node: c, depth: d });
      };
      if (Array.isArray(value)) value.forEach((c, i) => visit(c, (m) => { value[i] = m; }));
      else visit(value, (m) => { holder[key] = m; });
    }
  }
  return issues;
}
