/**
 * Semantic highlighting: every token of the grammar's lexer (comments included, compiler/format/
 * comments.ts), names classified by the checker's resolution (a builtin is a function, a step name
 * a variable, a lambda parameter or `each` item a parameter, a table readonly, an operation's name a
 * method, a field a property, a type a type, `xcart`/`sagepro` a namespace, an error class an enum member,
 * the `anomaly` of `hold when anomaly` a keyword).
 */
import type { SemanticTokens, SemanticTokensLegend } from 'vscode-languageserver';
import type * as A from '../../grammar/ast.js';
import { walk } from '../../grammar/index.js';
import { lexComments } from '../format/comments.js';
import type { Analysis } from './documents/workspace.js';

const TYPES = ['keyword', 'string', 'number', 'comment', 'variable', 'parameter', 'function', 'method', 'property', 'type', 'namespace', 'enumMember', 'operator'] as const;
const MODIFIERS = ['declaration', 'readonly'] as const;
export const legend: SemanticTokensLegend = { tokenTypes: [...TYPES], tokenModifiers: [...MODIFIERS] };
type Kind = typeof TYPES[number];
const T = (k: Kind) => TYPES.indexOf(k);
const DECL = 1, READONLY = 2;

function classify(a: Analysis): Map<number, [Kind, number]> {
  const out = new Map<number, [Kind, number]>();
  const set = (n: { span: A.Node['span'] } | undefined, k: Kind, mods = 0) => { if (n?.span) out.set(n.span.start, [k, mods]); };
  for (const flow of a.ast.flows) {
    if (!flow) continue;
    const model = a.models.find((m) => m.flow === flow) ?? a.models.find((m) => m.flow.name.text === flow.name.text);
    set(flow.name, 'type', DECL);
    walk(flow, (n) => {
      switch (n.kind) {
        case 'Ident': {
          if (out.has(n.span.start)) break;
          const r = model?.resolution.get(n);
          if (r?.kind === 'builtin') set(n, 'function');
          else if (r?.kind === 'table') set(n, 'variable', READONLY);
          else if (r?.kind === 'local') set(n, r.decl === 'param' || r.decl === 'item' ? 'parameter' : 'variable');
          else if (n.name === 'xcart' || n.name === 'sagepro') set(n, 'namespace');
          else set(n, 'variable');
          break;
        }
        case 'Call': {
          const r = model?.resolution.get(n);
          if (r?.kind === 'builtin' && n.callee.kind === 'Ident') set(n.callee, 'function');
          if (r?.kind === 'operation' || (n.callee.kind === 'Member')) {
            for (let c: A.Expr = n.callee; c.kind === 'Member'; c = c.object) set(c.name, c === n.callee ? 'method' : 'namespace');
          }
          break;
        }
        case 'Member': if (!out.has(n.name.span.start)) set(n.name, 'property'); break;
        case 'TypeRef': n.parts.forEach((p, i) => set(p, i === 0 && n.parts.length > 1 ? 'namespace' : 'type')); break;
        case 'Assignment': set(n.name, 'property'); break;
        case 'Fetch': case 'Lookup': case 'Let': case 'MapDecl': set(n.name, 'variable', DECL); if (n.kind === 'MapDecl') set(n.source, 'variable'); break;
        case 'TableDecl': set(n.name, 'variable', DECL | READONLY); break;
        case 'Write': set(n.as, 'variable', DECL); break;
        case 'Lambda': set(n.param, 'parameter', DECL); break;
        case 'Each': set(n.item, 'parameter', DECL); break;
        case 'Policy': set(n.errorClass, 'enumMember'); set(n.then, 'enumMember'); if (n.retry?.backoff) set(n.retry.backoff, 'enumMember'); break;
        case 'EventTrigger': set(n.system, 'namespace'); n.event.forEach((e) => set(e, 'enumMember')); break;
        case 'PollTrigger': n.key.forEach((k) => set(k, 'property')); break;
        // `anomaly` is a name to the lexer (not a keyword); in `hold when anomaly` it is the clause's keyword.
        case 'HoldWhenAnomaly': if (a.text.slice(n.span.end - 'anomaly'.length, n.span.end) === 'anomaly') set({ span: { ...n.span, start: n.span.end - 'anomaly'.length } }, 'keyword'); break;
      }
    });
  }
  return out;
}

export function semanticTokens(a: Analysis): SemanticTokens {
  const names = classify(a);
  const lexed = lexComments(a.text);
  const toks: { start: number; end: number; type: number; mods: number }[] = [];
  for (const t of lexed.tokens) {
    const c = names.get(t.start);
    let kind: Kind | undefined;
    let mods = 0;
    if (c) [kind, mods] = c;
    else if (t.type.startsWith('Kw_')) kind = t.type === 'Kw_true' || t.type === 'Kw_false' || t.type === 'Kw_null' ? 'keyword' : 'keyword';
    else if (t.type === 'StringLiteral' || t.type === 'UnterminatedString') kind = 'string';
    else if (t.type === 'NumberLiteral' || t.type === 'DurationLiteral') kind = 'number';
    else if (t.type === 'Identifier') kind = 'variable';
    else if (!['LParen', 'RParen', 'LBrace', 'RBrace', 'LBracket', 'RBracket', 'Comma', 'Semicolon', 'Colon', 'Dot'].includes(t.type)) kind = 'operator';
    if (kind) toks.push({ start: t.start, end: t.end, type: T(kind), mods });
  }
  for (const c of lexed.comments) {
    // One token per line: a block comment over several lines is split at its line breaks.
    let s = c.start;
    for (const part of a.text.slice(c.start, c.end).split(/(\r\n|\r|\n)/)) {
      if (/^(\r\n|\r|\n)$/.test(part)) { s += part.length; continue; }
      if (part.length) toks.push({ start: s, end: s + part.length, type: T('comment'), mods: 0 });
      s += part.length;
    }
  }
  toks.sort((x, y) => x.start - y.start);
  const data: number[] = [];
  let line = 0, char = 0;
  for (const t of toks) {
    const p = a.doc.positionAt(t.start);
    const e = a.doc.positionAt(t.end);
    const length = e.line === p.line ? e.character - p.character : a.text.length;
    if (length <= 0) continue;
    data.push(p.line - line, p.line === line ? p.character - char : p.character, length, t.type, t.mods);
    line = p.line; char = p.character;
  }
  return { data };
}
