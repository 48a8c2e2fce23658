/**
 * The parser's lookahead tables, cached. Chevrotain's LL(k) strategy computes, for every OR, OPTION
 * and repetition of every rule, the token sequences (up to maxLookahead) that choose each alternative;
 * that is most of building the parser (~0.2 s quiet, ~0.5-1 s on a loaded machine, 85 % of it for
 * `onClause`, whose alternatives share `on Name` and differ only at depth 3-4) and it is redone at every
 * `flowc` start. This strategy computes them with Chevrotain's own `getLookaheadPaths` once, keeps
 * them in flowc's cache folder (grammar/cache-dir.ts) as token names, and builds the lookahead
 * functions from them exactly as Chevrotain's LLkLookaheadStrategy does (buildAlternativesLookAheadFunc
 * and buildSingleAlternativeLookaheadFunction in chevrotain/lib/chevrotain.mjs, 11.2.0).
 *
 * Key: SHA-256 of the recorded grammar (`serializeGrammar` of every rule), maxLookahead, the token
 * names, and Chevrotain's version: any change to a rule, a token or the library misses. Grammar
 * validation (`new FlowParser(true)`, the grammar test) uses the validations of LLkLookaheadStrategy,
 * which this class inherits unchanged.
 */
import { createHash } from 'node:crypto';
import { getLookaheadPaths, LLkLookaheadStrategy, serializeGrammar, VERSION, type IToken, type Rule, type TokenType } from 'chevrotain';
import { readCacheEntry, writeCacheEntry } from './cache-dir.js';

type Paths = TokenType[][][];
type Matcher = (token: IToken, tokType: TokenType) => boolean;
/** The parser a lookahead function runs on (`this`): Chevrotain's unchecked LA. */
interface LaThis { LA_FAST(i: number): IToken }

const FORMAT = 'connect-lookahead-cache/1';

// Token types as Chevrotain augments them (tokenTypeIdx, categoryMatches, categoryMatchesMap, isParent).
interface Augmented extends TokenType { tokenTypeIdx: number; categoryMatches: number[]; categoryMatchesMap: Record<number, boolean>; isParent: boolean }
const idx = (t: IToken) => t.tokenTypeIdx as number;
const withCategories: Matcher = (token, tokType) => {
  const t = tokType as Augmented;
  return idx(token) === t.tokenTypeIdx || (t.isParent === true && t.categoryMatchesMap[idx(token)] === true);
};
const noCategories: Matcher = (token, tokType) => idx(token) === (tokType as Augmented).tokenTypeIdx;
const matcherFor = (paths: Paths): Matcher =>
  paths.every((alt) => alt.every((p) => p.every((t) => ((t as Augmented).categoryMatches ?? []).length === 0))) ? noCategories : withCategories;

export class CachedLookaheadStrategy extends LLkLookaheadStrategy {
  private readonly tokens: ReadonlyMap<string, TokenType>;
  private readonly maxK: number;
  private key = '';
  private cached: Record<string, string[][][]> = {};
  private computed: Record<string, string[][][]> = {};
  private missed = 0;

  constructor(tokens: readonly TokenType[], maxLookahead: number) {
    super({ maxLookahead });
    this.tokens = new Map(tokens.map((t) => [t.name, t]));
    this.maxK = maxLookahead;
  }

  /** Called by performSelfAnalysis with the recorded rules, before any lookahead function is built. */
  initialize(options: { rules: Rule[] }): void {
    this.key = createHash('sha256').update(FORMAT).update('\0').update(VERSION).update('\0').update(String(this.maxK)).update('\0')
      .update([...this.tokens.keys()].join(',')).update('\0').update(JSON.stringify(serializeGrammar(options.rules))).digest('hex');
    const text = readCacheEntry(this.file());
    if (text) {
      try {
        const j = JSON.parse(text) as { format?: string; paths?: Record<string, string[][][]> };
        if (j.format === FORMAT && j.paths) this.cached = j.paths;
      } catch { /* an unreadable entry: compute everything */ }
    }
  }

  /** Whether any table was computed (not found in the cache) while building the parser. */
  get misses(): number { return this.missed; }

