import { afterEach, describe, expect, it } from 'vitest';
import {
  CODE_PAGES, DEFAULT_TEXT_RULES, TextRuleError, cpCount, encodeText, fitText, inCodePage, resetTextRules, setTextRules,
  storedBytes, textRules, type TextRules,
} from './codepage.js';

const w1252: TextRules = { codePage: 'windows-1252', unmappable: 'transliterate', control: 'strip' };

describe('code pages', () => {
  it('know what each code page holds', () => {
    expect(inCodePage(0x20ac, 'windows-1252')).toBe(true); // € is 0x80 in Windows-1252
    expect(inCodePage(0x20ac, 'iso-8859-1')).toBe(false); // but not in ISO 8859-1 (WHATWG would decode it as 1252)
    expect(inCodePage(0x0141, 'windows-1252')).toBe(false); // Ł
    expect(inCodePage(0x0141, 'windows-1250')).toBe(true);
    expect(inCodePage(0x0416, 'windows-1251')).toBe(true); // Ж
    expect(inCodePage(0x00e9, 'windows-1251')).toBe(false); // é
    expect(inCodePage(0x0000, 'windows-1252')).toBe(false); // controls are handled by the control rule
    for (const cp of CODE_PAGES) expect(inCodePage(0x41, cp), cp).toBe(true);
  });

  it('transliterate only where the code page lacks the character', () => {
    expect(encodeText('Crème brûlée, Łódź, “quoted” – ok…', w1252).text).toBe('Crème brûlée, Lódz, “quoted” – ok…');
    expect(encodeText('Crème brûlée, Łódź, “quoted” – ok…', { ...w1252, codePage: 'iso-8859-1' }).text).toBe('Crème brûlée, Lódz, "quoted" - ok.');
    expect(encodeText('Crème Жук', { ...w1252, codePage: 'windows-1251' }).text).toBe('Creme Жук');
    expect(encodeText('中文 😀 ok', w1252)).toMatchObject({ text: '?? ? ok', changed: 3 });
    expect(encodeText('zero\u200bwidth\ufe0f', w1252).text).toBe('zerowidth');
  });

  it('reject names the character and its position; control: reject names the control character', () => {
    const reject = { ...w1252, unmappable: 'reject' as const };
    expect(() => encodeText('ab中', reject)).toThrow(new TextRuleError('unmappable', '中', 2, "character '中' (U+4E2D) at position 3 is not in code page windows-1252"));
    expect(() => encodeText('a\u0000b', { ...w1252, control: 'reject' })).toThrow('control character U+0000 at position 2');
    expect(encodeText('a\u0000b\tc', w1252)).toMatchObject({ text: 'abc', stripped: 2 });
    expect(encodeText('a\r\nb\tc\u0000', w1252, { memo: true })).toMatchObject({ text: 'a\r\nb\tc', stripped: 1 });
  });

  it('one character, at most one byte; mapping twice changes nothing (seeded random text)', () => {
    let seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    for (const rules of [w1252, { ...w1252, unmappable: 'replace' as const }, { ...w1252, codePage: 'windows-1251' }, { ...w1252, codePage: 'koi8-r' }]) {
      for (let i = 0; i < 500; i++) {
        let s = '';
        for (let k = Math.floor(rnd() * 30); k > 0; k--) {
          const c = rnd() < 0.5 ? Math.floor(rnd() * 0x250) : Math.floor(rnd() * 0x10ffff);
          s += c >= 0xd800 && c < 0xe000 ? 'x' : String.fromCodePoint(c);
        }
        const e = encodeText(s, rules, { keepControls: true });
        expect(e.bytes, JSON.stringify(s)).toBeLessThanOrEqual(cpCount(s));
        expect(encodeText(e.text, rules, { keepControls: true }).text, JSON.stringify(s)).toBe(e.text);
        expect(storedBytes(fitText(s, 10, rules), rules)).toBeLessThanOrEqual(10);
      }
    }
  });
});

describe('the process-wide rules', () => {
  afterEach(() => resetTextRules());
  it('default to windows-1252 / transliterate / strip and are shared through a global slot', () => {
    expect(textRules()).toEqual(DEFAULT_TEXT_RULES);
    setTextRules({ codePage: 'windows-1250', unmappable: 'replace', control: 'reject' });
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('connect.sagepro.text-rules')]).toEqual({ codePage: 'windows-1250', unmappable: 'replace', control: 'reject' });
    expect(fitText('Łódź 中', 10)).toBe('Łódź ?');
  });
  it('refuse an unknown code page or rule', () => {
    expect(() => setTextRules({ ...w1252, codePage: 'utf-8' })).toThrow(/code page 'utf-8' is not supported/);
    expect(() => setTextRules({ ...w1252, unmappable: 'drop' as never })).toThrow(/unmappable must be/);
    expect(textRules()).toEqual(DEFAULT_TEXT_RULES);
  });
});
