/**
 * A step's own editable fields (what the properties panel shows as inputs and `setField` changes):
 * the field, its current value as written, and the AST node behind it. Shared by the model
 * (model.ts: `DesignStep.fields`) and the edit (edit-fields.ts), so both name the same fields.
 *
 * - let: `expr`; skip when: `condition`, `reason` (a string, optional); require: `condition`,
 *   `reason` (an expression); idempotency: `key`;
 * - fetch, lookup, write: `arg:<parameter>` for every parameter of the operation (named or
 *   positional in the text, or not written: then no span); write: `when` (optional);
 * - table: `file` (when it reads a lookups/ file), `missing` (`reject`, `null`, `default <expr>`).
 */
import type * as A from '../../grammar/ast.js';
import type { Operation } from '../schema/load-schemas.js';
import { typeToString } from '../schema/types.js';
import type { DesignStepField } from './api.js';

export interface FieldInfo {
  readonly design: DesignStepField;
  /** The node holding the value (absent: not written). */
  readonly node?: A.Node;
  /** For arguments: the argument written for the parameter, and the call. */
  readonly arg?: A.Arg;
  readonly call?: A.Call;
}

/** The call of a fetch, lookup or write (undefined when its value is not a call). */
export function callOf(item: A.FlowItem): A.Call | undefined {
  const e = item.kind === 'Fetch' || item.kind === 'Lookup' ? item.value : item.kind === 'Write' ? item.call : undefined;
  return e?.kind === 'Call' ? e : undefined;
}

/** The argument written for each parameter: by name, else positional (the i-th unnamed argument is the i-th parameter). */
export function argsByParam(call: A.Call, op: Operation | undefined): Map<string, A.Arg> {
  const out = new Map<string, A.Arg>();
  call.args.forEach((arg, i) => {
    if (!arg || arg.kind !== 'Arg') return;
    if (arg.name) out.set(arg.name.text, arg);
    else if (op?.params[i]) out.set(op.params[i]!.name, arg);
  });
  return out;
}

export function fieldsOf(item: A.FlowItem, text: string, op: Operation | undefined): FieldInfo[] {
  const slice = (n: A.Node) => text.slice(n.span.start, n.span.end);
  const expr = (field: string, node: A.Node | undefined, optional = false): FieldInfo => ({
    design: { field, kind: 'expr', value: node ? slice(node) : '', ...(node ? { span: node.span } : {}), optional }, ...(node ? { node } : {}),
  });
  switch (item.kind) {
    case 'Let': return [expr('expr', item.value)];
    case 'Idempotency': return [expr('key', item.key)];
    case 'Require': return [expr('condition', item.condition), expr('reason', item.reason)];
    case 'SkipWhen': return [
      expr('condition', item.condition),
      { design: { field: 'reason', kind: 'text', value: item.reason?.value ?? '', ...(item.reason ? { span: item.reason.span } : {}), optional: true }, ...(item.reason ? { node: item.reason } : {}) },
    ];
    case 'TableDecl': {
      const out: FieldInfo[] = [];
      if (item.from) out.push({ design: { field: 'file', kind: 'text', value: item.from.value, span: item.from.span, optional: false }, node: item.from });
      const m = item.missing;
      // The value is what follows `on missing`; the span is the whole `on missing ...` clause.
      const value = m ? slice(m).replace(/^on\s+missing\s+/, '') : '';
      out.push({ design: { field: 'missing', kind: 'missing', value, ...(m ? { span: m.span } : {}), optional: true }, ...(m ? { node: m } : {}) });
      return out;
    }
    case 'Fetch': case 'Lookup': case 'Write': {
      const out: FieldInfo[] = [];
      const call = callOf(item);
      if (call) {
        const written = argsByParam(call, op);
        const params = op ? op.params.map((p) => ({ name: p.name, type: typeToString(p.type), optional: p.type.nullable }))
          : [...written.keys()].map((name) => ({ name, type: undefined, optional: false }));
        for (const p of params) {
          const arg = written.get(p.name);
          out.push({
            design: { field: `arg:${p.name}`, kind: 'expr', value: arg ? slice(arg.value) : '', ...(arg ? { span: arg.value.span } : {}), optional: p.optional, ...(p.type ? { type: p.type } : {}) },
            ...(arg ? { node: arg.value, arg } : {}), call,
          });
        }
      }
      if (item.kind === 'Write') out.push(expr('when', item.when, true));
      return out;
    }
    default: return [];
  }
}
