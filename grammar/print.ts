/**
 * The .flow printer (formatter): AST → canonical .flow text. `parse(print(ast))` gives back the same
 * tree modulo spans for every tree the parser produces (the kitchen-sink round trip checks this).
 *
 * Canonical form:
 *  - one flow per paragraph, items indented two spaces, flows separated by an empty line;
 *  - `and`, `or`, `not` for the logical operators (the parser reads `&&`, `||`, `!` as the same);
 *  - parentheses only where precedence needs them (the parser drops the ones written);
 *  - a block (`{ ... }` of an object, a match, a table or step policies) stays on one line when it is
 *    short and holds no multi-line part, else it is broken one member per line;
 *  - separators: `;` between members of a one-line object or match, `,` between table entries and
 *    after each arm of a multi-line match (an arm's value must not run into the next pattern).
 * Comments are not in the AST, so they are not printed.
 */
import type * as A from './ast.js';

/** The longest one-line block; longer ones are broken one member per line. */
const INLINE_LIMIT = 72;

/** Canonical text of a whole file. */
export function print(file: A.FlowFile): string {
  // Recovery can leave a hole where a flow could not be read; there is nothing to print for it.
  return file.flows.filter((f): f is A.Flow => !!f).map(printFlow).join('\n');
}

/** Canonical text of one node (an expression, a statement, a flow, ...). */
export function printNode(node: A.Node): string {
  switch (node.kind) {
    case 'FlowFile': return print(node);
    case 'Flow': return printFlow(node);
    case 'Name': return node.text;
    case 'TypeRef': return typeRef(node);
    case 'TableEntry': return tableEntry(node);
    case 'MissingPolicy': return missingPolicy(node);
    case 'Arg': return arg(node);
    case 'MatchArm': return matchArm(node);
    case 'Assignment': case 'WhenBlock': return member(node);
    case 'EventTrigger': case 'PollTrigger': case 'ScheduleTrigger': case 'Fetch': case 'Lookup': case 'Let':
    case 'Idempotency': case 'Require': case 'SkipWhen': case 'Warn': case 'TableDecl': case 'MapDecl': case 'Write': case 'Policy':
    case 'HoldWhenAnomaly':
      return item(node);
    default: return expr(node, Prec.Expr);
  }
}

function printFlow(flow: A.Flow): string {
  const head = `flow ${flow.name.text}${flow.description !== undefined ? ` ${quote(flow.description)}` : ''}`;
  return [head, ...flow.items.map((i) => indent(item(i)))].join('\n') + '\n';
}

// ---------- statements ----------
function item(i: A.FlowItem): string {
  switch (i.kind) {
    case 'EventTrigger': return `on ${[i.system, ...i.event].map((n) => n.text).join('.')}`;
    case 'PollTrigger':
      return `on every ${i.every.text} poll ${typeRef(i.entity)}${i.changed ? ' changed' : ''}${i.key.length ? ` key ${i.key.map((k) => k.text).join(', ')}` : ''}`;
    case 'ScheduleTrigger': return `on schedule ${i.every ? `every ${i.every.text}` : stringLit(i.cron)}`;
    case 'Fetch': case 'Lookup':
      return `${i.kind === 'Fetch' ? 'fetch' : 'lookup'} ${i.name.text}${i.type ? `: ${typeRef(i.type)}` : ''} = ${expr(i.value, Prec.Expr)}${stepPolicies(i.policies)}`;
    case 'Let': return `let ${i.name.text}${i.type ? `: ${typeRef(i.type)}` : ''} = ${expr(i.value, Prec.Expr)}`;
    case 'Idempotency': return `idempotency ${expr(i.key, Prec.Expr)}${i.keep ? ` keep ${i.keep.text}` : ''}`;
    case 'Require': return `require ${expr(i.condition, Prec.Expr)} else ${expr(i.reason, Prec.Expr)}`;
    case 'SkipWhen': return `skip when ${expr(i.condition, Prec.Expr)}${i.reason ? ` because ${stringLit(i.reason)}` : ''}`;
    case 'Warn': return `warn ${expr(i.message, Prec.Expr)}${i.when ? ` when ${expr(i.when, Prec.Expr)}` : ''}`;
    case 'HoldWhenAnomaly': return 'hold when anomaly';
    case 'TableDecl': {
      const head = `table ${i.name.text}: ${typeRef(i.keyType)} -> ${typeRef(i.valueType)}`;
      const body = i.from ? `from ${stringLit(i.from)}` : block('{', i.entries.map(tableEntry), '}', ', ', ',');
      return `${head} ${body}${i.missing ? ` ${missingPolicy(i.missing)}` : ''}`;
    }
    case 'MapDecl': return `map ${i.source ? `${i.source.text} -> ` : ''}${i.name.text}: ${typeRef(i.type)} ${object(i.body)}`;
    case 'Write': return `write ${expr(i.call, Prec.Postfix)}${i.as ? ` as ${i.as.text}` : ''}${i.when ? ` when ${expr(i.when, Prec.Expr)}` : ''}${stepPolicies(i.policies)}`;
    case 'Policy': return policy(i);
    case 'Missing': return missing(i);
  }
}

