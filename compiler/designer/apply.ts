/**
 * applyEdit: one visual edit → the text edits it makes (each edit kind in its own file), applied,
 * checked and inverted. The text is never re-printed: every edit replaces only what it concerns.
 *
 * An edit is refused (a located error, the text unchanged) when it cannot apply (unknown key,
 * missing argument, ...), when the text would no longer parse, and for moveStep when a step would
 * come before one it uses, or the move makes the checker report an error it did not (a `skip when`
 * that narrows a value the moved step reads).
 */
import type { ApplyResult, DesignContext, TextEdit, VisualEdit } from './api.js';
import { analyzeInternal, type Internal } from './model.js';
import { EditRefused } from './refused.js';
import { Text, applyEdits, inverseOf, minimal } from './text.js';
import { addStep, moveStep, removeStep } from './edit-steps.js';
import { setExpr, unmap } from './edit-map.js';
import { addPolicy, removePolicy, setPolicy } from './edit-policy.js';
import { setTrigger } from './edit-trigger.js';
import { fieldFor, setField, stepFor, writtenValue } from './edit-fields.js';

/** The fields each edit kind needs, and of what type: a malformed edit is refused naming the field. */
const NEEDS: Record<string, Record<string, 'string' | 'object'>> = {
  map: { target: 'string', expr: 'string' }, setExpr: { target: 'string', expr: 'string' }, unmap: { target: 'string' },
  addStep: { step: 'object' }, removeStep: { key: 'string' }, moveStep: { key: 'string' },
  setPolicy: { key: 'string' }, addPolicy: { class: 'string' }, removePolicy: { key: 'string' },
  setField: { step: 'string', field: 'string' },
};

function checkShape(edit: VisualEdit): void {
  const needs = NEEDS[edit.kind] ?? {};
  for (const [field, type] of Object.entries(needs)) {
    const v = (edit as unknown as Record<string, unknown>)[field];
    if (typeof v !== type || v === null) throw new EditRefused(`${edit.kind}: '${field}' must be a${type === 'object' ? 'n object' : ' string'} (got ${v === undefined ? 'nothing' : JSON.stringify(v)})`);
  }
  for (const field of ['map', 'after', 'before', 'step'] as const) {
    const v = (edit as unknown as Record<string, unknown>)[field];
    if (v !== undefined && (field !== 'step' || edit.kind === 'setField') && typeof v !== 'string') throw new EditRefused(`${edit.kind}: '${field}' must be a string (got ${JSON.stringify(v)})`);
  }
  if (edit.kind === 'addStep' && typeof (edit.step as { kind?: unknown }).kind !== 'string') throw new EditRefused("addStep: 'step.kind' must be one of fetch, lookup, table, let, write, skip");
  if (edit.kind === 'quickFix' && typeof (edit.id ?? (edit as { fixId?: unknown }).fixId) !== 'string') throw new EditRefused("quickFix: 'id' must be the id of one of the model's fixes");
}

export function editsFor(a: Internal, t: Text, edit: VisualEdit, ctx: DesignContext): TextEdit[] {
  checkShape(edit);
  switch (edit.kind) {
    case 'map': return setExpr(a, t, edit.map, edit.target, edit.expr, false);
    case 'setExpr': return setExpr(a, t, edit.map, edit.target, edit.expr, true);
    case 'unmap': return unmap(a, t, edit.map, edit.target);
    case 'addStep': return addStep(a, t, ctx, edit.step, edit.after, edit.before);
    case 'removeStep': return removeStep(a, t, edit.key);
    case 'moveStep': return moveStep(a, t, edit.key, edit.to, edit.after, edit.before);
    case 'setTrigger': return setTrigger(a, t, edit);
    case 'setPolicy': return setPolicy(a, t, edit.key, edit);
    case 'addPolicy': return addPolicy(a, t, edit.class, edit.step, edit);
    case 'removePolicy': return removePolicy(a, t, edit.key);
    case 'setField': return setField(a, t, ctx, edit.step, edit.field, edit.value);
    case 'quickFix': {
      const id = edit.id ?? (edit as { fixId?: string }).fixId;
      const fix = a.fixes.get(id);
      if (!fix) throw new EditRefused(`no quick fix '${id}' for this text (its fixes: ${[...a.fixes.keys()].join(', ') || 'none'}); the text may have changed since`);
      return fix.edits.map((e) => minimal(t.text, e.start, e.end, e.newText));
    }
    default:
      throw new EditRefused(`unknown edit kind '${(edit as { kind?: unknown }).kind}' (map, unmap, setExpr, addStep, removeStep, moveStep, setTrigger, setPolicy, addPolicy, removePolicy, quickFix, setField)`);
  }
}

