/**
 * Expressions → TypeScript expression text. All precedence decisions live here: every compound
 * expression is parenthesised, so the output never depends on JavaScript's precedence table.
 * Operators on decimals go through the builtins (`$.dadd`, ...) so money never drifts; ints and
 * strings use plain JavaScript operators when neither side can be null.
 */
import type * as A from '../../grammar/ast.js';
import type { Span } from '../../grammar/span.js';
import type { FlowModel } from '../checker/model.js';
import { ERROR, type Type } from '../schema/types.js';

const RESERVED = new Set(('break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
  'import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface ' +
  'package private protected public await arguments eval undefined NaN Infinity').split(' '));

/** A flow name as a JavaScript identifier (flow names never start with `$`, so `$`-names are ours). */
const TYPE_ARGS: Record<string, string> = {
  count: '<any>', sum: '<any>', filter: '<any>', collect: '<any, any>', first: '<any>', any: '<any>', all: '<any>', distinct: '<any>',
  group_by: '<any, any>', min_of: '<any, any>', max_of: '<any, any>', index: '<any>', min: '<any>', max: '<any>',
};

export function jsName(name: string): string { return RESERVED.has(name) ? `${name}_` : name; }

export function propKey(name: string): string { return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name); }

export interface ExprContext {
  readonly model: FlowModel;
  /** Registers a site (a .flow span) and returns its index in `$S`. */
  site(span: Span): number;
  /** A fresh temporary variable, declared at the top of the current function. */
  temp(): string;
  /** Whether site markers (`$at = n`) are wanted (mapping functions). */
  readonly track: boolean;
}

export function typeOf(ctx: ExprContext, e: A.Node): Type { return ctx.model.typeOf.get(e) ?? ERROR; }

const isPrim = (t: Type, ...names: string[]) => t.kind === 'prim' && names.includes(t.name);
const solid = (t: Type, ...names: string[]) => isPrim(t, ...names) && !t.nullable;

export function emitExpr(ctx: ExprContext, e: A.Expr): string {
  switch (e.kind) {
    case 'StringLit': return JSON.stringify(e.value);
    case 'NumberLit': return String(Number(e.text));
    case 'BoolLit': return String(e.value);
    case 'NullLit': return 'null';
    case 'Duration': return String(e.ms);
    case 'Missing': return 'undefined';
    case 'Ident': return jsName(e.name);
    // A flow name is always a valid JS property name (identifier or keyword), so dot access is enough.
    case 'Member': return `${emitExpr(ctx, e.object)}${e.optional || typeOf(ctx, e.object).nullable ? '?.' : '.'}${e.name.text}`;
    case 'Index': {
      const r = ctx.model.resolution.get(e);
      if (r?.kind === 'table') return `$table_${r.name}(${emitExpr(ctx, e.index)}, $S[${ctx.site(e.span)}])`;
      return `$.index<any>(${emitExpr(ctx, e.object)}, ${emitExpr(ctx, e.index)})`;
    }
    case 'Call': {
      const r = ctx.model.resolution.get(e);
      // Explicit type arguments spare the type-check of the output a generic inference per call.
      if (r?.kind === 'builtin') return `$.${r.name}${TYPE_ARGS[r.name] ?? ''}(${e.args.map((a) => emitExpr(ctx, a.value)).join(', ')})`;
      return 'undefined';
    }
    case 'Lambda': return `((${jsName(e.param.text)}: any) => ${emitExpr(ctx, e.body)})`;
    case 'Binary': return binary(ctx, e);
    case 'Unary': {
      const t = typeOf(ctx, e.operand);
      if (e.op === '!') return `(!${emitExpr(ctx, e.operand)})`;
      return solid(t, 'int') ? `(-${emitExpr(ctx, e.operand)})` : `$.dneg(${emitExpr(ctx, e.operand)})`;
    }
    case 'If': return `(${emitExpr(ctx, e.condition)} ? ${emitExpr(ctx, e.then)} : ${emitExpr(ctx, e.else)})`;
    case 'Match': return match(ctx, e);
    case 'Reject': return `$.reject(${emitExpr(ctx, e.reason)}, $S[${ctx.site(e.span)}])`;
    case 'ListExpr': return `[${e.items.map((i) => emitExpr(ctx, i)).join(', ')}]`;
    case 'ObjectExpr': return object(ctx, e);
    case 'Each': return each(ctx, e);
  }
}

