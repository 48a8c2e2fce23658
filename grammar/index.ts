/**
 * parse(text, file) → { ast, issues }: the grammar's only public entry. Lexing and parsing never
 * throw on user input; problems come back as SyntaxIssues (a code, a span and message arguments)
 * that the compiler phrases through its diagnostic catalog.
 */
import { Lexer, type IParserErrorMessageProvider, type TokenType, type IToken } from 'chevrotain';
import { allTokens } from './tokens.js';
import { FlowParser, describe, MAX_NESTING, NestingTooDeep, type SyntaxIssue } from './parser.js';
import { LineMap } from './span.js';
import { limitExpressionDepth, MAX_EXPRESSION_DEPTH } from './nesting.js';
import type { FlowFile } from './ast.js';

export type { SyntaxIssue } from './parser.js';
export * from './ast.js';
export * from './span.js';
export { MAX_NESTING } from './parser.js';
export { MAX_EXPRESSION_DEPTH } from './nesting.js';

/** Syntax codes (the compiler's catalog phrases them). */
export const SyntaxCodes = {
  Unexpected_0_expected_1: 1001,
  Unterminated_string: 1002,
  Unknown_character_0: 1003,
  Missing_0: 1004,
  Nested_too_deeply: 1005,
  Invalid_escape_0: 1006,
} as const;

const lexer = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: true });

function labelOf(t: TokenType): string { return (t as { LABEL?: string }).LABEL ?? t.name; }
function alts(paths: TokenType[][][]): string {
  const seen = new Set<string>();
  for (const alt of paths) for (const path of alt) if (path[0]) seen.add(labelOf(path[0]));
  const list = [...seen];
  if (list.length > 6) return `${list.slice(0, 6).join(', ')}, ...`;
  return list.length <= 1 ? (list[0] ?? 'something else') : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

const EXPR_RULES = ['expr', 'coalesce', 'orExpr', 'andExpr', 'equality', 'relational', 'additive', 'multiplicative', 'unary', 'postfix', 'primary'];
const RULE_WORDS: Record<string, string> = {
  ...Object.fromEntries(EXPR_RULES.map((r) => [r, 'an expression'])),
  flowItem: 'a flow statement (on, fetch, lookup, let, map, write, ...)',
  policy: "an error policy action (retry, alert, dead_letter, skip, fail)",
  onClause: 'a trigger (xcart.order.created, every 5m poll ..., schedule ...) or an error policy',
};

// Chevrotain's messages are replaced by the "expected" half only; the "found" half comes from the token.
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => labelOf(expected),
  buildNotAllInputParsedMessage: () => 'end of file',
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName }) => RULE_WORDS[ruleName] ?? alts(expectedPathsPerAlt),
  buildEarlyExitMessage: ({ expectedIterationPaths, ruleName }) => RULE_WORDS[ruleName] ?? alts([expectedIterationPaths]),
};

/**
 * A parser with flowc's messages. `cached` lookahead tables come from flowc's cache folder
 * (grammar/lookahead-cache.ts); `chevrotain` computes them as Chevrotain does (for comparison).
 */
export function createParser(lookahead: 'cached' | 'chevrotain' = 'cached'): FlowParser {
  const p = new FlowParser(false, lookahead);
  (p as unknown as { errorMessageProvider: IParserErrorMessageProvider }).errorMessageProvider = messages;
  return p;
}

/** The parser, built at the first parse (building it is most of the grammar's start-up cost). */
let shared: FlowParser | undefined;

export interface ParseResult {
  readonly ast: FlowFile;
  readonly issues: readonly SyntaxIssue[];
  readonly lines: LineMap;
}

export function parse(text: string, file = '<input>', parser: FlowParser = (shared ??= createParser())): ParseResult {
  const lines = new LineMap(text);
  const issues: SyntaxIssue[] = [];
  const lexed = lexer.tokenize(text);
  for (const e of lexed.errors) {
    // Whole characters: never end a span between the two halves of a surrogate pair.
    let end = e.offset + Math.max(1, e.length);
    if (end < text.length && isLowSurrogate(text.charCodeAt(end)) && isHighSurrogate(text.charCodeAt(end - 1))) end++;
    const span = lines.span(file, e.offset, end);
    let chEnd = e.offset + Math.min(end - e.offset, 12);
    if (chEnd < end && isLowSurrogate(text.charCodeAt(chEnd))) chEnd++;
    const ch = text.slice(e.offset, chEnd);
    issues.push({ code: SyntaxCodes.Unknown_character_0, span, args: [JSON.stringify(ch).slice(1, -1)] });
  }
  parser.file = file;
  parser.lines = lines;
  parser.issues = [];
  parser.input = lexed.tokens;
  let ast: FlowFile;
  try {
    ast = parser.file_();
  } catch (err) {
    if (err instanceof NestingTooDeep) {
      const t = err.token;
      const isEof = t.tokenType?.name === 'EOF' || isNaN(t.startOffset);
      const span = isEof ? lines.span(file, text.length, text.length) : lines.span(file, t.startOffset, t.startOffset + Math.max(1, t.image.length));
      // The parse stops here: keep what was found before, nothing after (it would be noise).
      issues.push(...parser.issues.filter((i) => i.span.start < span.start));
      issues.push({ code: SyntaxCodes.Nested_too_deeply, span, args: [String(MAX_NESTING), "parentheses, brackets, braces, 'if', 'match', 'each', lambdas and unary operators"] });
      issues.sort((a, b) => a.span.start - b.span.start);
      return { ast: { kind: 'FlowFile', flows: [], span: lines.span(file, 0, text.length) }, issues, lines };
    }
    // Recovery should make this unreachable; never let a parser bug crash the compiler.
    issues.push({ code: SyntaxCodes.Unexpected_0_expected_1, span: lines.span(file, 0, 0), args: ['input', `valid syntax (internal parser error: ${(err as Error).message})`] });
    ast = { kind: 'FlowFile', flows: [], span: lines.span(file, 0, text.length) };
  }
  for (const e of parser.errors) {
    const tok = e.token as IToken;
    const isEof = tok.tokenType?.name === 'EOF' || isNaN(tok.startOffset);
    const span = isEof ? lines.span(file, text.length, text.length) : lines.span(file, tok.startOffset, tok.startOffset + tok.image.length);
    issues.push({ code: SyntaxCodes.Unexpected_0_expected_1, span, args: [describe(tok), e.message] });
  }
  issues.push(...parser.issues);
  // Every level of an expression tree owns a token, so a file of fewer tokens cannot be too deep.
  if (ast && lexed.tokens.length > MAX_EXPRESSION_DEPTH) issues.push(...limitExpressionDepth(ast));
  issues.sort((a, b) => a.span.start - b.span.start);
  // One report per position: recovery can fail several ways at the same token.
  const deduped = issues.filter((d, i) => i === 0 || issues[i - 1]!.span.start !== d.span.start);
  issues.length = 0; issues.push(...deduped);
  return { ast: ast ?? { kind: 'FlowFile', flows: [], span: lines.span(file, 0, text.length) }, issues, lines };
}

function isHighSurrogate(c: number): boolean { return c >= 0xd800 && c <= 0xdbff; }
function isLowSurrogate(c: number): boolean { return c >= 0xdc00 && c <= 0xdfff; }