export function applyEditImpl(text: string, edit: VisualEdit, ctx: DesignContext, file: string): ApplyResult {
  try {
    if (!edit || typeof edit !== 'object' || typeof (edit as { kind?: unknown }).kind !== 'string') throw new EditRefused('an edit is an object with a kind (map, unmap, setExpr, addStep, removeStep, moveStep, setTrigger, setPolicy, addPolicy, removePolicy, quickFix, setField)');
    const before = analyzeInternal(text, file, ctx);
    const t = new Text(text);
    const edits = editsFor(before, t, edit, ctx).filter((e) => e.start !== e.end || e.newText !== '').sort((x, y) => x.start - y.start || x.end - y.end);
    const next = applyEdits(text, edits);
    const after = analyzeInternal(next, file, ctx);
    if (after.model.hasSyntaxErrors && !before.model.hasSyntaxErrors) {
      const d = after.model.diagnostics.find((x) => /^FLOW1\d\d\d$/.test(x.code) && x.span) ?? after.model.diagnostics[0];
      const s = d?.span;
      throw new EditRefused(`the edit would make the text unparsable${s ? ` at ${s.line}:${s.column}` : ''}: ${d?.message ?? 'syntax error'} (the text is unchanged)`, s);
    }
    if (edit.kind === 'moveStep' && after.errorCount > before.errorCount) {
      const old = new Set(before.errors.map((d) => d.message));
      const fresh = after.errors.find((d) => !old.has(d.message)) ?? after.errors[0]!;
      throw new EditRefused(`cannot move '${edit.key}' there: the flow would not check (${fresh.message})`, before.steps.find((s) => s.key === edit.key)?.node.span);
    }
    if (edit.kind === 'setField' && edit.value !== null && edit.value !== undefined && edit.value.trim() !== '') checkField(before, after, ctx, edit);
    return { ok: true, text: next, edits, inverse: inverseOf(text, edits), model: after.model };
  } catch (e) {
    if (e instanceof EditRefused) return { ok: false, error: { code: 'invalid', message: e.message, ...(e.span ? { span: e.span } : {}) } };
    throw e;
  }
}

/**
 * After a setField: the same steps, and the field reads exactly the value given. A value that is
 * not one expression (`x when y`, `a\n  write ...`) would change the flow beyond the field: refused.
 */
function checkField(before: Internal, after: Internal, ctx: DesignContext, edit: Extract<VisualEdit, { kind: 'setField' }>): void {
  const s = stepFor(before, edit.step);
  const i = before.steps.indexOf(s);
  const f = fieldFor(before, ctx, s, edit.field);
  const same = after.steps.length === before.steps.length && after.steps[i]?.node.kind === s.node.kind;
  const now = same ? (() => { try { return fieldFor(after, ctx, after.steps[i]!, edit.field); } catch { return undefined; } })() : undefined;
  const want = writtenValue(f, edit.value!);
  const got = now?.node ? after.text.slice(now.node.span.start, now.node.span.end) : undefined;
  if (got === undefined || bare(got) !== bare(want)) {
    throw new EditRefused(`'${edit.value}' is not one ${f.design.kind === 'missing' ? 'missing policy' : 'expression'} for ${edit.field} of '${edit.step}': the flow would read it ${same ? `as '${got ?? ''}'` : 'as other statements'} (the text is unchanged)`, f.design.span ?? s.node.span);
  }
}

/** An expression's text without the parentheses around all of it (the parser's span leaves them out). */
function bare(s: string): string {
  let x = s.trim();
  for (;;) {
    if (!x.startsWith('(') || !x.endsWith(')')) return x;
    let depth = 0, whole = true;
    for (let i = 0; i < x.length; i++) {
      if (x[i] === '(') depth++;
      else if (x[i] === ')' && --depth === 0 && i < x.length - 1) { whole = false; break; }
    }
    if (!whole) return x;
    x = x.slice(1, -1).trim();
  }
}