function binary(ctx: ExprContext, e: A.Binary): string {
  const lt = typeOf(ctx, e.left), rt = typeOf(ctx, e.right);
  const l0 = emitExpr(ctx, e.left), r0 = emitExpr(ctx, e.right);
  // Entity fields are typed N<T> in TypeScript; where the flow checker proved a value non-null, say so.
  const l = isLiteral(e.left) || lt.nullable ? l0 : `${l0}!`;
  const r = isLiteral(e.right) || rt.nullable ? r0 : `${r0}!`;
  const bothInt = solid(lt, 'int') && solid(rt, 'int');
  switch (e.op) {
    case '??': return `(${l0} ?? ${r0})`;
    case '&&': return `(${l} && ${r})`;
    case '||': return `(${l} || ${r})`;
    case '==': case '!=': {
      const simple = (solid(lt, 'string', 'int', 'bool', 'date', 'datetime') && solid(rt, 'string', 'int', 'bool', 'date', 'datetime')) ||
        (solid(lt, 'string') && e.right.kind === 'StringLit') || (e.left.kind === 'StringLit' && solid(rt, 'string'));
      if (simple) return `(${l} ${e.op === '==' ? '===' : '!=='} ${r})`;
      if (e.right.kind === 'NullLit') return `(${l} ${e.op === '==' ? '==' : '!='} null)`;
      return e.op === '==' ? `$.eq(${l}, ${r})` : `(!$.eq(${l}, ${r}))`;
    }
    case '<': case '<=': case '>': case '>=': {
      if (!lt.nullable && !rt.nullable) return `(${l} ${e.op} ${r})`;
      return `(($.cmp(${l}, ${r}) ?? NaN) ${e.op} 0)`;
    }
    case '+':
      if (isPrim(lt, 'string') || isPrim(rt, 'string')) {
        return solid(lt, 'string') && solid(rt, 'string') ? `(${l} + ${r})` : `$.concat(${l}, ${r})`;
      }
      return bothInt ? `(${l} + ${r})` : `$.dadd(${l}, ${r})`;
    case '-': return bothInt ? `(${l} - ${r})` : `$.dsub(${l}, ${r})`;
    case '*': return bothInt ? `(${l} * ${r})` : `$.dmul(${l}, ${r})`;
    case '/': return `$.ddiv(${l}, ${r})`;
    case '%': return `(${l} % ${r})`;
  }
}

function isLiteral(e: A.Expr): boolean {
  return e.kind === 'StringLit' || e.kind === 'NumberLit' || e.kind === 'BoolLit' || e.kind === 'NullLit';
}

function match(ctx: ExprContext, e: A.Match): string {
  const t = ctx.temp();
  let out = `(${t} = ${emitExpr(ctx, e.subject)}, `;
  let close = ')';
  for (const arm of e.arms) {
    const tests = arm.patterns.map((p) => {
      const v = emitExpr(ctx, p);
      return p.kind === 'NullLit' ? `${t} == null` : `${t} === ${v}`;
    });
    out += `(${tests.join(' || ')}) ? ${emitExpr(ctx, arm.value)} : `;
  }
  out += e.otherwise
    ? emitExpr(ctx, e.otherwise)
    : `$.reject("no match for " + JSON.stringify(${t}) + " in this match", $S[${ctx.site(e.span)}])`;
  return out + close;
}

function object(ctx: ExprContext, o: A.ObjectExpr): string {
  const parts: string[] = [];
  for (const m of o.members) {
    if (m.kind === 'Missing') continue;
    if (m.kind === 'Assignment') {
      const v = emitExpr(ctx, m.value);
      parts.push(`${propKey(m.name.text)}: ${ctx.track ? `($at = ${ctx.site(m.span)}, ${v})` : v}`);
    } else {
      const then = object(ctx, m.then);
      const els = m.else ? object(ctx, m.else) : '{}';
      parts.push(`...(${emitExpr(ctx, m.condition)} ? ${then} : ${els})`);
    }
  }
  return parts.length ? `{ ${parts.join(', ')} }` : '{}';
}

function each(ctx: ExprContext, e: A.Each): string {
  const item = jsName(e.item.text);
  let src = `(${emitExpr(ctx, e.source)} ?? [])`;
  const body = object(ctx, e.body);
  if (e.where && !e.skipInvalid) {
    // One pass over the items: filter and map together.
    const out = ctx.temp();
    return `(${out} = [] as any[], ${src}.forEach((${item}: any) => { if (${emitExpr(ctx, e.where)}) ${out}.push(${body}); }), ${out})`;
  }
  if (e.where) src = `${src}.filter((${item}: any) => ${emitExpr(ctx, e.where)})`;
  if (!e.skipInvalid) return `${src}.map((${item}: any) => (${body}))`;
  return `$.each_skip(${src}, (${item}: any) => (${body}), $warn, ${ctx.site(e.span)})`;
}
