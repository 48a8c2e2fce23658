/**
 * The comments of a .flow text, as the grammar's lexer reads them. The grammar's tokens skip
 * comments (grammar/tokens.ts: LineComment and BlockComment are in Lexer.SKIPPED), so the AST has
 * none; this lexer uses the same token definitions with the two comment tokens moved into a named
 * group, so a `//` inside a string is never a comment and a comment ends exactly where the parser's
 * lexer ends it.
 */
import { createToken, Lexer, type TokenType } from 'chevrotain';
import { allTokens, BlockComment, LineComment } from '../../grammar/tokens.js';

export interface Comment {
  /** The comment's text as written (a line comment without trailing white space). */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** `// ...` (runs to the end of its line: nothing may follow it on that line). */
  readonly isLine: boolean;
}

const LineCommentKept = createToken({ name: 'LineComment', pattern: LineComment.PATTERN, group: 'comments' });
const BlockCommentKept = createToken({ name: 'BlockComment', pattern: BlockComment.PATTERN, group: 'comments', line_breaks: true });

const tokens: TokenType[] = allTokens.map((t) => (t === LineComment ? LineCommentKept : t === BlockComment ? BlockCommentKept : t));
const lexer = new Lexer(tokens, { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: true });

export interface Lexed {
  readonly comments: readonly Comment[];
  /** Start and end offsets of every other token (white space excluded), in order. */
  readonly tokens: readonly { readonly start: number; readonly end: number; readonly type: string }[];
}

export function lexComments(text: string): Lexed {
  const r = lexer.tokenize(text);
  const comments = (r.groups.comments ?? []).map((t) => {
    const isLine = t.tokenType === LineCommentKept;
    return { text: isLine ? t.image.replace(/[ \t]+$/, '') : t.image, start: t.startOffset, end: t.startOffset + t.image.length, isLine };
  });
  return { comments, tokens: r.tokens.map((t) => ({ start: t.startOffset, end: t.startOffset + t.image.length, type: t.tokenType.name })) };
}
