// The round-trip property of issue 16, in CI: over 1,000 generated flows (comments of every kind,
// blank lines, LF and CRLF, tab indentation, no final line break) and random sequences of visual
// edits (map, unmap, change an expression, add, remove or move a step, change a step's own field
// (setField), change / add / remove a policy), each edit
//  - changes only the spans it concerns: every byte outside its text edits is identical, and each
//    text edit lies where its kind says (an expression inside its old expression, an added line at a
//    line start, a removed step or assignment's own lines, a policy inside its policy);
//  - keeps 100% of the comments, except those of a removed step or assignment (its own leading and
//    trailing comment, which must be all a deletion removes besides the statement and white space);
//  - leaves a text that parses and checks without errors (a removal the checker's dependencies
//    forbid is refused instead, and must be exactly those);
// and applying the inverses in reverse order restores the original bytes. Seeded: the same run
// every time. Prints `flows=N edits=N comments_kept=100% undo_restored=N/N`, and (not asserted) the
// time of applyEdit on a 300-step flow.
import { describe, expect, it } from 'vitest';
import { lexComments } from '../format/comments.js';
import { analyzeDesign, applyEdit, designContext, generateFlow, type DesignModel, type TextEdit, type VisualEdit } from './index.js';
import { applyEdits } from './text.js';
import { rng } from './generate.js';

const FLOWS = 1000;
const ctx = designContext('mappings/generated.flow');
const FILE = 'mappings/generated.flow';

const NEW_TARGETS = [
  { target: 'notes', expr: '"note " + string(order.id)' },
  { target: 'po_number', expr: 'truncate(order.order_number ?? "", 20)' },
  { target: 'lines[].price', expr: 'round(item.price, 2)' },
  { target: 'lines[].description', expr: 'truncate(item.name, 50)' },
  { target: 'ship_to.zip', expr: 'truncate(order.shipping_address?.zipcode ?? "", 10)' },
  { target: 'ship_to.city', expr: 'truncate(upper(order.shipping_address?.city ?? ""), 20)' },
];
const OPTIONAL = ['notes', 'po_number', 'lines[].price', 'ship_to.zip', 'lines[].description'];
const EXPRS = [
  { target: 'customer', expr: 'truncate(lower(order.email), 6)' },
  { target: 'external_ref', expr: '"XC-" + string(order.id) + "-W"' },
  { target: 'lines[].quantity', expr: 'item.amount * 1' },
  { target: 'order_date', expr: 'date(order.create_date, "UTC")' },
];

function multisetMinus(all: string[], remove: string[]): string[] {
  const out = [...all];
  for (const r of remove) { const i = out.indexOf(r); if (i >= 0) out.splice(i, 1); }
  return out;
}
/** What remains of `s` without comments and white space (a deletion must leave nothing else). */
function codeOf(s: string): string {
  const cs = lexComments(s).comments;
  let out = '', at = 0;
  for (const c of cs) { out += s.slice(at, c.start); at = c.end; }
  return (out + s.slice(at)).replace(/\s+/g, '');
}