  /** Stores the tables when any was computed (a first run, or a changed grammar). */
  save(): void {
    if (this.missed === 0 || !this.key) return;
    writeCacheEntry(this.file(), JSON.stringify({ format: FORMAT, paths: { ...this.cached, ...this.computed } }));
  }

  private file(): string { return `lookahead-${this.key}.json`; }

  private paths(rule: Rule, prodType: string, occurrence: number, k: number): Paths {
    const id = `${rule.name}:${prodType}:${occurrence}:${k}`;
    const names = this.cached[id];
    if (names) {
      const decoded = names.map((alt) => alt.map((p) => p.map((n) => this.tokens.get(n))));
      if (decoded.every((alt) => alt.every((p) => p.every((t) => t !== undefined)))) return decoded as Paths;
    }
    this.missed++;
    const paths = getLookaheadPaths({ occurrence, rule, prodType: prodType as never, maxLookahead: k }) as Paths;
    this.computed[id] = paths.map((alt) => alt.map((p) => p.map((t) => t.name)));
    return paths;
  }

  buildLookaheadForAlternation(options: { prodOccurrence: number; rule: Rule; maxLookahead: number; hasPredicates: boolean; dynamicTokensEnabled: boolean }): (orAlts?: { GATE?: () => boolean }[]) => number | undefined {
    const alts = this.paths(options.rule, 'Alternation', options.prodOccurrence, options.maxLookahead);
    const match = matcherFor(alts);
    const n = alts.length;
    const matches = (self: LaThis, alt: TokenType[][]) => {
      nextPath: for (const path of alt) {
        for (let i = 0; i < path.length; i++) if (!match(self.LA_FAST(i + 1), path[i]!)) continue nextPath;
        return true;
      }
      return false;
    };
    if (options.hasPredicates) {
      return function (this: LaThis, orAlts) {
        for (let t = 0; t < n; t++) {
          const gate = orAlts?.[t]?.GATE;
          if (gate !== undefined && gate.call(this) === false) continue;
          if (matches(this, alts[t]!)) return t;
        }
        return undefined;
      };
    }
    if (!options.dynamicTokensEnabled && alts.every((alt) => alt.every((p) => p.length === 1))) {
      const choice: Record<number, number> = {};
      alts.forEach((alt, t) => {
        for (const tok of alt.flat() as Augmented[]) {
          if (!(tok.tokenTypeIdx in choice)) choice[tok.tokenTypeIdx] = t;
          for (const c of tok.categoryMatches ?? []) if (!(c in choice)) choice[c] = t;
        }
      });
      return function (this: LaThis) { return choice[idx(this.LA_FAST(1))]; };
    }
    return function (this: LaThis) {
      for (let t = 0; t < n; t++) if (matches(this, alts[t]!)) return t;
      return undefined;
    };
  }

  buildLookaheadForOptional(options: { prodOccurrence: number; prodType: string; rule: Rule; maxLookahead: number; dynamicTokensEnabled: boolean }): () => boolean {
    const alt = this.paths(options.rule, options.prodType, options.prodOccurrence, options.maxLookahead)[0] ?? [];
    const match = matcherFor([alt]);
    if (!options.dynamicTokensEnabled && alt.every((p) => p.length === 1)) {
      const single = alt.flat() as Augmented[];
      if (single.length === 1 && (single[0]!.categoryMatches ?? []).length === 0) {
        const expected = single[0]!.tokenTypeIdx;
        return function (this: LaThis) { return idx(this.LA_FAST(1)) === expected; };
      }
      const choice: boolean[] = [];
      for (const tok of single) { choice[tok.tokenTypeIdx] = true; for (const c of tok.categoryMatches ?? []) choice[c] = true; }
      return function (this: LaThis) { return choice[idx(this.LA_FAST(1))] === true; };
    }
    return function (this: LaThis) {
      nextPath: for (const path of alt) {
        for (let i = 0; i < path.length; i++) if (!match(this.LA_FAST(i + 1), path[i]!)) continue nextPath;
        return true;
      }
      return false;
    };
  }
}
