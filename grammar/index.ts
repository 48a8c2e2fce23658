/**
 * parse(text, file) → { ast, issues }: the grammar's only public entry. Lexing and parsing never
 * throw on user input; problems come back as SyntaxIssues (a code, a span and message arguments)
 * that the compiler phrases through its diagnostic catalog.
 */
import { Lexer, type IParserErrorMessageProvider, type TokenType, type IToken } from 'chevrotain';
import { allTokens } from './tokens.js';
import { FlowParser, describe, type SyntaxIssue } from './parser.js';
import { LineMap, spanOfToken } from './span.js';
import type { FlowFile } from './ast.js';

export type { SyntaxIssue } from './parser.js';
export * from './ast.js';
export * from './span.js';

/** Syntax codes (the compiler's catalog phrases them). */
export const SyntaxCodes = {
  Unexpected_0_expected_1: 1001,
  Unterminated_string: 1002,
  Unknown_character_0: 1003,
  Missing_0: 1004,
} as const;

const lexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false, skipValidations: true });

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

const parser = new FlowParser();
(parser as unknown as { errorMessageProvider: IParserErrorMessageProvider }).errorMessageProvider = messages;

export interface ParseResult {
  readonly ast: FlowFile;
  readonly issues: readonly SyntaxIssue[];
  readonly lines: LineMap;
}

export function parse(text: string, file = '<input>'): ParseResult {
  const lines = new LineMap(text);
  const issues: SyntaxIssue[] = [];
  const lexed = lexer.tokenize(text);
  for (const e of lexed.errors) {
    const span = lines.span(file, e.offset, e.offset + Math.max(1, e.length));
    const ch = text.slice(e.offset, e.offset + Math.min(e.length, 12));
    issues.push({ code: SyntaxCodes.Unknown_character_0, span, args: [JSON.stringify(ch).slice(1, -1)] });
  }
  parser.file = file;
  parser.issues = [];
  parser.input = lexed.tokens;
  let ast: FlowFile;
  try {
    ast = parser.file_();
  } catch (err) {
    // Recovery should make this unreachable; never let a parser bug crash the compiler.
    issues.push({ code: SyntaxCodes.Unexpected_0_expected_1, span: lines.span(file, 0, 0), args: ['input', `valid syntax (internal parser error: ${(err as Error).message})`] });
    ast = { kind: 'FlowFile', flows: [], span: lines.span(file, 0, text.length) };
  }
  for (const e of parser.errors) {
    const tok = e.token as IToken;
    const isEof = tok.tokenType?.name === 'EOF' || isNaN(tok.startOffset);
    const span = isEof ? lines.span(file, text.length, text.length) : spanOfToken(file, tok);
    issues.push({ code: SyntaxCodes.Unexpected_0_expected_1, span, args: [describe(tok), e.message] });
  }
  issues.push(...parser.issues);
  issues.sort((a, b) => a.span.start - b.span.start);
  // One report per position: recovery can fail several ways at the same token.
  const deduped = issues.filter((d, i) => i === 0 || issues[i - 1]!.span.start !== d.span.start);
  issues.length = 0; issues.push(...deduped);
  return { ast: ast ?? { kind: 'FlowFile', flows: [], span: lines.span(file, 0, text.length) }, issues, lines };
}
