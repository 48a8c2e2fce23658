/**
 * The fixed-width rule (FLOW3005) is only as good as the length bounds the checker infers for
 * builtin calls (compiler/checker/builtins.ts). This property test runs every builtin that gives
 * text on seeded random Unicode input and checks that what the runtime returns (runtime/builtins.ts)
 * fits the bound the checker assumed, counted as the Sage Pro install counts: bytes of its code page
 * after the declared text rules (runtime/text/codepage.ts), and code points.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BUILTINS, LOWER_GROWTH, UPPER_GROWTH, type ArgInfo, type ParamKind } from '../compiler/checker/builtins.js';
import type { Type } from '../compiler/schema/types.js';
import * as rt from '../runtime/builtins.js';
import { cpCount, resetTextRules, setTextRules, storedBytes, type TextRules } from '../runtime/text/codepage.js';
import { mulberry32 as prng } from './support/prng.js';


/** Characters that stress the rules: case changes that lengthen, accents, emoji, controls, spaces. */
const SPECIAL = ['ß', 'ΐ', 'ΰ', 'İ', 'ﬃ', 'ﬁ', 'ŉ', 'ǰ', 'é', 'É', 'e\u0301', '\u0301', 'ł', 'Æ', 'œ', '€', '😀', '👨\u200d👩\u200d👧', '\ufe0f',
  '\u0000', '\t', '\n', '\r\n', '\u0085', '\u007f', '\u200b', '\u00a0', '\u3000', ',', ' ', ' , ', '中', '文', 'Ω', 'Ж', '\ud800', '\u0958', 'ǅ', 'Ａ', '²'];

function randomText(r: () => number, maxLen: number): string {
  const n = Math.floor(r() * (maxLen + 1));
  let s = '';
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.35) s += String.fromCharCode(0x20 + Math.floor(r() * 95));
    else if (k < 0.6) s += SPECIAL[Math.floor(r() * SPECIAL.length)];
    else if (k < 0.75) s += String.fromCharCode(0xa0 + Math.floor(r() * 0x1e0));
    else if (k < 0.9) s += String.fromCodePoint(Math.floor(r() * 0x3000));
    else {
      const c = Math.floor(r() * 0x10ffff);
      s += c >= 0xd800 && c < 0xe000 ? '?' : String.fromCodePoint(c);
    }
  }
  return s;
}

const strType = (maxLength: number): Type => ({ kind: 'prim', name: 'string', nullable: false, maxLength });

/** Every string inside a result, with the bound the checker's type gives it (undefined: none assumed). */
function stringsWithBounds(value: unknown, t: Type): { s: string; bound: number }[] {
  if (typeof value === 'string' && t.kind === 'prim' && t.name === 'string' && t.maxLength !== undefined) return [{ s: value, bound: t.maxLength }];
  if (Array.isArray(value) && t.kind === 'list') return value.flatMap((v) => stringsWithBounds(v, t.element));
  if (value && typeof value === 'object' && t.kind === 'object') {
    return [...t.fields.values()].flatMap((f) => stringsWithBounds((value as Record<string, unknown>)[f.name], f.type));
  }
  return [];
}

const RULES: TextRules[] = [
  { codePage: 'windows-1252', unmappable: 'transliterate', control: 'strip' },
  { codePage: 'windows-1252', unmappable: 'replace', control: 'strip' },
  { codePage: 'windows-1251', unmappable: 'transliterate', control: 'strip' },
  { codePage: 'iso-8859-1', unmappable: 'replace', control: 'reject' },
];

/** Arguments for one call: random text for text parameters, small literal ints for widths. */
function argsFor(params: readonly ParamKind[], r: () => number, name: string): { values: unknown[]; infos: ArgInfo[] } | undefined {
  const values: unknown[] = [];
  const infos: ArgInfo[] = [];
  for (const [i, p] of params.entries()) {
    if (p === 'string' || p === 'textlike' || p === 'any') {
      // A pad character is one character; other text is random.
      const s = (name === 'pad_left' || name === 'pad_right') && i === 2 ? randomText(r, 1).slice(0, 1) || '*' : randomText(r, 40);
      values.push(s);
      infos.push({ type: strType(cpCount(s)), literal: s });
    } else if (p === 'int') {
      const n = Math.floor(r() * 45) - 3;
      values.push(n);
      infos.push({ type: { kind: 'prim', name: 'int', nullable: false }, literal: n });
    } else return undefined; // lists, lambdas, dates: no text bound to check
  }
  return { values, infos };
}

describe('the width the checker infers for a builtin holds for its run-time result', () => {
  afterEach(() => resetTextRules());

  it('upper and lower grow by at most UPPER_GROWTH / LOWER_GROWTH characters per character (every code point)', () => {
    let up = 0; let low = 0;
    for (let c = 0; c < 0x110000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      const s = String.fromCodePoint(c);
      up = Math.max(up, cpCount(s.toUpperCase()));
      low = Math.max(low, cpCount(s.toLowerCase()));
    }
    expect(up).toBe(UPPER_GROWTH);
    expect(low).toBe(LOWER_GROWTH);
  });

  it('a 15-character SKU with ß no longer fits after upper: the checker says 45, the runtime gives 16', () => {
    const sku = 'STRAßENSCHILD-1';
    expect(cpCount(sku)).toBe(15);
    const t = BUILTINS.upper!.result([{ type: strType(15) }]);
    expect(t.kind === 'prim' && t.maxLength).toBe(45);
    expect(storedBytes(rt.upper(sku)!)).toBe(16);
    expect(storedBytes(rt.truncate(rt.upper(sku), 15)!)).toBe(15);
  });

  it('holds on seeded random Unicode input for every text builtin and every rule set', () => {
    const names = Object.keys(BUILTINS).filter((n) => typeof (rt as Record<string, unknown>)[n] === 'function');
    const r = prng(20261201);
    let checked = 0;
    const perName = new Map<string, number>();
    for (const rules of RULES) {
      setTextRules(rules);
      for (let round = 0; round < 150; round++) {
        for (const name of names) {
          const sig = BUILTINS[name]!;
          const args = argsFor(sig.params, r, name);
          if (!args) continue;
          const type = sig.result(args.infos);
          let value: unknown;
          try {
            value = (rt as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args.values);
          } catch {
            continue; // a rejected value (reject rule, bad width) is not a width violation
          }
          for (const { s, bound } of stringsWithBounds(value, type)) {
            const where = `${name}(${args.values.map((v) => JSON.stringify(v)).join(', ')}) under ${JSON.stringify(rules)}`;
            expect(cpCount(s), `${where}: ${JSON.stringify(s)} has more characters than ${bound}`).toBeLessThanOrEqual(bound);
            let bytes: number;
            try { bytes = storedBytes(s, rules); } catch { continue; }
            expect(bytes, `${where}: ${JSON.stringify(s)} takes more bytes than ${bound}`).toBeLessThanOrEqual(bound);
            checked++;
            perName.set(name, (perName.get(name) ?? 0) + 1);
          }
        }
      }
    }
    // Every text builtin with a bound was exercised, thousands of cases in all.
    for (const n of ['trim', 'upper', 'lower', 'truncate', 'left', 'right', 'substr', 'pad_left', 'pad_right', 'split', 'digits', 'blank_to_null', 'string', 'split_street']) {
      expect(perName.get(n) ?? 0, n).toBeGreaterThan(50);
    }
    expect(checked).toBeGreaterThan(5000);
    console.log(`builtin widths: ${checked} results checked over ${perName.size} builtins`);
  });
});
