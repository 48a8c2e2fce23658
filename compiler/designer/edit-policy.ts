/**
 * Error policy edits: setPolicy (retry count or time budget, backoff, alert, then), addPolicy (a
 * flow-level `on <class> ...` line after the last one, or into a step's `{ ... }` block),
 * removePolicy. A changed policy is re-written from its fields and the replacement shrunk to what
 * differs (text.ts minimal), so `retry 3` → `retry 5` touches one character.
 */
import { ERROR_CLASSES } from '../schema/load-schemas.js';
import type { PolicyFields, TextEdit } from './api.js';
import type { Internal, PolicyInfo } from './model.js';
import { EditRefused } from './refused.js';
import { deletion } from './edit-steps.js';
import { minimal, quote, type Text } from './text.js';

const DURATION = /^\d+(\.\d+)?(ms|s|m|h|d)$/;
const BACKOFF = /^[A-Za-z_]+( +\d+(\.\d+)?(ms|s|m|h|d)( *\.\. *\d+(\.\d+)?(ms|s|m|h|d))?)?$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function policyByKey(a: Internal, key: string): PolicyInfo {
  const p = a.policies.find((x) => x.key === key);
  if (!p) throw new EditRefused(`no policy '${key}' in this flow (its policies: ${a.policies.map((x) => x.key).join(', ') || 'none'})`);
  return p;
}

function validate(f: PolicyFields): void {
  if (typeof f.retry === 'number' && (!Number.isInteger(f.retry) || f.retry < 0)) throw new EditRefused(`retry ${f.retry}: a retry count is a whole number, 0 or more`);
  if (typeof f.retry === 'string' && !DURATION.test(f.retry.trim())) throw new EditRefused(`retry for '${f.retry}': a time budget is a duration such as 24h, 30m, 90s`);
  if (typeof f.backoff === 'string' && !BACKOFF.test(f.backoff.trim())) throw new EditRefused(`backoff '${f.backoff}': write it as 'exponential 2s..10m' or 'fixed 30s'`);
  if (typeof f.then === 'string' && !NAME.test(f.then.trim())) throw new EditRefused(`then '${f.then}': an action such as dead_letter, skip or fail`);
}

/** The policy's text after `on <class>`, from its current node and the changed fields. */
function render(t: Text, p: PolicyInfo | undefined, f: PolicyFields): string {
  const n = p?.node;
  const parts: string[] = [];
  let retry: string | undefined;
  if (f.retry === null) retry = undefined;
  else if (f.retry === undefined && f.backoff === undefined && n?.retry) retry = t.text.slice(n.retry.span.start, n.retry.span.end);
  else {
    const count = f.retry !== undefined ? f.retry : n?.retry ? (n.retry.budget ? n.retry.budget.text : n.retry.max) : undefined;
    const backoff = f.backoff === null ? undefined : f.backoff !== undefined ? f.backoff.trim()
      : n?.retry?.backoff ? [n.retry.backoff.text, n.retry.initial ? n.retry.initial.text + (n.retry.max_ ? `..${n.retry.max_.text}` : '') : ''].filter(Boolean).join(' ') : undefined;
    if (count === undefined) { if (f.backoff) throw new EditRefused('a backoff needs a retry (retry N or retry for <duration>)'); }
    else retry = `retry ${typeof count === 'string' ? `for ${count.trim()}` : count}${backoff ? ` backoff ${backoff}` : ''}`;
  }
  if (retry) parts.push(retry);
  const alert = f.alert === null ? undefined : f.alert !== undefined ? quote(f.alert) : n?.alert ? t.text.slice(n.alert.span.start, n.alert.span.end) : undefined;
  if (alert) parts.push(`alert ${alert}`);
  const then = f.then === null ? undefined : f.then !== undefined ? f.then.trim() : n?.then?.text;
  if (then) {
    // Keep how the file writes it: `then dead_letter` or `dead_letter`.
    const bare = n?.then && !/\bthen\s+$/.test(t.text.slice(n.span.start, n.then.span.start)) && parts.length === 0;
    parts.push(bare ? then : `then ${then}`);
  }
  if (!parts.length) throw new EditRefused('a policy needs at least one action (retry, alert or then): remove it instead');
  return parts.join(' ');
}

export function setPolicy(a: Internal, t: Text, key: string, f: PolicyFields): TextEdit[] {
  validate(f);
  const p = policyByKey(a, key);
  const text = `on ${p.node.errorClass.text} ${render(t, p, f)}`;
  return [minimal(t.text, p.node.span.start, p.node.span.end, text)];
}

