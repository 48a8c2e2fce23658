/**
 * Sage Pro text is single-byte code-page text (Visual FoxPro tables, SQL Server CHAR/VARCHAR in the
 * collation's code page; see the Sage Pro reference, section 0b), not Unicode. This module is the one
 * place that turns a JS string into what the install stores, under the install's declared rules:
 *
 *   code_page   which single-byte code page the tables use (default windows-1252);
 *   unmappable  what happens to a character the code page lacks:
 *                 transliterate  its base letter when the code page has it (é→e only where é is
 *                                missing, ł→l, ‘→', –→-), otherwise '?'; accents the code page cannot
 *                                combine, variation selectors and zero-width characters are dropped
 *                 replace        '?' (what ODBC drivers do silently)
 *                 reject         an error naming the character
 *   control     what happens to a control character (U+0000–U+001F, U+007F–U+009F; a memo keeps
 *               TAB, LF and CR): strip (the caller reports a warning) or reject.
 *
 * The width rule that makes a checked flow safe: **one character, at most one byte**. Every
 * character becomes one byte of the code page (itself, one transliterated character or '?') or
 * nothing, so the stored length in bytes is never more than the number of code points of the
 * input. `truncate(s, n)` (runtime/builtins/text.ts) applies the mapping and cuts to n bytes; the Sage
 * Pro connector (runtime/connectors/sagepro/storage.ts) applies it again (a no-op on mapped text)
 * and counts bytes. Text is NFC-composed first (e + U+0301 → é, one byte), except where composing
 * would lengthen it.
 *
 * The rules are process-wide: flowd sets them once from connect.yaml (`connections.sagepro.text`)
 * with `setTextRules`. They live in a global slot so that the copies of this file that `flowc
 * build` puts beside generated modules see the same rules as the runtime's own copy.
 *
 * `flowc build` copies this file verbatim into every output folder (`runtime/text/codepage.ts`),
 * so it imports nothing and uses only what Node 20 provides (TextDecoder for the code page tables).
 */

// The build type-checks generated code without Node's or the DOM's types; TextDecoder is a global of Node 20.
declare const TextDecoder: new (label: string) => { decode(bytes: Uint8Array): string };

export type Unmappable = 'transliterate' | 'replace' | 'reject';
export type ControlRule = 'strip' | 'reject';

export interface TextRules {
  readonly codePage: string;
  readonly unmappable: Unmappable;
  readonly control: ControlRule;
}

export const DEFAULT_TEXT_RULES: TextRules = Object.freeze({ codePage: 'windows-1252', unmappable: 'transliterate', control: 'strip' });

/** The single-byte code pages an install may declare (labels as in the WHATWG Encoding standard). */
export const CODE_PAGES: readonly string[] = [
  'windows-1252', 'windows-1250', 'windows-1251', 'windows-1253', 'windows-1254', 'windows-1255',
  'windows-1256', 'windows-1257', 'windows-1258', 'windows-874', 'iso-8859-1', 'iso-8859-2',
  'iso-8859-15', 'ibm866', 'koi8-r', 'macintosh',
];

/** A character the rules do not allow: which one, where, and why. */
export class TextRuleError extends Error {
  constructor(
    readonly kind: 'unmappable' | 'control',
    /** The character (a code point). */
    readonly char: string,
    /** 0-based position in code points. */
    readonly position: number,
    message: string,
  ) {
    super(message);
    this.name = 'TextRuleError';
  }
}

export interface Encoded {
  /** The text as the install stores it: only characters of the code page. */
  readonly text: string;
  /** Bytes it takes in the code page (one per character). */
  readonly bytes: number;
  /** Characters replaced by '?' or transliterated. */
  readonly changed: number;
  /** Control characters removed (control: strip). */
  readonly stripped: number;
}

export interface EncodeOptions {
  /** Memo text keeps TAB, LF and CR (default false: they are control characters). */
  readonly memo?: boolean;
  /** Leave control characters as they are (1 byte each) for a later step to apply the control rule. */
  readonly keepControls?: boolean;
}

const SLOT = Symbol.for('connect.sagepro.text-rules');
type Slot = { [SLOT]?: TextRules };

/** The install's rules (DEFAULT_TEXT_RULES until flowd sets them). */
export function textRules(): TextRules {
  return (globalThis as Slot)[SLOT] ?? DEFAULT_TEXT_RULES;
}

