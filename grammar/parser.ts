/**
 * The .flow parser: Chevrotain, embedded actions, recovery on. It never throws on user input:
 * junk between statements is skipped with one diagnostic per run of junk, and pieces that could not
 * be read become `Missing` nodes. The grammar production sits in a doc comment above each rule.
 */
import { EmbeddedActionsParser, EOF, type IToken, type TokenType } from 'chevrotain';
import * as T from './tokens.js';
import type * as A from './ast.js';
import { joinSpans, LineMap, type Span } from './span.js';
import { CachedLookaheadStrategy } from './lookahead-cache.js';

type PostfixStep =
  | { kind: 'member'; dot: IToken; name: IToken }
  | { kind: 'index'; index: A.Expr; close: IToken }
  | { kind: 'call'; args: A.Arg[]; close: IToken };

/**
 * How deeply expressions, objects, `match` and `each` may nest inside each other in the source
 * (parentheses, brackets, braces, arguments, `if`, lambdas, `reject`, unary operators: one level
 * each). The parser is recursive; past this it stops with FLOW1005 instead of running out of stack.
 */
export const MAX_NESTING = 64;

/** Chevrotain's LL(k): the longest token sequence a choice looks at. */
const MAX_LOOKAHEAD = 4;

/** Thrown by the parser past MAX_NESTING; `parse` turns it into FLOW1005 at `token`. */
export class NestingTooDeep extends Error {
  constructor(readonly token: IToken) { super(`nesting deeper than ${MAX_NESTING} levels`); }
}

export interface SyntaxIssue { readonly code: number; readonly span: Span; readonly args: readonly string[] }

const ITEM_STARTERS = new Set<TokenType>([T.On, T.Fetch, T.LookupKw, T.Let, T.Idempotency, T.Require, T.Skip, T.Warn, T.Hold, T.Table, T.MapKw, T.Write, T.Flow]);

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  return m ? Number(m[1]) * DURATION_UNITS[m[2]!]! : 0;
}

/**
 * The value of a string literal's image. `\u{...}` must name a Unicode scalar value in hex (at
 * most 10FFFF, not a surrogate); any other `\u{...}` is reported through `bad` (its offset in the
 * image and its text) and read as U+FFFD, so a bad escape never throws. `\u` without `{` is `u`.
 */
export function unquote(image: string, bad?: (offset: number, escape: string) => void): string {
  const body = image.endsWith('"') && image.length >= 2 ? image.slice(1, -1) : image.slice(1);
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u\{[^}"]*\}?|[^])/g, (whole: string, e: string, at: number) => {
    switch (e[0]) {
      case 'n': return '\n'; case 't': return '\t'; case 'r': return '\r';
      case 'u': {
        if (e === 'u') return 'u';
        if (!/^u\{[0-9a-fA-F]+\}$/.test(e)) { bad?.(at + 1, whole); return '\ufffd'; } // `\u{}`, `\u{zz}`, `\u{12`
        const cp = parseInt(e.slice(2, -1), 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) { bad?.(at + 1, whole); return '\ufffd'; }
        return String.fromCodePoint(cp);
      }
      default: return e;
    }
  });
}

export class FlowParser extends EmbeddedActionsParser {
  file = '<input>';
  /** Line starts of the text being parsed: every span is made from offsets (see LineMap). */
  lines = new LineMap('');
  /** Junk-skipping diagnostics, in addition to Chevrotain's `errors`. */
  issues: SyntaxIssue[] = [];

  /** The lookahead tables' cache (grammar/lookahead-cache.ts): how many were computed, not found. */
  readonly lookaheadMisses: number;

