/**
 * `flowc fmt`'s core, shared by the CLI and the language server: a .flow text → its canonical text.
 *
 * The layout is grammar/print.ts's canonical form (that printer is used for every piece that holds no
 * comment and no blank line); this file adds what the AST does not keep, taken from the token stream
 * (./comments.ts):
 *  - comments, attached by position to the nearest element of a list: a flow's statements, an
 *    object's members, a match's arms, a table's entries, a step's policies, a list's items, the
 *    flows of the file. A comment on the line where an element ends stays there (trailing); one on a
 *    line of its own goes before the next element (leading), or at the end of the list (dangling). A
 *    comment inside an element but outside any nested list (`let x = a + // why\n b`) is moved before
 *    that element. A list that holds a comment is printed one element per line.
 *  - blank lines: one blank line where the source had one or more between two elements or comments
 *    of a list printed one per line (none at the start or end of a list); always one between flows.
 *  - line endings: those of the file's first line break; a byte order mark is kept.
 * A file with syntax errors is returned untouched with its issues. The result is checked before it
 * is returned: it must parse to the same AST (spans aside) and hold the same comments in the same
 * order, or formatSource throws (an internal error: the file is never rewritten then).
 */
import { parse, type SyntaxIssue } from '../../grammar/index.js';
import type * as A from '../../grammar/ast.js';
import { printNode, quote } from '../../grammar/print.js';
import { lexComments, type Comment, type Lexed } from './comments.js';

/** grammar/print.ts's longest one-line block. */
const INLINE_LIMIT = 72;

export interface FormatResult {
  /** The canonical text, or the input itself when it has syntax errors. */
  readonly text: string;
  readonly changed: boolean;
  /** Syntax issues (the file was left as it is when there are any). */
  readonly issues: readonly SyntaxIssue[];
}

export interface FormatOptions {
  /** Parse the result again and compare (default true; the language server's on-type path may skip it). */
  readonly verify?: boolean;
}

export function formatSource(input: string, file = '<input>', options: FormatOptions = {}): FormatResult {
  const bom = input.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = bom ? input.slice(1) : input;
  const parsed = parse(text, file);
  if (parsed.issues.length) return { text: input, changed: false, issues: parsed.issues };
  const lexed = lexComments(text);
  const eol = /\r\n|\r|\n/.exec(text)?.[0] ?? '\n';
  const printed = new Printer(text, lexed).file(parsed.ast);
  const out = eol === '\n' ? printed : printed.replace(/\n/g, eol);
  if (options.verify !== false) verify(out, parsed.ast, lexed, file);
  const result = bom + out;
  return { text: result, changed: result !== input, issues: [] };
}

/** The tree without positions: what formatting must preserve. */
export function stripSpans(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripSpans);
  if (!x || typeof x !== 'object') return x;
  return Object.fromEntries(Object.entries(x)
    .filter(([k, v]) => k !== 'span' && k !== 'opSpan' && k !== 'elseSpan' && v !== undefined)
    .map(([k, v]) => [k, stripSpans(v)]));
}

function verify(after: string, ast: A.FlowFile, lexed: Lexed, file: string): void {
  const again = parse(after, file);
  const fail = (why: string) => { throw new Error(`flowc fmt: internal error: formatting ${file} ${why}; the file is left as it is`); };
  if (again.issues.length) fail(`gives text that does not parse (${again.issues[0]!.args.join(', ')})`);
  if (JSON.stringify(stripSpans(again.ast)) !== JSON.stringify(stripSpans(ast))) fail('would change its meaning');
  const norm = (cs: readonly Comment[]) => cs.map((c) => c.text.replace(/\r\n?/g, '\n')).join('\0');
  if (norm(lexComments(after).comments) !== norm(lexed.comments)) fail('would move or lose a comment');
}

/** One line of a list printed one element per line: an element or a comment of its own. */
interface Entry {
  readonly kind: 'element' | 'comment';
  readonly text: string;
  readonly blank: boolean;
  readonly trailing: Comment[];
}

type Spanned = { readonly span: A.Node['span'] };

