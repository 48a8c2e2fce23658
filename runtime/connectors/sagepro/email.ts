/**
 * Case-insensitive e-mail matching that holds for all of Unicode, on every SQL dialect.
 *
 * SQLite's LOWER/UPPER and LIKE fold ASCII only; PostgreSQL's depend on the database collation
 * (C collation: ASCII only); VFP's on the code page. So the database only narrows the candidates,
 * with a pattern that is exact for ASCII letters and a wildcard wherever folding could cross the
 * ASCII boundary, and the connector decides with an exact Unicode comparison (`foldEmail`).
 *
 * Folding: NFC, then full upper case, then lower case (so `ß` ≡ `ss`, `É` ≡ `é`, Kelvin sign ≡ `k`,
 * long s `ſ` ≡ `s`), surrounding blanks removed. Dotless `ı` also matches `i` (a known over-match of
 * this folding, harmless for e-mail addresses).
 */

export function foldEmail(s: string): string {
  return s.normalize('NFC').trim().toUpperCase().toLowerCase().normalize('NFC');
}

/**
 * A LIKE pattern (escape character `\`) for `LOWER(RTRIM(EMAIL))` that every stored address equal
 * to `email` under `foldEmail` matches, on a database whose LOWER folds at least ASCII.
 * ASCII letters and digits stay (lower case); `k`, `s`, `i` and every non-ASCII character become `%`
 * (their case partners lie outside ASCII: K U+212A, ſ U+017F, İ/ı, ß → ss, ...).
 */
export function emailCandidatePattern(email: string): string {
  let out = '';
  for (const ch of foldEmail(email)) {
    const code = ch.codePointAt(0)!;
    let piece: string;
    if (code >= 0x80 || ch === 'k' || ch === 's' || ch === 'i') piece = '%';
    else if (ch === '%' || ch === '_' || ch === '\\') piece = `\\${ch}`;
    else piece = ch;
    if (piece === '%' && out.endsWith('%') && !out.endsWith('\\%')) continue;
    out += piece;
  }
  return out;
}