export function addPolicy(a: Internal, t: Text, cls: string, stepKey: string | undefined, f: PolicyFields): TextEdit[] {
  validate(f);
  if (!ERROR_CLASSES.includes(cls)) throw new EditRefused(`'${cls}' is not an error class (${ERROR_CLASSES.join(', ')})`);
  const text = `on ${cls} ${render(t, undefined, f)}`;
  const eol = t.eol;
  if (stepKey === undefined) {
    const own = a.policies.filter((p) => !p.step);
    if (own.some((p) => p.node.errorClass.text === cls)) throw new EditRefused(`the flow already has a policy for ${cls}: change it (setPolicy) instead`);
    const anchor = own[own.length - 1]?.node ?? a.steps[a.steps.length - 1]?.node;
    if (!anchor) throw new EditRefused('the flow has no step to add a policy after');
    const ext = t.extent(anchor.span.start, anchor.span.end);
    const indent = t.indentOf(anchor.span.start);
    const end = ext.ownLine ? ext.end : t.nextLine(anchor.span.end);
    if (end === t.text.length && t.breakAt(t.lineEnd(anchor.span.end)) === 0) return [{ start: end, end, newText: `${eol}${indent}${text}` }];
    return [{ start: end, end, newText: `${indent}${text}${eol}` }];
  }
  const s = a.steps.find((x) => x.key === stepKey);
  if (!s) throw new EditRefused(`no step '${stepKey}' in this flow`);
  const node = s.node;
  if (node.kind !== 'Fetch' && node.kind !== 'Lookup' && node.kind !== 'Write') throw new EditRefused(`a ${s.design.kind} step has no policies of its own (fetch, lookup and write have)`, node.span);
  const own = a.policies.filter((p) => p.step?.key === stepKey);
  if (own.some((p) => p.node.errorClass.text === cls)) throw new EditRefused(`step '${stepKey}' already has a policy for ${cls}: change it (setPolicy) instead`);
  const last = own[own.length - 1];
  if (last) {
    const close = closingBrace(t, last.node.span.end);
    const multiline = /[\r\n]/.test(t.text.slice(last.node.span.end, close));
    if (multiline) {
      const ext = t.extent(last.node.span.start, last.node.span.end);
      return [{ start: ext.end, end: ext.end, newText: `${t.indentOf(last.node.span.start)}${text}${eol}` }];
    }
    return [{ start: last.node.span.end, end: last.node.span.end, newText: ` ${text}` }];
  }
  // An empty `{ }` block, or none.
  const block = /^[ \t]*\{[\s]*\}/.exec(t.text.slice(node.span.end));
  const endOfStep = node.span.end;
  const before = t.text.slice(node.span.start, endOfStep);
  if (/\{\s*\}$/.test(before)) {
    const open = endOfStep - before.length + before.lastIndexOf('{');
    return [{ start: open + 1, end: endOfStep - 1, newText: ` ${text} ` }];
  }
  if (block) return [{ start: endOfStep, end: endOfStep + block[0].length, newText: ` { ${text} }` }];
  return [{ start: endOfStep, end: endOfStep, newText: ` { ${text} }` }];
}

/** The offset of the `}` closing a step's policy block, after `from` (white space and comments skipped). */
function closingBrace(t: Text, from: number): number {
  let i = from;
  while (i < t.text.length) {
    const c = t.text[i]!;
    if (c === '}') return i;
    const cm = t.comments.find((k) => k.start === i);
    if (cm) { i = cm.end; continue; }
    if (!/\s/.test(c)) break;
    i++;
  }
  return i;
}

export function removePolicy(a: Internal, t: Text, key: string): TextEdit[] {
  const p = policyByKey(a, key);
  if (!p.step) return [deletion(t, p.node)];
  const siblings = a.policies.filter((x) => x.step === p.step);
  if (siblings.length === 1) {
    // The block goes too: from the white space before its `{` to its `}`.
    let open = p.node.span.start - 1;
    while (open > 0 && t.text[open] !== '{') open--;
    let s = open;
    while (s > 0 && (t.text[s - 1] === ' ' || t.text[s - 1] === '\t')) s--;
    const close = closingBrace(t, p.node.span.end);
    if (t.commentsIn(open, close).length) {
      // Comments inside the block stay: only the policy goes.
      return [deletion(t, p.node)];
    }
    return [{ start: s, end: close + 1, newText: '' }];
  }
  const ext = t.extent(p.node.span.start, p.node.span.end);
  if (ext.ownLine) return [deletion(t, p.node)];
  let st = p.node.span.start;
  while (st > 0 && (t.text[st - 1] === ' ' || t.text[st - 1] === '\t')) st--;
  return [{ start: st, end: p.node.span.end, newText: '' }];
}