  /**
   * @param validateGrammar run Chevrotain's grammar validations (ambiguities, left recursion):
   * slow (~0.3 s), so the compiler skips them and a grammar test runs them instead.
   * @param lookahead `cached`: the lookahead tables from flowc's cache (grammar/lookahead-cache.ts);
   * `chevrotain`: Chevrotain's own LLkLookaheadStrategy, computed at every construction (to compare).
   */
  constructor(validateGrammar = false, lookahead: 'cached' | 'chevrotain' = 'cached') {
    const cached = lookahead === 'cached' ? new CachedLookaheadStrategy(T.allTokens, MAX_LOOKAHEAD) : undefined;
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: MAX_LOOKAHEAD, skipValidations: !validateGrammar, ...(cached ? { lookaheadStrategy: cached } : {}) });
    this.performSelfAnalysis();
    cached?.save();
    this.lookaheadMisses = cached?.misses ?? 0;
  }

  // ---------- helpers ----------
  private sp(t: IToken): Span { return this.lines.span(this.file, t.startOffset, t.startOffset + t.image.length); }
  private from(start: IToken): Span {
    const end = this.LA(0);
    const a = this.sp(start);
    if (!end || end.tokenType === EOF || end.startOffset < start.startOffset || isNaN(end.startOffset)) return a;
    return joinSpans(a, this.sp(end));
  }
  private missing(expected: string): A.Missing {
    const t = this.LA(1);
    const span = t.tokenType === EOF ? this.sp(this.LA(0) ?? t) : this.sp(t);
    return { kind: 'Missing', expected, span };
  }
  private nameOf(t: IToken): A.Name { return { kind: 'Name', text: t.image, span: this.sp(t) }; }
  /** The value of a string token; a bad `\\u{...}` escape is FLOW1006 at the escape. */
  private str(t: IToken): string {
    return unquote(t.image, (at, escape) => {
      const start = t.startOffset + at;
      this.issues.push({ code: 1006, span: this.lines.span(this.file, start, start + escape.length), args: [escape] });
    });
  }
  private depth = 0;
  /** Runs one nesting level of a recursive rule; past MAX_NESTING it throws NestingTooDeep. */
  private nested<R>(f: () => R): R {
    if (this.depth >= MAX_NESTING && !this.RECORDING_PHASE) throw new NestingTooDeep(this.LA(1));
    this.depth++;
    try { return f(); } finally { this.depth--; }
  }

  // ---------- file ----------
  /** File : Flow* EOF */
  public file_ = this.RULE('file', (): A.FlowFile => {
    const flows: A.Flow[] = [];
    this.MANY(() => {
      this.OR([
        { ALT: () => { flows.push(this.SUBRULE(this.flow)); } },
        { ALT: () => { this.SUBRULE(this.junk); } },
      ]);
    });
    return this.ACTION(() => ({ kind: 'FlowFile', flows, span: this.lines.span(this.file, 0, this.lines.text.length) } as A.FlowFile));
  });

  /** Junk : (any token but a statement keyword)+  (recovery: one diagnostic per run) */
  private junk = this.RULE('junk', (): void => {
    const first = this.LA(1);
    this.OR([
      { GATE: () => this.LA(1).tokenType !== T.Flow, ALT: () => this.CONSUME(T.Name) },
      ...[T.StringLiteral, T.UnterminatedString, T.DurationLiteral, T.NumberLiteral, T.Arrow, T.FatArrow, T.DotDot,
        T.QuestionDot, T.QuestionQuestion, T.Question, T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt, T.AndAnd, T.OrOr,
        T.Pipe, T.Bang, T.Equals, T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Dot, T.Comma, T.Semicolon, T.Colon,
        T.LParen, T.RParen, T.LBrace, T.RBrace, T.LBracket, T.RBracket].map((tt) => ({ ALT: () => this.CONSUME(tt) })),
    ], );
    this.ACTION(() => {
      while (this.LA(1).tokenType !== EOF && !ITEM_STARTERS.has(this.LA(1).tokenType)) this.SKIP_TOKEN();
      const expected = this.isInFlow ? 'a flow statement (on, fetch, lookup, let, map, write, ...)' : "'flow'";
      this.issues.push({ code: 1001, span: joinSpans(this.sp(first), this.sp(this.LA(0))), args: [describe(first), expected] });
    });
  });
  private isInFlow = false;
  // Alternatives of the hot expression rules, built once (Chevrotain re-reads them on every call).
  private exprAlts?: { ALT: () => A.Expr }[];
  private primaryAlts?: { ALT: () => A.Expr }[];
  private unaryAlts?: { ALT: () => A.Expr }[];
  private unaryOps?: { ALT: () => IToken }[];
  private postfixAlts?: { ALT: () => PostfixStep }[];
  private dotAlts?: { ALT: () => IToken }[];

  /** Flow : 'flow' Name String? FlowItem* */
  private flow = this.RULE('flow', (): A.Flow => {
    const start = this.CONSUME(T.Flow);
    const name = this.CONSUME(T.Name);
    let description: string | undefined;
    this.OPTION(() => { const d = this.CONSUME(T.StringLiteral); this.ACTION(() => { description = this.str(d); }); });
    const items: A.FlowItem[] = [];
    this.ACTION(() => { this.isInFlow = true; });
    this.MANY({ GATE: () => this.LA(1).tokenType !== T.Flow, DEF: () => {
      this.OR([
        { ALT: () => { items.push(this.SUBRULE(this.flowItem)); } },
        { GATE: () => this.LA(1).tokenType !== T.Flow, ALT: () => { this.SUBRULE(this.junk); } },
      ]);
    } });
    this.ACTION(() => { this.isInFlow = false; });
    return this.ACTION(() => ({ kind: 'Flow', name: this.nameOf(name), description, items, span: this.from(start) } as A.Flow));
  });

  /** FlowItem : OnClause | Fetch | Lookup | Let | Idempotency | Require | SkipWhen | Warn | Table | Map | Write | HoldWhenAnomaly */
  private flowItem = this.RULE('flowItem', (): A.FlowItem => this.OR([
    { ALT: () => this.SUBRULE(this.onClause) },
    { ALT: () => this.SUBRULE(this.fetchOrLookup) },
    { ALT: () => this.SUBRULE(this.letDecl) },
    { ALT: () => this.SUBRULE(this.idempotency) },
    { ALT: () => this.SUBRULE(this.requireStmt) },
    { ALT: () => this.SUBRULE(this.skipWhen) },
    { ALT: () => this.SUBRULE(this.warn) },
    { ALT: () => this.SUBRULE(this.holdWhenAnomaly) },
    { ALT: () => this.SUBRULE(this.table) },
    { ALT: () => this.SUBRULE(this.mapDecl) },
    { ALT: () => this.SUBRULE(this.write) },
  ]), { recoveryValueFunc: () => this.missing('a flow statement') });

  /**
   * OnClause : 'on' Name '.' Name ('.' Name)*                                  (event trigger)
   *          | 'on' 'every' Duration 'poll' TypeRef 'changed'? ('key' Name (',' Name)*)?
   *          | 'on' 'schedule' ('every' Duration | String)
   *          | Policy
   */
  private onClause = this.RULE('onClause', (): A.FlowItem => {
    const start = this.LA(1);
    return this.OR([
      { GATE: () => this.LA(2).tokenType === T.Every, ALT: () => {
        this.CONSUME(T.On); this.CONSUME(T.Every);
        const every = this.SUBRULE(this.duration);
        this.CONSUME(T.Poll);
        const entity = this.SUBRULE(this.typeRef);
        let changed = false; const key: A.Name[] = [];
        this.OPTION(() => { this.CONSUME(T.Changed); changed = true; });
        this.OPTION2(() => {
          this.CONSUME(T.Key);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => { const k = this.CONSUME2(T.Name); this.ACTION(() => key.push(this.nameOf(k))); } });
        });
        return this.ACTION(() => ({ kind: 'PollTrigger', every, entity, changed, key, span: this.from(start) } as A.PollTrigger));
      } },
      { GATE: () => this.LA(2).tokenType === T.Schedule && (this.LA(3).tokenType === T.Every || this.LA(3).tokenType === T.StringLiteral), ALT: () => {
        this.CONSUME2(T.On); this.CONSUME(T.Schedule);
        return this.OR2([
          { ALT: () => { this.CONSUME2(T.Every); const every = this.SUBRULE2(this.duration);
            return this.ACTION(() => ({ kind: 'ScheduleTrigger', every, span: this.from(start) } as A.ScheduleTrigger)); } },
          { ALT: () => { const cron = this.SUBRULE(this.stringLit);
            return this.ACTION(() => ({ kind: 'ScheduleTrigger', cron, span: this.from(start) } as A.ScheduleTrigger)); } },
        ]);
      } },
      { GATE: () => this.LA(3).tokenType === T.Dot, ALT: () => {
        this.CONSUME3(T.On);
        const system = this.CONSUME3(T.Name);
        const event: A.Name[] = [];
        this.AT_LEAST_ONE(() => { this.CONSUME(T.Dot); const n = this.CONSUME4(T.Name); this.ACTION(() => event.push(this.nameOf(n))); });
        return this.ACTION(() => ({ kind: 'EventTrigger', system: this.nameOf(system), event, span: this.from(start) } as A.EventTrigger));
      } },
      { ALT: () => this.SUBRULE(this.policy) },
    ], );
  });

  /**
   * Policy : 'on' Name PolicyAction+
   * PolicyAction : 'retry' (Number | 'for' Duration) ('backoff' Name (Duration ('..' Duration)?)?)? | 'alert' String | 'then'? Name
   */
  private policy = this.RULE('policy', (): A.Policy => {
    const start = this.CONSUME(T.On);
    const errorClass = this.CONSUME(T.Name);
    let retry: A.Policy['retry']; let alert: A.StringLit | undefined; let then: A.Name | undefined;
    this.AT_LEAST_ONE({ GATE: () => this.policyActionAhead(), DEF: () => this.OR([
      { ALT: () => {
        const r = this.CONSUME(T.Retry);
        let max: number | undefined; let budget: A.Duration | undefined;
        this.OR2([
          { ALT: () => { const n = this.CONSUME(T.NumberLiteral); this.ACTION(() => { max = Number(n.image); }); } },
          // `for` is not a keyword (it stays an ordinary name elsewhere): `retry for <duration>`.
          { GATE: () => this.LA(1).tokenType === T.Identifier && this.LA(1).image === 'for',
            ALT: () => { this.CONSUME4(T.Identifier); budget = this.SUBRULE3(this.duration); } },
        ]);
        let backoff: A.Name | undefined; let initial: A.Duration | undefined; let maxD: A.Duration | undefined;
        this.OPTION(() => {
          this.CONSUME(T.Backoff);
          const b = this.CONSUME2(T.Name); this.ACTION(() => { backoff = this.nameOf(b); });
          this.OPTION2(() => {
            initial = this.SUBRULE(this.duration);
            this.OPTION3(() => { this.CONSUME(T.DotDot); maxD = this.SUBRULE2(this.duration); });
          });
        });
        this.ACTION(() => { retry = { ...(budget ? { budget } : { max }), backoff, initial, max_: maxD, span: this.from(r) }; });
      } },
      { ALT: () => { this.CONSUME(T.Alert); alert = this.SUBRULE(this.stringLit); } },
      // The action is `then`, an identifier (dead_letter, fail, ...) or `skip` not starting a `skip when`
      // statement: a keyword that starts the next statement (on, fetch, write, ...) ends the policy.
      { GATE: () => this.LA(1).tokenType === T.Then || this.LA(1).tokenType === T.Identifier || (this.LA(1).tokenType === T.Skip && this.LA(2).tokenType !== T.When),
        ALT: () => { this.OPTION4(() => this.CONSUME(T.Then)); const n = this.CONSUME3(T.Name); this.ACTION(() => { then = this.nameOf(n); }); } },
    ]) });
    return this.ACTION(() => ({ kind: 'Policy', errorClass: this.nameOf(errorClass), retry, alert, then, span: this.from(start) } as A.Policy));
  }, { recoveryValueFunc: () => this.missing('an error policy') as unknown as A.Policy });

  /** Whether the next token continues a policy: a keyword that starts the next statement ends it. */
  private policyActionAhead(): boolean {
    const t = this.LA(1).tokenType;
    return t === T.Retry || t === T.Alert || t === T.Then || t === T.Identifier || (t === T.Skip && this.LA(2).tokenType !== T.When);
  }

  /** StepPolicies : '{' Policy* '}' */
  private stepPolicies = this.RULE('stepPolicies', (): A.Policy[] => {
    const ps: A.Policy[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => { ps.push(this.SUBRULE(this.policy)); });
    this.CONSUME(T.RBrace);
    return ps;
  });

  /** Fetch : ('fetch' | 'lookup') Name (':' TypeRef)? '=' Expr StepPolicies? */
  private fetchOrLookup = this.RULE('fetchOrLookup', (): A.Fetch | A.Lookup => {
    const start = this.LA(1);
    let kind: 'Fetch' | 'Lookup' = 'Fetch';
    this.OR([
      { ALT: () => { this.CONSUME(T.Fetch); } },
      { ALT: () => { this.CONSUME(T.LookupKw); kind = 'Lookup'; } },
    ]);
    const name = this.CONSUME(T.Name);
    let type: A.TypeRef | undefined;
    this.OPTION(() => { this.CONSUME(T.Colon); type = this.SUBRULE(this.typeRef); });
    this.CONSUME(T.Equals);
    const value = this.SUBRULE(this.expr);
    let policies: A.Policy[] = [];
    this.OPTION2(() => { policies = this.SUBRULE(this.stepPolicies); });
    return this.ACTION(() => ({ kind, name: this.nameOf(name), type, value, policies, span: this.from(start) } as A.Fetch | A.Lookup));
  });

  /** Let : 'let' Name (':' TypeRef)? '=' Expr */
  private letDecl = this.RULE('letDecl', (): A.Let => {
    const start = this.CONSUME(T.Let);
    const name = this.CONSUME(T.Name);
    let type: A.TypeRef | undefined;
    this.OPTION(() => { this.CONSUME(T.Colon); type = this.SUBRULE(this.typeRef); });
    this.CONSUME(T.Equals);
    const value = this.SUBRULE(this.expr);
    return this.ACTION(() => ({ kind: 'Let', name: this.nameOf(name), type, value, span: this.from(start) } as A.Let));
  });

  /** Idempotency : 'idempotency' Expr ('keep' Duration)? */
  private idempotency = this.RULE('idempotency', (): A.Idempotency => {
    const start = this.CONSUME(T.Idempotency);
    const key = this.SUBRULE(this.expr);
    let keep: A.Duration | undefined;
    this.OPTION(() => { this.CONSUME(T.Keep); keep = this.SUBRULE(this.duration); });
    return this.ACTION(() => ({ kind: 'Idempotency', key, keep, span: this.from(start) } as A.Idempotency));
  });

  /** Require : 'require' Expr 'else' Expr */
  private requireStmt = this.RULE('requireStmt', (): A.Require => {
    const start = this.CONSUME(T.Require);
    const condition = this.SUBRULE(this.expr);
    this.CONSUME(T.Else);
    const reason = this.SUBRULE2(this.expr);
    return this.ACTION(() => ({ kind: 'Require', condition, reason, span: this.from(start) } as A.Require));
  });

  /** SkipWhen : 'skip' 'when' Expr ('because' String)? */
  private skipWhen = this.RULE('skipWhen', (): A.SkipWhen => {
    const start = this.CONSUME(T.Skip);
    this.CONSUME(T.When);
    const condition = this.SUBRULE(this.expr);
    let reason: A.StringLit | undefined;
    this.OPTION(() => { this.CONSUME(T.Because); reason = this.SUBRULE(this.stringLit); });
    return this.ACTION(() => ({ kind: 'SkipWhen', condition, reason, span: this.from(start) } as A.SkipWhen));
  });

  /** Warn : 'warn' Expr ('when' Expr)? */
  private warn = this.RULE('warn', (): A.Warn => {
    const start = this.CONSUME(T.Warn);
    const message = this.SUBRULE(this.expr);
    let when: A.Expr | undefined;
    this.OPTION(() => { this.CONSUME(T.When); when = this.SUBRULE2(this.expr); });
    return this.ACTION(() => ({ kind: 'Warn', message, ...(when ? { when } : {}), span: this.from(start) } as A.Warn));
  });

  /**
   * HoldWhenAnomaly : 'hold' 'when' 'anomaly'
   * `anomaly` is not a keyword (it stays an ordinary name elsewhere); any other name there is FLOW1001.
   */
  private holdWhenAnomaly = this.RULE('holdWhenAnomaly', (): A.HoldWhenAnomaly => {
    const start = this.CONSUME(T.Hold);
    this.CONSUME(T.When);
    const what = this.CONSUME(T.Name);
    return this.ACTION(() => {
      if (!what.isInsertedInRecovery && what.image !== 'anomaly') this.issues.push({ code: 1001, span: this.sp(what), args: [describe(what), "'anomaly' (a flow holds only when the anomaly detector flags a write)"] });
      return { kind: 'HoldWhenAnomaly', span: this.from(start) } as A.HoldWhenAnomaly;
    });
  });

  /**
   * Table : 'table' Name ':' TypeRef '->' TypeRef ('{' (Expr '=>' Expr ','?)* '}' | 'from' String)
   *         ('on' 'missing' ('reject' | 'default' Expr | 'null'))?
   */
  private table = this.RULE('table', (): A.TableDecl => {
    const start = this.CONSUME(T.Table);
    const name = this.CONSUME(T.Name);
    this.CONSUME(T.Colon);
    const keyType = this.SUBRULE(this.typeRef);
    this.CONSUME(T.Arrow);
    const valueType = this.SUBRULE2(this.typeRef);
    const entries: A.TableEntry[] = [];
    let from: A.StringLit | undefined;
    this.OR([
      { ALT: () => {
        this.CONSUME(T.LBrace);
        this.MANY(() => {
          const k = this.SUBRULE(this.expr);
          this.CONSUME(T.FatArrow);
          const v = this.SUBRULE2(this.expr);
          this.OPTION(() => this.OR2([{ ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(T.Semicolon) }]));
          this.ACTION(() => entries.push({ kind: 'TableEntry', key: k, value: v, span: joinSpans(k.span, v.span) }));
        });
        this.CONSUME(T.RBrace);
      } },
      { ALT: () => { this.CONSUME(T.From); from = this.SUBRULE(this.stringLit); } },
    ]);
    let missing: A.MissingPolicy | undefined;
    this.OPTION2(() => {
      const on = this.CONSUME(T.On);
      this.CONSUME(T.MissingKw);
      this.OR3([
        { ALT: () => { this.CONSUME(T.Reject); this.ACTION(() => { missing = { kind: 'MissingPolicy', action: 'reject', span: this.from(on) }; }); } },
        { ALT: () => { this.CONSUME(T.Default); const value = this.SUBRULE3(this.expr); this.ACTION(() => { missing = { kind: 'MissingPolicy', action: 'default', value, span: this.from(on) }; }); } },
        { ALT: () => { this.CONSUME(T.Null); this.ACTION(() => { missing = { kind: 'MissingPolicy', action: 'null', span: this.from(on) }; }); } },
      ]);
    });
    return this.ACTION(() => ({ kind: 'TableDecl', name: this.nameOf(name), keyType, valueType, entries, from, missing, span: this.from(start) } as A.TableDecl));
  });

  /** Map : 'map' (Name '->')? Name ':' TypeRef Object */
  private mapDecl = this.RULE('mapDecl', (): A.MapDecl => {
    const start = this.CONSUME(T.MapKw);
    let source: A.Name | undefined;
    this.OPTION(() => { const s = this.CONSUME(T.Name); this.CONSUME(T.Arrow); this.ACTION(() => { source = this.nameOf(s); }); });
    const name = this.CONSUME2(T.Name);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.typeRef);
    const body = this.SUBRULE(this.objectExpr);
    return this.ACTION(() => ({ kind: 'MapDecl', source, name: this.nameOf(name), type, body, span: this.from(start) } as A.MapDecl));
  });

  /** Write : 'write' Expr ('as' Name)? ('when' Expr)? StepPolicies? */
  private write = this.RULE('write', (): A.Write => {
    const start = this.CONSUME(T.Write);
    const call = this.SUBRULE(this.postfix);
    let as: A.Name | undefined;
    this.OPTION(() => { this.CONSUME(T.As); const n = this.CONSUME(T.Name); this.ACTION(() => { as = this.nameOf(n); }); });
    let when: A.Expr | undefined;
    this.OPTION3(() => { this.CONSUME(T.When); when = this.SUBRULE(this.expr); });
    let policies: A.Policy[] = [];
    this.OPTION2(() => { policies = this.SUBRULE(this.stepPolicies); });
    return this.ACTION(() => ({ kind: 'Write', call, as, ...(when ? { when } : {}), policies, span: this.from(start) } as A.Write));
  });

  /** TypeRef : Name ('.' Name)* ('[' ']')? '?'? */
  private typeRef = this.RULE('typeRef', (): A.TypeRef => {
    const start = this.LA(1);
    const parts: A.Name[] = [];
    const first = this.CONSUME(T.Name);
    this.ACTION(() => parts.push(this.nameOf(first)));
    this.MANY(() => { this.CONSUME(T.Dot); const n = this.CONSUME2(T.Name); this.ACTION(() => parts.push(this.nameOf(n))); });
    let list = false, nullable = false;
    this.OPTION(() => { this.CONSUME(T.LBracket); this.CONSUME(T.RBracket); list = true; });
    this.OPTION2(() => { this.CONSUME(T.Question); nullable = true; });
    return this.ACTION(() => ({ kind: 'TypeRef', parts, list, nullable, span: this.from(start) } as A.TypeRef));
  }, { recoveryValueFunc: (): A.TypeRef => ({ kind: 'TypeRef', parts: [], list: false, nullable: false, span: this.missing('a type').span }) });

  private duration = this.RULE('duration', (): A.Duration => {
    const t = this.CONSUME(T.DurationLiteral);
    return this.ACTION(() => ({ kind: 'Duration', text: t.image, ms: durationMs(t.image), span: this.sp(t) } as A.Duration));
  }, { recoveryValueFunc: (): A.Duration => ({ kind: 'Duration', text: '', ms: 0, span: this.missing('a duration').span }) });

  private stringLit = this.RULE('stringLit', (): A.StringLit => {
    const t = this.CONSUME(T.StringLiteral);
    return this.ACTION(() => ({ kind: 'StringLit', value: this.str(t), span: this.sp(t) } as A.StringLit));
  }, { recoveryValueFunc: (): A.StringLit => ({ kind: 'StringLit', value: '', span: this.missing('a string').span }) });

  // ---------- objects ----------
  /** Object : '{' (Name '=' Expr | 'when' Expr Object ('else' Object)?) (';' | ',')? ... '}' */
  private objectExpr = this.RULE('objectExpr', (): A.ObjectExpr => this.nested(() => {
    const start = this.CONSUME(T.LBrace);
    const members: A.ObjectMember[] = [];
    this.MANY(() => {
      this.OR([
        { ALT: () => {
          const n = this.CONSUME(T.Name);
          this.CONSUME(T.Equals);
          const value = this.SUBRULE(this.expr);
          this.ACTION(() => members.push({ kind: 'Assignment', name: this.nameOf(n), value, span: joinSpans(this.sp(n), value.span) }));
        } },
        { ALT: () => {
          const w = this.CONSUME(T.When);
          const condition = this.SUBRULE2(this.expr);
          const then = this.SUBRULE(this.objectExpr);
          let els: A.ObjectExpr | undefined;
          this.OPTION(() => { this.CONSUME(T.Else); els = this.SUBRULE2(this.objectExpr); });
          this.ACTION(() => members.push({ kind: 'WhenBlock', condition, then, else: els, span: this.from(w) }));
        } },
      ], );
      this.OPTION2(() => this.OR2([{ ALT: () => this.CONSUME(T.Semicolon) }, { ALT: () => this.CONSUME(T.Comma) }]));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({ kind: 'ObjectExpr', members, span: this.from(start) } as A.ObjectExpr));
  }), { recoveryValueFunc: (): A.ObjectExpr => ({ kind: 'ObjectExpr', members: [], span: this.missing('an object').span }) });

  // ---------- expressions ----------
  /** Expr : 'if' Expr 'then' Expr 'else' Expr | Lambda | Coalesce */
  public expr = this.RULE('expr', (): A.Expr => this.nested(() => this.OR(this.exprAlts ??= [
    { ALT: () => {
      const start = this.CONSUME(T.If);
      const condition = this.SUBRULE(this.expr);
      this.CONSUME(T.Then);
      const then = this.SUBRULE2(this.expr);
      this.CONSUME(T.Else);
      const els = this.SUBRULE3(this.expr);
      return this.ACTION(() => ({ kind: 'If', condition, then, else: els, span: this.from(start) } as A.If));
    } },
    { ALT: () => {
      const p = this.CONSUME(T.Identifier);
      this.CONSUME(T.FatArrow);
      const body = this.SUBRULE4(this.expr);
      return this.ACTION(() => ({ kind: 'Lambda', param: this.nameOf(p), body, span: this.from(p) } as A.Lambda));
    } },
    { ALT: () => this.SUBRULE(this.coalesce) },
  ])), { recoveryValueFunc: () => this.missing('an expression') });

  private binaryLevel(name: string, ops: TokenType[], next: () => (idx: number) => A.Expr, opText: (t: IToken) => A.BinaryOp) {
    const alts = ops.map((tt) => ({ ALT: () => this.CONSUME(tt) }));
    return this.RULE(name, (): A.Expr => {
      let left = this.SUBRULE(next());
      this.MANY(() => {
        const op = this.OR(alts);
        const right = this.SUBRULE2(next());
        this.ACTION(() => { left = { kind: 'Binary', op: opText(op), left, right, opSpan: this.sp(op), span: joinSpans(left.span, right.span) }; });
      });
      return left;
    }, { recoveryValueFunc: () => this.missing('an expression') });
  }

  /** Coalesce : Or ('??' Or)* */
  private coalesce: (idx: number) => A.Expr = this.binaryLevel('coalesce', [T.QuestionQuestion], () => this.orExpr, () => '??');
  /** Or : And (('||' | 'or') And)* */
  private orExpr: (idx: number) => A.Expr = this.binaryLevel('orExpr', [T.OrOr, T.Or], () => this.andExpr, () => '||');
  /** And : Equality (('&&' | 'and') Equality)* */
  private andExpr: (idx: number) => A.Expr = this.binaryLevel('andExpr', [T.AndAnd, T.And], () => this.equality, () => '&&');
  /** Equality : Relational (('==' | '!=') Relational)* */
  private equality: (idx: number) => A.Expr = this.binaryLevel('equality', [T.EqEq, T.NotEq], () => this.relational, (t) => t.image as A.BinaryOp);
  /** Relational : Additive (('<' | '<=' | '>' | '>=') Additive)* */
  private relational: (idx: number) => A.Expr = this.binaryLevel('relational', [T.Lt, T.LtEq, T.Gt, T.GtEq], () => this.additive, (t) => t.image as A.BinaryOp);
  /** Additive : Multiplicative (('+' | '-') Multiplicative)* */
  private additive: (idx: number) => A.Expr = this.binaryLevel('additive', [T.Plus, T.Minus], () => this.multiplicative, (t) => t.image as A.BinaryOp);
  /** Multiplicative : Unary (('*' | '/' | '%') Unary)* */
  private multiplicative: (idx: number) => A.Expr = this.binaryLevel('multiplicative', [T.Star, T.Slash, T.Percent], () => this.unary, (t) => t.image as A.BinaryOp);

  /** Unary : ('!' | 'not' | '-') Unary | Postfix */
  private unary = this.RULE('unary', (): A.Expr => this.OR(this.unaryAlts ??= [
    { ALT: () => {
      const op = this.OR2(this.unaryOps ??= [{ ALT: () => this.CONSUME(T.Bang) }, { ALT: () => this.CONSUME(T.Not) }, { ALT: () => this.CONSUME(T.Minus) }]);
      const operand = this.nested(() => this.SUBRULE(this.unary));
      return this.ACTION(() => ({ kind: 'Unary', op: op.tokenType === T.Minus ? '-' : '!', operand, span: joinSpans(this.sp(op), operand.span) } as A.Unary));
    } },
    { ALT: () => this.SUBRULE(this.postfix) },
  ]), { recoveryValueFunc: () => this.missing('an expression') });

  /** Postfix : Primary ('.' Name | '?.' Name | '[' Expr ']' | '(' Args? ')')* */
  private postfix = this.RULE('postfix', (): A.Expr => {
    let e = this.SUBRULE(this.primary);
    this.MANY(() => {
      const step = this.OR(this.postfixAlts ??= [
        { ALT: (): PostfixStep => {
          const dot = this.OR2(this.dotAlts ??= [{ ALT: () => this.CONSUME(T.Dot) }, { ALT: () => this.CONSUME(T.QuestionDot) }]);
          return { kind: 'member', dot, name: this.CONSUME(T.Name) };
        } },
        { ALT: (): PostfixStep => {
          this.CONSUME(T.LBracket);
          const index = this.SUBRULE(this.expr);
          return { kind: 'index', index, close: this.CONSUME(T.RBracket) };
        } },
        { ALT: (): PostfixStep => {
          this.CONSUME(T.LParen);
          const args: A.Arg[] = [];
          this.MANY_SEP({ SEP: T.Comma, DEF: () => { args.push(this.SUBRULE(this.arg)); } });
          return { kind: 'call', args, close: this.CONSUME(T.RParen) };
        } },
      ]);
      this.ACTION(() => {
        if (step.kind === 'member') e = { kind: 'Member', object: e, name: this.nameOf(step.name), optional: step.dot.tokenType === T.QuestionDot, span: joinSpans(e.span, this.sp(step.name)) };
        else if (step.kind === 'index') e = { kind: 'Index', object: e, index: step.index, optional: false, span: joinSpans(e.span, this.sp(step.close)) };
        else e = { kind: 'Call', callee: e, args: step.args, span: joinSpans(e.span, this.sp(step.close)) };
      });
    });
    return e;
  }, { recoveryValueFunc: () => this.missing('an expression') });

  /** Arg : (Name ':')? Expr */
  private arg = this.RULE('arg', (): A.Arg => {
    let name: A.Name | undefined;
    this.OPTION({ GATE: () => this.LA(2).tokenType === T.Colon, DEF: () => { const n = this.CONSUME(T.Name); this.CONSUME(T.Colon); this.ACTION(() => { name = this.nameOf(n); }); } });
    const value = this.SUBRULE(this.expr);
    return this.ACTION(() => ({ kind: 'Arg', name, value, span: name ? joinSpans(name.span, value.span) : value.span } as A.Arg));
  });

  /**
   * Primary : String | Number | Duration | 'true' | 'false' | 'null' | Name | '(' Expr ')' | '[' Expr,* ']'
   *         | Object | Match | Each | 'reject' Expr
   */
  private primary = this.RULE('primary', (): A.Expr => this.OR(this.primaryAlts ??= [
    { ALT: () => this.SUBRULE(this.stringLit) },
    { ALT: () => {
      const t = this.CONSUME(T.UnterminatedString);
      return this.ACTION(() => {
        this.issues.push({ code: 1002, span: this.sp(t), args: [] });
        return { kind: 'StringLit', value: this.str(t), span: this.sp(t) } as A.StringLit;
      });
    } },
    { ALT: () => { const t = this.CONSUME(T.NumberLiteral);
      return this.ACTION(() => ({ kind: 'NumberLit', text: t.image, isInt: !t.image.includes('.'), span: this.sp(t) } as A.NumberLit)); } },
    { ALT: () => this.SUBRULE(this.duration) },
    { ALT: () => { const t = this.CONSUME(T.True); return this.ACTION(() => ({ kind: 'BoolLit', value: true, span: this.sp(t) } as A.BoolLit)); } },
    { ALT: () => { const t = this.CONSUME(T.False); return this.ACTION(() => ({ kind: 'BoolLit', value: false, span: this.sp(t) } as A.BoolLit)); } },
    { ALT: () => { const t = this.CONSUME(T.Null); return this.ACTION(() => ({ kind: 'NullLit', span: this.sp(t) } as A.NullLit)); } },
    { ALT: () => { const t = this.CONSUME(T.Identifier); return this.ACTION(() => ({ kind: 'Ident', name: t.image, span: this.sp(t) } as A.Ident)); } },
    { ALT: () => {
      this.CONSUME(T.LParen); const e = this.SUBRULE(this.expr); this.CONSUME(T.RParen); return e;
    } },
    { ALT: () => {
      const start = this.CONSUME(T.LBracket);
      const items: A.Expr[] = [];
      this.MANY_SEP({ SEP: T.Comma, DEF: () => { items.push(this.SUBRULE2(this.expr)); } });
      this.CONSUME(T.RBracket);
      return this.ACTION(() => ({ kind: 'ListExpr', items, span: this.from(start) } as A.ListExpr));
    } },
    { ALT: () => this.SUBRULE(this.objectExpr) },
    { ALT: () => this.SUBRULE(this.match) },
    { ALT: () => this.SUBRULE(this.each) },
    { ALT: () => {
      const start = this.CONSUME(T.Reject);
      const reason = this.SUBRULE3(this.expr);
      return this.ACTION(() => ({ kind: 'Reject', reason, span: this.from(start) } as A.Reject));
    } },
  ]), { recoveryValueFunc: () => this.missing('an expression') });

  /** Match : 'match' Expr '{' (Expr ('|' Expr)* '=>' Expr (';' | ',')?)* ('else' '=>' Expr)? '}' */
  private match = this.RULE('match', (): A.Match => this.nested(() => {
    const start = this.CONSUME(T.Match);
    const subject = this.SUBRULE(this.coalesce);
    this.CONSUME(T.LBrace);
    const arms: A.MatchArm[] = [];
    let otherwise: A.Expr | undefined; let elseSpan: Span | undefined;
    this.MANY(() => {
      const patterns: A.Expr[] = [];
      this.AT_LEAST_ONE_SEP({ SEP: T.Pipe, DEF: () => { patterns.push(this.SUBRULE(this.primary)); } });
      this.CONSUME(T.FatArrow);
      const value = this.SUBRULE(this.expr);
      this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Semicolon) }, { ALT: () => this.CONSUME(T.Comma) }]));
      this.ACTION(() => arms.push({ kind: 'MatchArm', patterns, value, span: joinSpans(patterns[0]!.span, value.span) }));
    });
    this.OPTION2(() => {
      const e = this.CONSUME(T.Else);
      this.CONSUME2(T.FatArrow);
      otherwise = this.SUBRULE2(this.expr);
      this.OPTION3(() => this.OR2([{ ALT: () => this.CONSUME2(T.Semicolon) }, { ALT: () => this.CONSUME2(T.Comma) }]));
      this.ACTION(() => { elseSpan = this.sp(e); });
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({ kind: 'Match', subject, arms, otherwise, elseSpan, span: this.from(start) } as A.Match));
  }));

  /** Each : 'each' Coalesce 'as' Name ('where' Expr)? ('on' 'invalid' 'skip')? Object */
  private each = this.RULE('each', (): A.Each => this.nested(() => {
    const start = this.CONSUME(T.Each);
    const source = this.SUBRULE(this.coalesce);
    this.CONSUME(T.As);
    const item = this.CONSUME(T.Name);
    let where: A.Expr | undefined; let skipInvalid = false;
    this.OPTION(() => { this.CONSUME(T.Where); where = this.SUBRULE(this.expr); });
    this.OPTION2(() => {
      this.CONSUME(T.On);
      const cls = this.CONSUME2(T.Name);
      this.CONSUME(T.Skip);
      this.ACTION(() => {
        skipInvalid = true;
        if (cls.image !== 'invalid') this.issues.push({ code: 1001, span: this.sp(cls), args: [`'${cls.image}'`, "'invalid' (only invalid lines can be skipped)"] });
      });
    });
    const body = this.SUBRULE(this.objectExpr);
    return this.ACTION(() => ({ kind: 'Each', source, item: this.nameOf(item), where, skipInvalid, body, span: this.from(start) } as A.Each));
  }));
}

export function describe(t: IToken): string {
  if (t.tokenType === EOF) return 'end of file';
  if (t.tokenType === T.StringLiteral) return `string ${t.image.length > 20 ? t.image.slice(0, 17) + '..."' : t.image}`;
  if (t.tokenType === T.NumberLiteral) return `number ${t.image}`;
  if (t.tokenType === T.Identifier) return `name '${t.image}'`;
  return `'${t.image.length > 20 ? t.image.slice(0, 20) + '…' : t.image}'`;
}
