/**
 * Names declared by steps: once per flow (FLOW2006, with a FLOW9004 note), visible only after their
 * step (FLOW4005, with a FLOW9002 note), and unused ones warned about (FLOW6001, 6002, 6004, 6005).
 * Fixtures: test/fixtures/check/duplicate-declaration.flow, used-before-declared.flow, unused-steps.flow
 */
import type * as A from '../../../grammar/ast.js';
import { createRelated } from '../../diagnostics/diagnostic.js';
import { Diagnostics } from '../../diagnostics/messages.js';
import type { Type } from '../../schema/types.js';
import type { CheckContext, Rule } from '../context.js';
import type { Binding } from '../scope.js';

/** Declares a step's name in the root scope (the order of declaration is the map functions' parameter order). */
export function declare(ctx: CheckContext, name: A.Name, type: Type, decl: Binding['decl'], kind: string): void {
  const prev = ctx.declared.get(name.text);
  if (prev || name.text === 'event' || ctx.tables.has(name.text)) {
    ctx.report(Diagnostics._0_is_declared_more_than_once, name.span, [name.text],
      prev ? { related: [createRelated(Diagnostics._0_was_first_declared_here, prev.node.span, [name.text])] } : {});
  }
  const binding: Binding = { type, decl, node: name, used: false, order: ctx.declared.size + 1 };
  ctx.root.declare(name.text, binding);
  ctx.declared.set(name.text, { binding, node: name, kind });
  ctx.model.resolution.set(name, { kind: 'local', name: name.text, decl });
}

/** Reports names of later steps read here (FLOW4005); the expression checker then stays quiet about them. */
export function checkUseBeforeDeclare(ctx: CheckContext, e: A.Node): void {
  walkExpr(e, (n) => {
    if (n.kind === 'Ident' && ctx.laterNames.has(n.name) && !ctx.root.lookup(n.name)) {
      ctx.report(Diagnostics.Step_0_used_before_declared, n.span, [n.name],
        { related: [createRelated(Diagnostics._0_is_declared_here, ctx.laterNames.get(n.name)!.span, [n.name])] });
      ctx.ec.usedEarly.add(n);
      ctx.usedEarly.add(n.name);
      return false;
    }
    return true;
  });
}

export const declarationsRule: Rule = {
  name: 'declarations',
  begin(ctx) {
    for (const item of ctx.flow.items) {
      if ((item.kind === 'Fetch' || item.kind === 'Lookup' || item.kind === 'Let' || item.kind === 'MapDecl') && item.name) ctx.laterNames.set(item.name.text, item.name);
    }
  },
  end(ctx) {
    for (const { binding, node, kind } of ctx.declared.values()) {
      if (binding.used || ctx.usedEarly.has(node.text)) continue;
      if (kind === 'Fetch') ctx.report(Diagnostics.Fetch_0_is_never_used, node.span, [node.text]);
      else if (kind === 'Lookup') ctx.report(Diagnostics.Lookup_0_is_never_used, node.span, [node.text]);
      else if (kind === 'Let') ctx.report(Diagnostics.Let_0_is_never_used, node.span, [node.text]);
      else if (kind === 'MapDecl') ctx.report(Diagnostics.Map_0_is_never_written, node.span, [node.text]);
    }
  },
};

/** Walks expression nodes (not into lambdas' own scopes' declarations). */
function walkExpr(n: A.Node, visit: (n: A.Node) => boolean): void {
  if (!visit(n)) return;
  for (const v of Object.values(n)) {
    if (Array.isArray(v)) { for (const c of v) if (c && typeof c === 'object' && 'kind' in c) walkExpr(c as A.Node, visit); }
    else if (v && typeof v === 'object' && 'kind' in (v as object) && (v as A.Node).kind !== undefined && !('file' in (v as object))) walkExpr(v as A.Node, visit);
  }
}