const CONTAINERS = new Set(['ObjectExpr', 'ListExpr', 'Match', 'Each']);

class Printer {
  private readonly used = new Set<Comment>();
  /** Stands for a line break inside a block comment, so indenting never changes the comment. */
  private readonly keepBreak: string;
  /** Brackets the name of a placeholder for a list printed apart (see withHoles). */
  private readonly hole: string;

  constructor(private readonly text: string, private readonly lexed: Lexed) {
    const free: string[] = [];
    for (let c = 0xe000; free.length < 2 && c < 0xf900; c++) if (!text.includes(String.fromCharCode(c))) free.push(String.fromCharCode(c));
    this.keepBreak = free[0]!; this.hole = free[1]!;
  }

  // ---------- comments and gaps ----------
  private unusedIn(start: number, end: number): Comment[] {
    return this.lexed.comments.filter((c) => c.start >= start && c.end <= end && !this.used.has(c));
  }
  private hasComments(n: Spanned): boolean {
    return this.lexed.comments.some((c) => c.start >= n.span.start && c.end <= n.span.end && !this.used.has(c));
  }
  private hasBlank(from: number, to: number): boolean {
    return from < to && /\n[ \t]*\n/.test(this.text.slice(from, to).replace(/\r\n?/g, '\n'));
  }
  private sameLine(from: number, to: number): boolean { return !/[\r\n]/.test(this.text.slice(from, to)); }
  private commentText(c: Comment): string { return c.text.replace(/\r\n?|\n/g, this.keepBreak); }
  private take(c: Comment): Comment { this.used.add(c); return c; }

  // ---------- file and flows ----------
  file(ast: A.FlowFile): string {
    const flows = ast.flows.filter((f): f is A.Flow => !!f);
    const out: string[] = [];
    let prevEnd = 0; let afterFlow = false;
    const comment = (c: Comment) => {
      if (out.length && (afterFlow || this.hasBlank(prevEnd, c.start))) out.push('');
      out.push(this.commentText(this.take(c))); prevEnd = c.end; afterFlow = false;
    };
    flows.forEach((f, i) => {
      for (const c of this.unusedIn(prevEnd, f.span.start)) comment(c);
      const end = this.flowEnd(f, flows[i + 1]?.span.start ?? this.text.length);
      const body = this.flow(f, end);
      if (out.length && (afterFlow || this.hasBlank(prevEnd, f.span.start))) out.push('');
      // A comment inside the header (`flow /* x */ Name`) goes before the flow.
      for (const c of this.unusedIn(f.span.start, end)) out.push(this.commentText(this.take(c)));
      out.push(body); prevEnd = end; afterFlow = true;
    });
    for (const c of this.unusedIn(prevEnd, this.text.length)) comment(c);
    return out.length ? this.finish(out.join('\n')) + '\n' : '';
  }

  private finish(s: string): string { return s.split(this.keepBreak).join('\n'); }

  /** Where a flow's statements end: after its last statement, and the comments on that line or indented below it. */
  private flowEnd(f: A.Flow, next: number): number {
    let end = f.span.end;
    for (const c of this.unusedIn(f.span.end, next)) {
      const lineStart = Math.max(this.text.lastIndexOf('\n', c.start - 1), this.text.lastIndexOf('\r', c.start - 1)) + 1;
      const indented = c.start > lineStart && /^[ \t]+$/.test(this.text.slice(lineStart, c.start));
      if (this.sameLine(end, c.start) || indented) end = c.end; else break;
    }
    return end;
  }

  /** The end of `flow Name "description"`. */
  private headEnd(f: A.Flow): number {
    if (f.description === undefined) return f.name.span.end;
    const t = this.lexed.tokens.find((x) => x.start >= f.name.span.end);
    return t && t.type === 'StringLiteral' ? t.end : f.name.span.end;
  }

  private flow(f: A.Flow, end: number): string {
    const head = `flow ${f.name.text}${f.description !== undefined ? ` ${quote(f.description)}` : ''}`;
    const headEnd = this.headEnd(f);
    const { entries, headTrailing } = this.layout(f.items, headEnd, end, (i) => this.item(i), true);
    return [head + this.trailingText(headTrailing), ...this.renderEntries(entries, '').map(indent)].join('\n');
  }

