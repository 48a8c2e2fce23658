import { afterEach, describe, it, expect } from 'vitest';
import * as $ from '../builtins.js';
import { resetTextRules, setTextRules, storedBytes } from '../text/codepage.js';
import { throwsFlow } from './test-support/flow-error.js';

describe('strings', () => {
  it('trim, upper, lower, length', () => {
    expect($.trim('  a b \t\n')).toBe('a b');
    expect($.trim('\u00a0\u3000Zoë\u2003')).toBe('Zoë');
    expect($.upper('straße')).toBe('STRASSE');
    expect($.lower('ÉCOLE')).toBe('école');
    expect($.length('héllo')).toBe(5);
    expect($.length('a😀b')).toBe(3);
    expect($.length('')).toBe(0);
    expect($.length([1, 2, 3])).toBe(3);
    for (const fn of ['trim', 'upper', 'lower', 'length', 'digits'] as const) expect(($[fn] as (x: unknown) => unknown)(null)).toBeNull();
  });

  it.each([
    ['pad_left', '42', 6, '0', '000042'],
    ['pad_left', 'abc', 5, ' ', '  abc'],
    ['pad_left', 'toolong', 3, ' ', 'toolong'],
    ['pad_left', 'é', 3, '*', '**é'],
    ['pad_left', '😀', 3, '·', '··😀'],
    ['pad_left', 'x', 3, '😀', '😀😀x'],
    ['pad_right', 'abc', 5, ' ', 'abc  '],
    ['pad_right', 'Zoë', 5, '.', 'Zoë..'],
    ['pad_right', 'abcdef', 3, ' ', 'abcdef'],
    ['pad_right', '', 2, '-', '--'],
  ] as const)('%s(%j, %s, %j) = %j', (fn, s, w, ch, want) => {
    expect($[fn](s, w, ch)).toBe(want);
  });

  it('pad defaults to spaces, rejects multi-character pads, propagates null', () => {
    expect($.pad_left('a', 3)).toBe('  a');
    expect($.pad_right('a', 3)).toBe('a  ');
    throwsFlow(() => $.pad_left('a', 3, 'ab'), "pad_left: pad character must be a single character, got 'ab'");
    throwsFlow(() => $.pad_right('a', 3, ''), "pad_right: pad character must be a single character, got ''");
    expect($.pad_left(null, 3)).toBeNull();
    expect($.pad_right('a', null)).toBeNull();
  });

  it.each([
    ['left', 'abcdef', 3, 'abc'],
    ['left', 'ab', 5, 'ab'],
    ['left', 'abc', 0, ''],
    ['left', 'abc', -1, ''],
    ['left', '😀😀😀', 2, '😀😀'],
    ['right', 'abcdef', 2, 'ef'],
    ['right', 'ab', 5, 'ab'],
    ['right', 'abc', 0, ''],
    ['right', 'a😀b😀', 2, 'b😀'],
    ['truncate', 'ACME Corporation International', 10, 'ACME Corpo'],
    ['truncate', 'short', 10, 'short'],
    // Sage Pro text is code-page text: the emoji cannot be stored and becomes '?' (the default rule).
    ['truncate', 'Müller😀x', 7, 'Müller?'],
  ] as const)('%s(%j, %s) = %j', (fn, s, n, want) => {
    expect($[fn](s, n)).toBe(want);
  });

  describe('truncate fits what the install stores (code-page bytes after the text rule)', () => {
    afterEach(() => resetTextRules());
    const name = 'Widget 😀 deluxe edition with a very long marketing name that goes on';

    it('an emoji among the first 50 characters: 50 characters, 50 bytes in windows-1252', () => {
      const t = $.truncate(name, 50)!;
      expect(storedBytes(t)).toBe(50);
      expect(t.length).toBe(50); // UTF-16 units too: nothing outside the code page is left
      expect(t.startsWith('Widget ? deluxe')).toBe(true);
    });
    it('transliterates only what the code page lacks', () => {
      expect($.truncate('Łódź café', 20)).toBe('Lódz café');
      setTextRules({ codePage: 'windows-1251', unmappable: 'transliterate', control: 'strip' });
      expect($.truncate('Łódź café', 20)).toBe('Lodz cafe');
      setTextRules({ codePage: 'windows-1250', unmappable: 'transliterate', control: 'strip' });
      expect($.truncate('Łódź café', 20)).toBe('Łódź café');
    });
    it('replace gives ?, reject names the character', () => {
      setTextRules({ codePage: 'windows-1252', unmappable: 'replace', control: 'strip' });
      expect($.truncate('Łódź', 10)).toBe('?ód?');
      setTextRules({ codePage: 'windows-1252', unmappable: 'reject', control: 'strip' });
      expect(() => $.truncate('Widget 😀', 10)).toThrow(/truncate: character '😀' \(U\+1F600\) at position 8 is not in code page windows-1252/);
    });
    it('keeps control characters (one byte each) for the connector to strip or reject', () => {
      expect($.truncate('Line2\u0000NUL', 20)).toBe('Line2\u0000NUL');
    });
    it('composes accents first: e + combining acute is one byte', () => {
      expect($.truncate('Cafe\u0301 noir', 6)).toBe('Café n');
    });
  });

  it('substr is 0-based and clips', () => {
    expect($.substr('abcdef', 2)).toBe('cdef');
    expect($.substr('abcdef', 2, 3)).toBe('cde');
    expect($.substr('abcdef', 4, 10)).toBe('ef');
    expect($.substr('abcdef', 10, 2)).toBe('');
    expect($.substr('abcdef', -2, 2)).toBe('ab');
    expect($.substr('abcdef', 1, 0)).toBe('');
    expect($.substr('a😀bc', 1, 2)).toBe('😀b');
    expect($.substr('abc', 1, null)).toBe('bc');
    expect($.substr(null, 1)).toBeNull();
    expect($.substr('abc', null)).toBeNull();
  });

  it('split and join', () => {
    expect($.split('a,b,,c', ',')).toEqual(['a', 'b', '', 'c']);
    expect($.split('a, b', ', ')).toEqual(['a', 'b']);
    expect($.split('', ',')).toEqual([]);
    expect($.split('abc', ';')).toEqual(['abc']);
    expect($.split('a😀', '')).toEqual(['a', '😀']);
    expect($.split(null, ',')).toBeNull();
    expect($.join(['a', 'b'], ', ')).toBe('a, b');
    expect($.join([1, 0.1 + 0.2, null, true], '|')).toBe('1|0.3||true');
    expect($.join([], ',')).toBe('');
    expect($.join(null, ',')).toBeNull();
  });

  it('replace is literal and global', () => {
    expect($.replace('a.b.c', '.', '-')).toBe('a-b-c');
    expect($.replace('1+1=2', '+', '$&')).toBe('1$&1=2');
    expect($.replace('aaa', 'aa', 'b')).toBe('ba');
    expect($.replace('abc', '', 'x')).toBe('abc');
    expect($.replace('abc', 'z', 'x')).toBe('abc');
    expect($.replace('(a)(a)', '(a)', '')).toBe('');
    expect($.replace(null, 'a', 'b')).toBeNull();
    expect($.replace('a', 'a', null)).toBeNull();
  });

  it('contains, starts_with, ends_with', () => {
    expect($.contains('hello world', 'o w')).toBe(true);
    expect($.contains('hello', 'x')).toBe(false);
    expect($.contains('abc', '')).toBe(true);
    expect($.starts_with('SKU-123', 'SKU-')).toBe(true);
    expect($.starts_with('SKU-123', 'sku')).toBe(false);
    expect($.ends_with('file.csv', '.csv')).toBe(true);
    expect($.contains(null, 'a')).toBeNull();
    expect($.starts_with('a', null)).toBeNull();
    expect($.ends_with(undefined, 'a')).toBeNull();
  });

  it('concat treats null as empty', () => {
    expect($.concat('a', 'b')).toBe('ab');
    expect($.concat(null, 'b')).toBe('b');
    expect($.concat('a', undefined)).toBe('a');
    expect($.concat(null, null)).toBe('');
    expect($.concat('Order #', 1042)).toBe('Order #1042');
    expect($.concat('total ', 0.1 + 0.2)).toBe('total 0.3');
  });

  it('is_blank and blank_to_null', () => {
    expect($.is_blank(null)).toBe(true);
    expect($.is_blank(undefined)).toBe(true);
    expect($.is_blank('')).toBe(true);
    expect($.is_blank(' \t\n\u00a0')).toBe(true);
    expect($.is_blank(' x ')).toBe(false);
    expect($.is_blank(0)).toBe(false);
    expect($.blank_to_null('   ')).toBeNull();
    expect($.blank_to_null(null)).toBeNull();
    expect($.blank_to_null(' x ')).toBe(' x ');
  });

  it('digits keeps only 0-9', () => {
    expect($.digits('(555) 123-4567')).toBe('5551234567');
    expect($.digits('+1 800 FLOWERS')).toBe('1800');
    expect($.digits('12345')).toBe('12345');
    expect($.digits('abc')).toBe('');
    expect($.digits('٣4')).toBe('4');
    expect($.digits('')).toBe('');
  });
});

describe('pad_left and pad_right take what the checker lets through (textlike)', () => {
  it('pad a number or a date as its text', () => {
    expect($.pad_left(42, 5, '0')).toBe('00042');
    expect($.pad_right(12.5, 6, '0')).toBe('12.500');
    expect($.pad_left(0.1 + 0.2, 5)).toBe('  0.3');
    expect($.pad_left(123456, 3, '0')).toBe('123456');
    expect($.pad_left('2024-05-02', 12)).toBe('  2024-05-02');
  });
});