function randomEdit(m: DesignModel, pick: <T>(xs: readonly T[]) => T, r: () => number): { edit: VisualEdit; kind: string } {
  const map = m.maps[0];
  const assigned = new Set(map?.assignments.map((a) => a.target) ?? []);
  // Without a map (its write and then the map were removed): step and policy edits only.
  const k = map ? r() : 0.45 + r() * 0.55;
  if (k < 0.16) {
    const t = pick(NEW_TARGETS.filter((x) => !x.target.startsWith('ship_to.') || assigned.has('ship_to')));
    return { edit: { kind: 'map', target: t.target, expr: t.expr }, kind: assigned.has(t.target) ? 'replace' : 'add-map' };
  }
  if (k < 0.30) {
    const present = OPTIONAL.filter((t) => assigned.has(t));
    if (present.length) return { edit: { kind: 'unmap', target: pick(present) }, kind: 'unmap' };
  }
  if (k < 0.45) { const e = pick(EXPRS); return { edit: { kind: 'setExpr', target: e.target, expr: e.expr }, kind: 'replace' }; }
  if (k < 0.55) {
    const n = Math.floor(r() * 1e6);
    const step = pick([
      { kind: 'let' as const, name: `added${n}`, expr: `order.total + ${n % 97}` },
      { kind: 'skip' as const, condition: `order.total < -${n}`, because: `below -${n}` },
      { kind: 'table' as const, name: `tab${n}`, file: 'carriers.yaml', missing: { default: '"BEST"' } },
    ]);
    const anchors = m.steps.filter((s) => s.kind !== 'write' && s.kind !== 'map');
    const after = anchors.length && r() < 0.5 ? pick(anchors).key : undefined;
    return { edit: { kind: 'addStep', step, ...(after ? { after } : {}) }, kind: 'add-line' };
  }
  if (k < 0.62) {
    // A step's own field from the properties panel: an expression kept of its type (in parentheses), a reason re-worded.
    const fields = m.steps.flatMap((s) => (s.fields ?? []).filter((f) => f.span && f.kind !== 'missing' && f.field !== 'file').map((f) => ({ s, f })));
    if (fields.length) {
      const { s, f } = pick(fields);
      return { edit: { kind: 'setField', step: s.key, field: f.field, value: f.kind === 'text' ? `${f.value} (edited ${Math.floor(r() * 100)})` : `(${f.value})` }, kind: 'field' };
    }
  }
  if (k < 0.74) return { edit: { kind: 'removeStep', key: pick(m.steps).key }, kind: 'remove' };
  if (k < 0.80 && m.steps.length > 1) return { edit: { kind: 'moveStep', key: pick(m.steps).key, to: Math.floor(r() * m.steps.length) }, kind: 'move' };
  if (k < 0.90) {
    const p = pick(m.policies);
    return { edit: { kind: 'setPolicy', key: p.key, ...(r() < 0.5 ? { retry: 1 + Math.floor(r() * 9) } : { then: pick(['dead_letter', 'fail']) }) }, kind: 'policy' };
  }
  const conflict = m.policies.find((p) => p.class === 'conflict');
  if (conflict) return { edit: { kind: 'removePolicy', key: conflict.key }, kind: 'remove' };
  return { edit: { kind: 'addPolicy', class: 'conflict', alert: 'changed meanwhile', then: 'dead_letter' }, kind: 'add-line' };
}