  // ---------- lists ----------
  /**
   * The elements of a list with the comments of its region (`start`..`end`) attached, in order.
   * `head`: a comment on the region's first line belongs to what opens it (a flow's header).
   */
  private layout<T extends Spanned>(els: readonly T[], start: number, end: number, print: (el: T) => string, head = false):
    { entries: Entry[]; headTrailing: Comment[]; commented: boolean } {
    const entries: Entry[] = [];
    const headTrailing: Comment[] = [];
    let owner: Comment[] | undefined = head ? headTrailing : undefined;
    let ownerEnd = start;
    let prevEnd = start;
    let commented = false;
    const gap = (upTo: number) => {
      for (const c of this.unusedIn(prevEnd, upTo)) {
        this.take(c); commented = true;
        if (owner && this.sameLine(ownerEnd, c.start)) { owner.push(c); ownerEnd = c.end; }
        else { entries.push({ kind: 'comment', text: this.commentText(c), blank: entries.length > 0 && this.hasBlank(prevEnd, c.start), trailing: [] }); owner = undefined; }
        prevEnd = c.end;
      }
    };
    for (const el of els) {
      if (!el) continue;
      gap(el.span.start);
      const text = print(el);
      let blank = entries.length > 0 && this.hasBlank(prevEnd, el.span.start);
      for (const c of this.unusedIn(el.span.start, el.span.end)) {
        this.take(c); commented = true;
        entries.push({ kind: 'comment', text: this.commentText(c), blank, trailing: [] });
        blank = false;
      }
      const entry: Entry = { kind: 'element', text, blank, trailing: [] };
      entries.push(entry);
      owner = entry.trailing; ownerEnd = prevEnd = el.span.end;
    }
    gap(end);
    return { entries, headTrailing, commented };
  }

  private trailingText(cs: readonly Comment[]): string {
    return cs.length ? ` ${cs.map((c) => this.commentText(c)).join(' ')}` : '';
  }

  /** One line per entry, blank lines kept, `sep` after each element but the last. */
  private renderEntries(entries: readonly Entry[], sep: string): string[] {
    let last = -1;
    entries.forEach((e, i) => { if (e.kind === 'element') last = i; });
    const lines: string[] = [];
    entries.forEach((e, i) => {
      if (e.blank) lines.push('');
      lines.push(e.kind === 'element' ? e.text + (i < last ? sep : '') + this.trailingText(e.trailing) : e.text);
    });
    return lines;
  }

  /** grammar/print.ts's `block`, with comments and blank lines. */
  private block<T extends Spanned>(open: string, close: string, els: readonly T[], start: number, end: number, print: (el: T) => string,
    inlineSep: string, lineSep: string, spaced = true): string {
    const { entries, commented } = this.layout(els, start, end, print);
    const items = entries.filter((e) => e.kind === 'element').map((e) => e.text);
    if (!commented) {
      if (items.length === 0) return `${open}${close}`;
      const pad = spaced ? ' ' : '';
      const inline = `${open}${pad}${items.join(inlineSep)}${pad}${close}`;
      if (inline.length <= INLINE_LIMIT && !inline.includes('\n')) return inline;
    }
    return `${open}\n${this.renderEntries(entries, lineSep).map(indent).join('\n')}\n${close}`;
  }

