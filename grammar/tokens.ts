/**
 * Every token of the .flow language. Keywords use `longer_alt: Identifier` so that `ordered` is one
 * identifier, not `or` + `dered`; every keyword is also in the `Name` category, so keywords can
 * still be used as field names (`group.key`, `default = ...`) where the grammar expects a name.
 */
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\r\n]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[^]*?\*\//, group: Lexer.SKIPPED, line_breaks: true });

export const Name = createToken({ name: 'Name', pattern: Lexer.NA });
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [Name] });

const keywords: TokenType[] = [];
function kw(word: string): TokenType {
  const t = createToken({ name: `Kw_${word}`, pattern: new RegExp(`${word}(?![A-Za-z0-9_])`), longer_alt: Identifier, categories: [Name] });
  (t as { LABEL?: string }).LABEL = `'${word}'`;
  keywords.push(t);
  return t;
}

export const Flow = kw('flow');
export const On = kw('on');
export const Every = kw('every');
export const Poll = kw('poll');
export const Changed = kw('changed');
export const Key = kw('key');
export const Schedule = kw('schedule');
export const Fetch = kw('fetch');
export const LookupKw = kw('lookup');
export const Let = kw('let');
export const Idempotency = kw('idempotency');
export const Keep = kw('keep');
export const Require = kw('require');
export const Else = kw('else');
export const Skip = kw('skip');
export const When = kw('when');
export const Because = kw('because');
export const Warn = kw('warn');
export const Hold = kw('hold');
export const Table = kw('table');
export const From = kw('from');
export const MapKw = kw('map');
export const Each = kw('each');
export const As = kw('as');
export const Where = kw('where');
export const Write = kw('write');
export const Retry = kw('retry');
export const Backoff = kw('backoff');
export const Alert = kw('alert');
export const Then = kw('then');
export const Match = kw('match');
export const If = kw('if');
export const True = kw('true');
export const False = kw('false');
export const Null = kw('null');
export const Reject = kw('reject');
export const MissingKw = kw('missing');
export const Default = kw('default');
export const And = kw('and');
export const Or = kw('or');
export const Not = kw('not');

export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/, label: 'a string' });
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*/, label: 'a string' });
export const DurationLiteral = createToken({ name: 'DurationLiteral', pattern: /\d+(?:ms|s|m|h|d)(?![A-Za-z0-9_])/, label: 'a duration' });
export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /\d+(?:\.\d+)?(?![A-Za-z_])/, label: 'a number' });

export const Arrow = createToken({ name: 'Arrow', pattern: /->/, label: "'->'" });
export const FatArrow = createToken({ name: 'FatArrow', pattern: /=>/, label: "'=>'" });
export const DotDot = createToken({ name: 'DotDot', pattern: /\.\./, label: "'..'" });
export const QuestionDot = createToken({ name: 'QuestionDot', pattern: /\?\./, label: "'?.'" });
export const QuestionQuestion = createToken({ name: 'QuestionQuestion', pattern: /\?\?/, label: "'??'" });
export const Question = createToken({ name: 'Question', pattern: /\?/, label: "'?'" });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/, label: "'=='" });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/, label: "'!='" });
export const LtEq = createToken({ name: 'LtEq', pattern: /<=/, label: "'<='" });
export const GtEq = createToken({ name: 'GtEq', pattern: />=/, label: "'>='" });
export const Lt = createToken({ name: 'Lt', pattern: /</, label: "'<'" });
export const Gt = createToken({ name: 'Gt', pattern: />/, label: "'>'" });
export const AndAnd = createToken({ name: 'AndAnd', pattern: /&&/, label: "'&&'" });
export const OrOr = createToken({ name: 'OrOr', pattern: /\|\|/, label: "'||'" });
export const Pipe = createToken({ name: 'Pipe', pattern: /\|/, label: "'|'" });
export const Bang = createToken({ name: 'Bang', pattern: /!/, label: "'!'" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: "'-'" });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'" });
export const Percent = createToken({ name: 'Percent', pattern: /%/, label: "'%'" });
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: "';'" });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: "':'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/, label: "'{'" });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/, label: "'}'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/, label: "']'" });

(Identifier as { LABEL?: string }).LABEL = 'a name';
(Name as { LABEL?: string }).LABEL = 'a name';

/** In match order: longer operators before their prefixes, keywords before identifiers. */
export const allTokens: TokenType[] = [
  WhiteSpace, LineComment, BlockComment,
  StringLiteral, UnterminatedString, DurationLiteral, NumberLiteral,
  Arrow, FatArrow, DotDot, QuestionDot, QuestionQuestion, Question, EqEq, NotEq, LtEq, GtEq, Lt, Gt,
  AndAnd, OrOr, Pipe, Bang, Equals, Plus, Minus, Star, Slash, Percent, Dot, Comma, Semicolon, Colon,
  LParen, RParen, LBrace, RBrace, LBracket, RBracket,
  ...keywords, Identifier, Name,
];

export const keywordTokens: readonly TokenType[] = keywords;