/** Sets the process-wide rules (flowd at start, from connect.yaml). Throws on an unknown code page or rule. */
export function setTextRules(rules: TextRules): void {
  const problem = checkTextRules(rules);
  if (problem) throw new Error(problem);
  (globalThis as Slot)[SLOT] = Object.freeze({ codePage: rules.codePage, unmappable: rules.unmappable, control: rules.control });
}

/** Undoes setTextRules (tests). */
export function resetTextRules(): void {
  delete (globalThis as Slot)[SLOT];
}

/** A message naming what is wrong with the rules, or undefined when they are usable. */
export function checkTextRules(rules: TextRules): string | undefined {
  if (!CODE_PAGES.includes(rules.codePage)) return `code page '${rules.codePage}' is not supported (one of: ${CODE_PAGES.join(', ')})`;
  if (!['transliterate', 'replace', 'reject'].includes(rules.unmappable)) return `unmappable must be transliterate, replace or reject, got '${rules.unmappable}'`;
  if (!['strip', 'reject'].includes(rules.control)) return `control must be strip or reject, got '${rules.control}'`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Code page tables
// ---------------------------------------------------------------------------------------------

const tables = new Map<string, ReadonlySet<number>>();

/** Windows-1252 bytes 0x80–0x9F (0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined). */
const WINDOWS_1252_80_9F: readonly number[] = [
  0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017d,
  0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x017e, 0x0178,
];

/** The code points a code page can store (without the control characters). */
function charsOf(codePage: string): ReadonlySet<number> {
  let set = tables.get(codePage);
  if (set) return set;
  const s = new Set<number>();
  for (let c = 0x20; c < 0x7f; c++) s.add(c);
  if (codePage === 'iso-8859-1' || codePage === 'windows-1252') {
    // Both by table: WHATWG decodes the label iso-8859-1 as windows-1252, and Node 20's windows-1252
    // decoder gives U+0080–U+009F for 0x80–0x9F (Latin-1) instead of € ‚ ƒ „ … ‰ Š Œ Ž ‘ ’ “ ” • – — ˜ ™ š œ ž Ÿ.
    for (let c = 0xa0; c <= 0xff; c++) s.add(c);
    if (codePage === 'windows-1252') for (const c of WINDOWS_1252_80_9F) s.add(c);
  } else {
    const bytes = new Uint8Array(128);
    for (let i = 0; i < 128; i++) bytes[i] = 0x80 + i;
    const text = new TextDecoder(codePage).decode(bytes);
    for (const ch of text) {
      const c = ch.codePointAt(0)!;
      if (c !== 0xfffd && !isControl(c)) s.add(c);
    }
  }
  set = s;
  tables.set(codePage, set);
  return set;
}

/** True when `codePage` can store the character c. */
export function inCodePage(c: number, codePage: string): boolean {
  return charsOf(codePage).has(c);
}

function isControl(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

// ---------------------------------------------------------------------------------------------
// Transliteration
// ---------------------------------------------------------------------------------------------

/** Letters without a Unicode decomposition, and punctuation, mapped to one plain character. */
const TRANSLIT: Record<string, string> = {
  'ł': 'l', 'Ł': 'L', 'đ': 'd', 'Đ': 'D', 'ð': 'd', 'Ð': 'D', 'ø': 'o', 'Ø': 'O', 'ı': 'i', 'ħ': 'h', 'Ħ': 'H',
  'ŧ': 't', 'Ŧ': 'T', 'ŀ': 'l', 'Ŀ': 'L', 'ſ': 's', 'ß': 's', 'ẞ': 'S', 'æ': 'a', 'Æ': 'A', 'œ': 'o', 'Œ': 'O',
  'þ': 't', 'Þ': 'T', 'ƒ': 'f', 'ŋ': 'n', 'Ŋ': 'N', 'ĸ': 'k',
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'", '\u00b4': "'", '\u02bc': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"', '\u2033': '"', '\u00ab': '"', '\u00bb': '"',
  '\u2039': '<', '\u203a': '>', '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-',
  '\u2015': '-', '\u2212': '-', '\u2022': '*', '\u00b7': '.', '\u2026': '.', '\u00a0': ' ', '\u20ac': 'E',
  '\u00a9': 'C', '\u00ae': 'R', '\u00b0': 'o', '\u00d7': 'x',
};

/** Removed under `transliterate`: zero-width characters, variation selectors, the BOM. */
function isInvisible(c: number): boolean {
  return (c >= 0x200b && c <= 0x200f) || c === 0x2060 || c === 0xfeff || (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xe0100 && c <= 0xe01ef);
}

const MARK_RE = /^\p{M}$/u;
const LETTER_OR_DIGIT_RE = /^[\p{L}\p{N}\p{P}\p{S}\p{Zs}]$/u;

/** One character of the code page for ch, '' to drop it, or undefined when there is none. */
function transliterate(ch: string, c: number, codePage: string): string | undefined {
  if (isInvisible(c) || MARK_RE.test(ch)) return '';
  const t = TRANSLIT[ch];
  if (t !== undefined && inCodePage(t.codePointAt(0)!, codePage)) return t;
  for (const form of ['NFD', 'NFKD'] as const) {
    const d = ch.normalize(form);
    if (d === ch) continue;
    const base = d.codePointAt(0)!;
    const rest = d.slice(base > 0xffff ? 2 : 1);
    // The base character must carry the meaning: a letter with accents (é), or a compatibility form of
    // one character (ﬁ has two and is not taken; Ａ→A, ² →2 are).
    if (inCodePage(base, codePage) && LETTER_OR_DIGIT_RE.test(String.fromCodePoint(base)) && (form === 'NFD' || rest === '' || [...rest].every((x) => MARK_RE.test(x)))) {
      return String.fromCodePoint(base);
    }
  }
  if (c >= 0x2000 && c <= 0x200a) return ' ';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

const NON_ASCII_OR_CONTROL_RE = /[^\x20-\x7e]/;

function hex(c: number): string {
  return 'U+' + c.toString(16).toUpperCase().padStart(4, '0');
}

/** How a character is shown in a message: itself when printable, else only its code. */
export function describeChar(ch: string): string {
  const c = ch.codePointAt(0)!;
  return isControl(c) || MARK_RE.test(ch) || isInvisible(c) ? hex(c) : `'${ch}' (${hex(c)})`;
}

/**
 * The text as the install stores it under `rules`: only characters of the code page, one byte each.
 * Throws TextRuleError for a character the rules reject (unmappable: reject; control: reject).
 */
export function encodeText(s: string, rules: TextRules = textRules(), options: EncodeOptions = {}): Encoded {
  if (!NON_ASCII_OR_CONTROL_RE.test(s)) return { text: s, bytes: s.length, changed: 0, stripped: 0 };
  const nfc = s.normalize('NFC');
  const src = cpCount(nfc) <= cpCount(s) ? nfc : s;
  let out = '';
  let changed = 0;
  let stripped = 0;
  let pos = 0;
  for (const ch of src) {
    const c = ch.codePointAt(0)!;
    if (isControl(c)) {
      if (options.keepControls || (options.memo && (c === 9 || c === 10 || c === 13))) out += ch;
      else if (rules.control === 'reject') {
        throw new TextRuleError('control', ch, pos, `control character ${describeChar(ch)} at position ${pos + 1}`);
      } else stripped++;
    } else if (inCodePage(c, rules.codePage)) {
      out += ch;
    } else if (rules.unmappable === 'reject') {
      throw new TextRuleError('unmappable', ch, pos, `character ${describeChar(ch)} at position ${pos + 1} is not in code page ${rules.codePage}`);
    } else {
      const t = rules.unmappable === 'transliterate' ? transliterate(ch, c, rules.codePage) : undefined;
      out += t ?? '?';
      changed++;
    }
    pos++;
  }
  return { text: out, bytes: cpCount(out), changed, stripped };
}

/** Bytes the text takes in the code page once the rules are applied (controls counted, 1 each). */
export function storedBytes(s: string, rules: TextRules = textRules(), options: EncodeOptions = {}): number {
  return encodeText(s, rules, { keepControls: true, ...options }).bytes;
}

/** Number of code points (a lone surrogate counts as one). */
export function cpCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const c2 = s.charCodeAt(i + 1);
      if (c2 >= 0xdc00 && c2 <= 0xdfff) i++;
    }
  }
  return n;
}

/**
 * The first `n` bytes of the stored form of s (for truncate): the code-page mapping applied, control
 * characters kept (the connector applies the control rule, with a warning or an error).
 */
export function fitText(s: string, n: number, rules: TextRules = textRules()): string {
  const e = encodeText(s, rules, { keepControls: true });
  if (e.bytes <= n) return e.text;
  if (n <= 0) return '';
  let i = 0;
  for (let k = 0; k < n; k++) {
    const c = e.text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return e.text.slice(0, i);
}