  // ---------- statements ----------
  private item(i: A.FlowItem): string {
    switch (i.kind) {
      case 'TableDecl': {
        if (i.from) return this.withHoles(i);
        const head = `table ${i.name.text}: ${printNode(i.keyType)} -> ${printNode(i.valueType)}`;
        const entriesEnd = i.missing?.span.start ?? i.span.end;
        const body = this.block('{', '}', i.entries, i.valueType.span.end, entriesEnd, (e) => this.withHoles(e), ', ', ',');
        return `${head} ${body}${i.missing ? ` ${this.withHoles(i.missing)}` : ''}`;
      }
      case 'MapDecl':
        return `map ${i.source ? `${i.source.text} -> ` : ''}${i.name.text}: ${printNode(i.type)} ${this.object(i.body)}`;
      case 'Fetch': case 'Lookup': case 'Write': {
        if (!i.policies.length) return this.withHoles(i);
        const base = this.withHoles({ ...i, policies: [] } as A.FlowItem);
        const last = i.kind === 'Write' ? Math.max(i.call.span.end, i.as?.span.end ?? 0, i.when?.span.end ?? 0) : i.value.span.end;
        return `${base} ${this.block('{', '}', i.policies, last, i.span.end, (p) => this.withHoles(p), ' ', '')}`;
      }
      default: return this.withHoles(i);
    }
  }

  // ---------- expressions ----------
  private expr(e: A.Expr): string {
    if (!this.hasComments(e) && !this.hasBlank(e.span.start, e.span.end)) return printNode(e);
    switch (e.kind) {
      case 'ObjectExpr': return this.object(e);
      case 'ListExpr': return this.block('[', ']', e.items, e.span.start, e.span.end, (x) => this.expr(x), ', ', ',', false);
      case 'Match': {
        const head = printNode({ ...e, arms: [], otherwise: undefined } as A.Match).replace(/\{\}$/, '{');
        type Arm = { readonly span: A.Node['span']; readonly arm?: A.MatchArm; readonly otherwise?: A.Expr };
        const arms: Arm[] = e.arms.filter(Boolean).map((arm) => ({ span: arm.span, arm }));
        if (e.otherwise) arms.push({ span: { ...e.otherwise.span, start: e.elseSpan?.start ?? e.otherwise.span.start }, otherwise: e.otherwise });
        return this.block(head, '}', arms, e.subject.span.end, e.span.end,
          (a) => (a.arm ? this.withHoles(a.arm) : `else => ${this.expr(a.otherwise!)}`), '; ', ',');
      }
      case 'Each': {
        const empty: A.ObjectExpr = { kind: 'ObjectExpr', members: [], span: e.body.span };
        return `${printNode({ ...e, body: empty } as A.Each).replace(/\{\}$/, '')}${this.object(e.body)}`;
      }
      default: return this.withHoles(e);
    }
  }

  private object(o: A.ObjectExpr): string {
    return this.block('{', '}', o.members, o.span.start, o.span.end, (m) => this.member(m), '; ', '');
  }

  private member(m: A.ObjectMember): string {
    switch (m.kind) {
      case 'Assignment': return `${m.name.text} = ${this.expr(m.value)}`;
      case 'WhenBlock': return `when ${this.expr(m.condition)} ${this.object(m.then)}${m.else ? ` else ${this.object(m.else)}` : ''}`;
      default: return printNode(m);
    }
  }

  /**
   * printNode(node), except that every list inside it that holds a comment or a blank line is printed
   * here (with them): in the tree given to printNode it is a placeholder name, which binds as tightly
   * as a list does (both are primary expressions), so the parentheses come out the same.
   */
  private withHoles(node: A.Node): string {
    const holes = new Map<string, string>();
    const clone = (x: unknown, top: boolean): unknown => {
      if (Array.isArray(x)) return x.map((v) => clone(v, false));
      if (!x || typeof x !== 'object') return x;
      const n = x as Record<string, unknown>;
      if (typeof n.kind === 'string' && n.span) {
        const s = n as unknown as A.Node;
        if (!this.hasComments(s) && !this.hasBlank(s.span.start, s.span.end)) return x;
        if (!top && CONTAINERS.has(s.kind)) {
          const key = `${this.hole}${holes.size}${this.hole}`;
          holes.set(key, this.expr(s as A.Expr));
          return { kind: 'Ident', name: key, span: s.span };
        }
      }
      return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, k === 'span' ? v : clone(v, false)]));
    };
    let out = printNode(clone(node, true) as A.Node);
    for (const [key, value] of holes) out = out.replace(key, () => value);
    return out;
  }
}

function indent(text: string): string {
  return text.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n');
}