function stepPolicies(ps: readonly A.Policy[]): string {
  return ps.length ? ` ${block('{', ps.map(policy), '}', ' ', '')}` : '';
}

function policy(p: A.Policy | undefined): string {
  if (!p) return missing({ kind: 'Missing', expected: 'an error policy' } as A.Missing);
  if ((p as unknown as A.Node).kind === 'Missing') return missing(p as unknown as A.Missing);
  const parts: string[] = [`on ${p.errorClass.text}`];
  const r = p.retry;
  if (r) {
    let s = r.budget ? `retry for ${r.budget.text}` : `retry ${r.max ?? ''}`;
    if (r.backoff) {
      s += ` backoff ${r.backoff.text}`;
      if (r.initial) s += ` ${r.initial.text}${r.max_ ? `..${r.max_.text}` : ''}`;
    }
    parts.push(s);
  }
  if (p.alert) parts.push(`alert ${stringLit(p.alert)}`);
  // The bare form (`on invalid dead_letter`) only when the action is alone; `then` otherwise.
  if (p.then) parts.push(parts.length > 1 ? `then ${p.then.text}` : p.then.text);
  return parts.join(' ');
}

function tableEntry(e: A.TableEntry | undefined): string {
  if (!e) return missing({ kind: 'Missing', expected: 'a table entry' } as A.Missing);
  // A lone name before '=>' would read as a lambda parameter: parenthesise it.
  const key = e.key.kind === 'Ident' ? `(${e.key.name})` : expr(e.key, Prec.Coalesce);
  return `${key} => ${expr(e.value, Prec.Expr)}`;
}

function missingPolicy(m: A.MissingPolicy): string {
  if (m.action === 'default') return `on missing default ${m.value ? expr(m.value, Prec.Expr) : 'null'}`;
  return `on missing ${m.action}`;
}

function typeRef(t: A.TypeRef): string {
  return `${t.parts.map((p) => p.text).join('.')}${t.list ? '[]' : ''}${t.nullable ? '?' : ''}`;
}

// ---------- expressions ----------
/** Binding strength, weakest first; an operand printed where a stronger form is needed gets parentheses. */
const enum Prec { Expr, Coalesce, Or, And, Equality, Relational, Additive, Multiplicative, Unary, Postfix, Primary }

const BINARY: Record<A.BinaryOp, { prec: Prec; text: string }> = {
  '??': { prec: Prec.Coalesce, text: '??' }, '||': { prec: Prec.Or, text: 'or' }, '&&': { prec: Prec.And, text: 'and' },
  '==': { prec: Prec.Equality, text: '==' }, '!=': { prec: Prec.Equality, text: '!=' },
  '<': { prec: Prec.Relational, text: '<' }, '<=': { prec: Prec.Relational, text: '<=' },
  '>': { prec: Prec.Relational, text: '>' }, '>=': { prec: Prec.Relational, text: '>=' },
  '+': { prec: Prec.Additive, text: '+' }, '-': { prec: Prec.Additive, text: '-' },
  '*': { prec: Prec.Multiplicative, text: '*' }, '/': { prec: Prec.Multiplicative, text: '/' }, '%': { prec: Prec.Multiplicative, text: '%' },
};

/**
 * How strongly an expression binds as printed. `if`, lambdas and `reject` end in an expression that
 * would swallow whatever follows them, so they count as the weakest form.
 */
function precOf(e: A.Expr): Prec {
  switch (e.kind) {
    case 'If': case 'Lambda': case 'Reject': return Prec.Expr;
    case 'Binary': return BINARY[e.op].prec;
    case 'Unary': return Prec.Unary;
    case 'Member': case 'Index': case 'Call': return Prec.Postfix;
    default: return Prec.Primary;
  }
}

/** Prints `e` where the grammar needs at least `min`; parenthesises when it binds weaker. */
function expr(e: A.Expr | undefined, min: Prec): string {
  // Recovery can leave a hole (undefined) in a list of arguments, items or patterns.
  if (!e) return missing({ kind: 'Missing', expected: 'an expression' } as A.Missing);
  const text = exprText(e);
  return precOf(e) < min ? `(${text})` : text;
}

