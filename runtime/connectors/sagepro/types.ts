/**
 * Sage Pro storage types in Visual FoxPro notation, as the entity schemas write them in
 * `x-sagepro.type`: C(n) character (space padded), N(p,s) numeric, Y currency, D date,
 * T datetime, L logical, M memo, I integer.
 */

export type StorageType =
  | { kind: 'C'; width: number }
  | { kind: 'N'; precision: number; scale: number }
  | { kind: 'Y' }
  | { kind: 'D' }
  | { kind: 'T' }
  | { kind: 'L' }
  | { kind: 'M' }
  | { kind: 'I' };

/** Parses `C(10)`, `N(12,2)`, `N(3)`, `Y`, `D`, `T`, `L`, `M`, `I`; throws on anything else. */
export function parseStorageType(text: string): StorageType {
  const t = text.trim().toUpperCase();
  let m = /^C\s*\(\s*(\d+)\s*\)$/.exec(t);
  if (m) return { kind: 'C', width: Number(m[1]) };
  m = /^N\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$/.exec(t);
  if (m) return { kind: 'N', precision: Number(m[1]), scale: Number(m[2] ?? 0) };
  if (t === 'Y' || t === 'D' || t === 'T' || t === 'L' || t === 'M' || t === 'I') return { kind: t };
  throw new Error(`unknown Sage Pro storage type '${text}'`);
}

export function formatStorageType(t: StorageType): string {
  switch (t.kind) {
    case 'C': return `C(${t.width})`;
    case 'N': return `N(${t.precision},${t.scale})`;
    default: return t.kind;
  }
}

/**
 * True when a type read from an install (through the ODBC catalog) stores what the declared type
 * does: Y is kept as NUMERIC(15,4) / money outside VFP, M as text, L as boolean / bit.
 */
export function sameStorage(declared: StorageType, actual: StorageType): boolean {
  if (declared.kind === actual.kind) {
    if (declared.kind === 'C') return declared.width === (actual as { width: number }).width;
    if (declared.kind === 'N') {
      const a = actual as { precision: number; scale: number };
      return declared.precision === a.precision && declared.scale === a.scale;
    }
    return true;
  }
  if (declared.kind === 'Y' && actual.kind === 'N') return actual.scale === 4;
  return false;
}

/** VFP's empty date, as the VFP ODBC driver returns it; read back as "no date" (null). */
export const EMPTY_DATE = '1899-12-30';
