/**
 * Windows-1252, the code page of a US / Western Sage Pro install (reference sagepro-tables.md 0b:
 * VFP tables hold single-byte code-page text; a C(n) column holds n bytes of the code page, and a
 * character the code page lacks cannot be stored).
 *
 * The sandbox's own table of the 251 defined code points (bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D are
 * undefined), from Microsoft's published mapping (unicode.org MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1252.TXT):
 * 0x00-0x7F and 0xA0-0xFF are the same code points as in Unicode, 0x80-0x9F are below.
 *
 * From it, the character classes of the sandbox's CHECK constraints (ddl.ts): text a Sage Pro
 * column can hold is Windows-1252 without control characters (C(n) columns), or with only TAB, LF
 * and CR (memo columns).
 */

/** 0x80-0x9F: byte → Unicode code point; undefined bytes absent. */
const HIGH: Readonly<Record<number, number>> = {
  0x80: 0x20ac, 0x82: 0x201a, 0x83: 0x0192, 0x84: 0x201e, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
  0x88: 0x02c6, 0x89: 0x2030, 0x8a: 0x0160, 0x8b: 0x2039, 0x8c: 0x0152, 0x8e: 0x017d,
  0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201c, 0x94: 0x201d, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014,
  0x98: 0x02dc, 0x99: 0x2122, 0x9a: 0x0161, 0x9b: 0x203a, 0x9c: 0x0153, 0x9e: 0x017e, 0x9f: 0x0178,
};

/** Every defined byte of Windows-1252 → its Unicode code point (251 entries). */
export const CP1252: ReadonlyMap<number, number> = new Map([
  ...Array.from({ length: 0x80 }, (_, b) => [b, b] as [number, number]),
  ...Object.entries(HIGH).map(([b, cp]) => [Number(b), cp] as [number, number]),
  ...Array.from({ length: 0x60 }, (_, i) => [0xa0 + i, 0xa0 + i] as [number, number]),
]);

const isControl = (cp: number) => cp < 0x20 || cp === 0x7f;
/** Code points a C(n) column can hold: Windows-1252 without controls. */
export const TEXT_CODE_POINTS: readonly number[] = [...CP1252.values()].filter((cp) => !isControl(cp)).sort((a, b) => a - b);
/** Code points a memo column can hold: as C(n), plus TAB, LF, CR. */
export const MEMO_CODE_POINTS: readonly number[] = [0x09, 0x0a, 0x0d, ...TEXT_CODE_POINTS];

/** Runs of consecutive code points: [first, last]. */
function runs(cps: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const cp of cps) {
    const last = out[out.length - 1];
    if (last && cp === last[1] + 1) last[1] = cp; else out.push([cp, cp]);
  }
  return out;
}

/**
 * The inside of a bracket expression `[...]` listing the code points (ranges `a-b` for runs of three
 * or more). Control characters are written with `ctl(cp)` (SQL text cannot hold them readably);
 * a class member that is special inside brackets (`]` `^` `-` `\` `[`) outside a range is refused,
 * so the class means the same in SQLite GLOB and PostgreSQL regular expressions.
 */
export function bracketClass(cps: readonly number[], ctl: (cp: number) => string): string {
  const one = (cp: number) => {
    if (isControl(cp)) return ctl(cp);
    const ch = String.fromCodePoint(cp);
    if (']^-\\['.includes(ch)) throw new Error(`code page class: '${ch}' would be special inside brackets`);
    return ch;
  };
  return runs(cps).map(([a, b]) => (b - a >= 2 ? `${one(a)}-${one(b)}` : b === a ? one(a) : one(a) + one(b))).join('');
}