describe('visual edits are minimal text edits (property, issue 16)', () => {
  it(`holds over ${FLOWS} generated flows and random edit sequences`, () => {
    let edits = 0, fieldEdits = 0, refusedOk = 0, undone = 0, kept = 0, expectedKept = 0;
    const r = rng(20261202);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    for (let f = 0; f < FLOWS; f++) {
      const eol = f % 3 === 1 ? '\r\n' : '\n';
      let original = generateFlow(4 + Math.floor(r() * 6), f + 1, { eol });
      // Variants: tab indentation; no line break at the end of the file.
      if (f % 5 === 4) original = original.replace(/^((?:  )+)/gm, (m) => '\t'.repeat(m.length / 2));
      if (f % 7 === 3) original = original.slice(0, -eol.length);
      let text = original;
      let model = analyzeDesign(text, FILE, ctx);
      expect(model.diagnostics.filter((d) => d.severity === 'error'), `flow ${f + 1} is valid`).toEqual([]);
      const inverses: TextEdit[][] = [];
      const steps = 2 + Math.floor(r() * 2);
      let comments = lexComments(text).comments;
      for (let e = 0; e < steps; e++) {
        const { edit, kind } = randomEdit(model, pick, r);
        const where = `flow ${f + 1} edit ${e + 1} ${JSON.stringify(edit)}`;
        const res = applyEdit(text, edit, ctx, FILE);
        if (!res.ok) {
          if (edit.kind === 'moveStep') {
            // A move is refused only for a dependency (by name, or a new checker error such as a lost narrowing).
            expect(res.error.message, where).toMatch(/^cannot move '.*' there: /);
            refusedOk++;
            continue;
          }
          // The only other refusals of these edits: removing a step other steps use.
          expect(edit.kind, `${where}: ${res.error.message}`).toBe('removeStep');
          const users = model.steps.filter((s) => s.deps.includes((edit as { key: string }).key));
          expect(users.length, where).toBeGreaterThan(0);
          expect(res.error.message).toContain('is used by');
          refusedOk++;
          continue;
        }
        edits++;
        if (kind === 'field') fieldEdits++;
        const next = res.text;
        // 1. Bytes outside the text edits are identical (walked independently of applyEdits).
        const sorted = [...res.edits].sort((a, b) => a.start - b.start);
        let oldAt = 0, newAt = 0;
        for (const te of sorted) {
          const same = text.slice(oldAt, te.start);
          expect(next.slice(newAt, newAt + same.length), where).toBe(same);
          newAt += same.length;
          expect(next.slice(newAt, newAt + te.newText.length), where).toBe(te.newText);
          newAt += te.newText.length; oldAt = te.end;
        }
        expect(next.slice(newAt), where).toBe(text.slice(oldAt));
        // 2. Each text edit lies where its kind says.
        const removed: string[] = [];
        if (kind === 'replace') {
          const target = (edit as { target: string }).target;
          const a = model.maps[0]!.assignments.find((x) => x.target === target)!;
          for (const te of sorted) expect(te.start >= a.exprSpan.start && te.end <= a.exprSpan.end, where).toBe(true);
        } else if (kind === 'add-map' || kind === 'add-line') {
          expect(sorted.length, where).toBe(1);
          const te = sorted[0]!;
          expect(te.start, where).toBe(te.end);
          const brk = eol === '\r\n' ? '\\r\\n' : '\\n';
          if (te.start === text.length && !/[\r\n]$/.test(text)) {
            // At the end of a file without a final line break: the new line begins with one.
            expect(te.newText, where).toMatch(new RegExp(`^${brk}[ \\t]*[^\\r\\n]+$`));
          } else {
            expect(te.start === 0 || /[\r\n]/.test(text[te.start - 1]!), `${where}: inserted at a line start`).toBe(true);
            expect(te.newText, where).toMatch(new RegExp(`^[ \\t]*[^\\r\\n]+${brk}$`));
          }
          // In the file's own indentation: tabs in a tab-indented file.
          const lead = /^(?:\r\n|\n)?([ \t]*)/.exec(te.newText)![1]!;
          expect(f % 5 === 4 ? !lead.includes(' ') : !lead.includes('\t'), `${where}: indentation '${JSON.stringify(lead)}'`).toBe(true);
          if (kind === 'add-map') {
            const map = model.maps[0]!;
            expect(te.start > map.bodySpan.start && te.start < map.bodySpan.end, where).toBe(true);
          }
        } else if (kind === 'unmap' || kind === 'remove') {
          expect(sorted.length, where).toBe(1);
          const te = sorted[0]!;
          expect(te.newText, where).toBe('');
          const gone = text.slice(te.start, te.end);
          const own = kind === 'unmap'
            ? model.maps[0]!.assignments.find((x) => x.target === (edit as { target: string }).target)!.span
            : edit.kind === 'removeStep' ? model.steps.find((s) => s.key === edit.key)!.span : model.policies.find((p) => p.key === (edit as { key: string }).key)!.span;
          const ownText = text.slice(own.start, own.end);
          expect(te.start <= own.start && te.end >= own.end, where).toBe(true);
          // Besides the statement: only its own comments and white space.
          expect(codeOf(gone.slice(0, own.start - te.start)) + codeOf(gone.slice(own.end - te.start)), where).toBe('');
          void ownText;
          removed.push(...comments.filter((c) => c.start >= te.start && c.end <= te.end).map((c) => c.text));
        } else if (kind === 'move') {
          // Its own lines out of one place and into another, unchanged (at most a line break moved at the end of the file).
          if (sorted.length) {
            expect(sorted.length, where).toBe(2);
            const del = sorted.find((x) => x.newText === '')!, ins = sorted.find((x) => x.start === x.end)!;
            const step = model.steps.find((x) => x.key === (edit as { key: string }).key)!;
            expect(del.start <= step.span.start && del.end >= step.span.end, where).toBe(true);
            expect(ins.newText.replace(/\r?\n$|^\r?\n/, ''), where).toBe(text.slice(del.start, del.end).replace(/\r?\n$|^\r?\n/, ''));
            const order = res.model.steps.map((x) => x.key);
            expect(order.indexOf(step.key), where).toBe((edit as { to: number }).to);
          }
        } else if (kind === 'field') {
          // Inside the field's own value, nothing else.
          const e2 = edit as { step: string; field: string };
          const span = model.steps.find((x) => x.key === e2.step)!.fields!.find((x) => x.field === e2.field)!.span!;
          expect(sorted.length, where).toBe(1);
          for (const te of sorted) expect(te.start >= span.start && te.end <= span.end, where).toBe(true);
        } else if (kind === 'policy') {
          const p = model.policies.find((x) => x.key === (edit as { key: string }).key)!;
          for (const te of sorted) expect(te.start >= p.span.start && te.end <= p.span.end, where).toBe(true);
        }
        // 3. Comments: all kept but the removed statement's own.
        const nextComments = lexComments(next).comments;
        const want = multisetMinus(comments.map((c) => c.text), removed);
        const got = nextComments.map((c) => c.text);
        kept += want.length - multisetMinus(want, got).length; expectedKept += want.length;
        expect([...got].sort(), where).toEqual([...want].sort());
        // 4. Parses and checks.
        expect(res.model.hasSyntaxErrors, where).toBe(false);
        expect(res.model.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`), where).toEqual([]);
        inverses.push([...res.inverse]);
        text = next; model = res.model; comments = nextComments;
      }
      // 5. Undo: the inverses in reverse order restore the original bytes.
      let back = text;
      for (const inv of [...inverses].reverse()) back = applyEdits(back, inv);
      expect(back, `flow ${f + 1}: undo`).toBe(original);
      undone++;
    }
    const pct = expectedKept ? Math.round((kept / expectedKept) * 1000) / 10 : 100;
    console.log(`flows=${FLOWS} edits=${edits} (set_field=${fieldEdits}) comments_kept=${pct}% undo_restored=${undone}/${FLOWS} (refused for a dependency: ${refusedOk})`);
    expect(undone).toBe(FLOWS);
    expect(edits).toBeGreaterThan(FLOWS * 2);
    expect(fieldEdits).toBeGreaterThan(FLOWS / 10);
    expect(kept).toBe(expectedKept);
  }, 120_000);

  it('applyEdit on a 300-step flow (printed, not asserted)', () => {
    const big = generateFlow(300, 300);
    const m = analyzeDesign(big, 'mappings/big.flow', ctx);
    expect(m.steps.length).toBe(300);
    const times: number[] = [];
    let text = big;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const res = applyEdit(text, { kind: 'setPolicy', key: 'policy:transient', retry: 3 + i }, ctx, 'mappings/big.flow');
      times.push(performance.now() - t0);
      expect(res.ok).toBe(true);
      if (res.ok) text = res.text;
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`applyEdit on 300 steps: median ${sorted[2]!.toFixed(1)} ms, max ${sorted[4]!.toFixed(1)} ms (analysis of the new text included)`);
  });
});