function exprText(e: A.Expr): string {
  switch (e.kind) {
    case 'StringLit': return stringLit(e);
    case 'NumberLit': return e.text;
    case 'BoolLit': return String(e.value);
    case 'NullLit': return 'null';
    case 'Duration': return e.text;
    case 'Ident': return e.name;
    case 'Member': return `${expr(e.object, Prec.Postfix)}${e.optional ? '?.' : '.'}${e.name.text}`;
    case 'Index': return `${expr(e.object, Prec.Postfix)}${e.optional ? '?.' : ''}[${expr(e.index, Prec.Expr)}]`;
    case 'Call': return `${expr(e.callee, Prec.Postfix)}(${e.args.map(arg).join(', ')})`;
    case 'Lambda': return `${e.param.text} => ${expr(e.body, Prec.Expr)}`;
    case 'Binary': {
      const { prec, text } = BINARY[e.op];
      // Every level is left-associative: the right operand must bind strictly tighter.
      return `${expr(e.left, prec)} ${text} ${expr(e.right, prec + 1)}`;
    }
    case 'Unary': {
      const operand = expr(e.operand, Prec.Unary);
      return e.op === '!' ? `not ${operand}` : `-${operand.startsWith('-') ? ' ' : ''}${operand}`;
    }
    case 'If': return `if ${expr(e.condition, Prec.Expr)} then ${expr(e.then, Prec.Expr)} else ${expr(e.else, Prec.Expr)}`;
    case 'Match': {
      const arms = e.arms.map(matchArm);
      if (e.otherwise) arms.push(`else => ${expr(e.otherwise, Prec.Expr)}`);
      return block(`match ${expr(e.subject, Prec.Coalesce)} {`, arms, '}', '; ', ',');
    }
    case 'Reject': return `reject ${expr(e.reason, Prec.Expr)}`;
    case 'ListExpr': return block('[', e.items.map((i) => expr(i, Prec.Expr)), ']', ', ', ',', /*spaced*/ false);
    case 'ObjectExpr': return object(e);
    case 'Each': {
      let head = `each ${expr(e.source, Prec.Coalesce)} as ${e.item.text}`;
      if (e.where) head += ` where ${expr(e.where, Prec.Expr)}`;
      if (e.skipInvalid) head += ' on invalid skip';
      return `${head} ${object(e.body)}`;
    }
    case 'Missing': return missing(e);
  }
}

function arg(a: A.Arg | undefined): string {
  if (!a) return missing({ kind: 'Missing', expected: 'an argument' } as A.Missing);
  return `${a.name ? `${a.name.text}: ` : ''}${expr(a.value, Prec.Expr)}`;
}

function matchArm(a: A.MatchArm | undefined): string {
  if (!a) return missing({ kind: 'Missing', expected: 'a match arm' } as A.Missing);
  return `${a.patterns.map((p) => expr(p, Prec.Primary)).join(' | ')} => ${expr(a.value, Prec.Expr)}`;
}

function object(o: A.ObjectExpr): string {
  return block('{', o.members.map(member), '}', '; ', '');
}

function member(m: A.ObjectMember | undefined): string {
  if (!m) return missing({ kind: 'Missing', expected: 'a field' } as A.Missing);
  switch (m.kind) {
    case 'Assignment': return `${m.name.text} = ${expr(m.value, Prec.Expr)}`;
    case 'WhenBlock': return `when ${expr(m.condition, Prec.Expr)} ${object(m.then)}${m.else ? ` else ${object(m.else)}` : ''}`;
    case 'Missing': return missing(m);
  }
}

/** A hole left by error recovery: kept visible as a comment (the text does not parse back to it). */
function missing(m: A.Missing): string { return `/* missing ${m.expected.replace(/\*\//g, '* /')} */`; }

// ---------- layout ----------
/**
 * `open items close` on one line when that is short and no item spans lines; otherwise one item per
 * line, indented, each but the last followed by `lineSep`.
 */
function block(open: string, items: readonly string[], close: string, inlineSep: string, lineSep: string, spaced = true): string {
  if (items.length === 0) return `${open}${close}`;
  const pad = spaced ? ' ' : '';
  const inline = `${open}${pad}${items.join(inlineSep)}${pad}${close}`;
  if (inline.length <= INLINE_LIMIT && !inline.includes('\n')) return inline;
  const lines = items.map((it, i) => indent(i < items.length - 1 ? it + lineSep : it));
  return `${open}\n${lines.join('\n')}\n${close}`;
}

function indent(text: string): string {
  return text.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n');
}

// ---------- literals ----------
function stringLit(s: A.StringLit | undefined): string { return quote(s?.value ?? ''); }

/** A string literal the lexer reads back to `value` (see `unquote` in parser.ts). */
export function quote(value: string): string {
  return `"${value.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!)}"`;
}
