/**
 * Source values made of more than one field, for targets that the other system keeps whole or split
 * differently: a person's name (X-Cart's firstname + lastname into one C(35) COMPANY/CONTACT column),
 * and one street text into Sage Pro's three address lines (ADDRESS1..3, split_street).
 */
import { prim, type Type } from '../schema/types.js';
import type { SourceValue } from './sources.js';
import type { TargetInfo } from './score.js';

function part(v: SourceValue): string { return v.type.nullable ? `(${v.expr} ?? "")` : v.expr; }

export function composites(t: TargetInfo, leaves: readonly SourceValue[]): { value: SourceValue; bonus: number }[] {
  const out: { value: SourceValue; bonus: number }[] = [];
  const byParent = new Map<string, SourceValue[]>();
  for (const l of leaves) {
    const parent = l.expr.slice(0, l.expr.length - (l.path[l.path.length - 1]?.length ?? 0)).replace(/\??\.$/, '');
    let a = byParent.get(parent); if (!a) byParent.set(parent, a = []); a.push(l);
  }
  const col = t.field.storage?.column ?? '';
  const wantsName = ['COMPANY', 'CONTACT'].includes(col) || t.field.name === 'name' || t.field.name === 'contact';
  const line = /^ADDRESS([123])$/.exec(col)?.[1] ?? /^address([123])$/.exec(t.field.name)?.[1];
  for (const group of byParent.values()) {
    const first = group.find((l) => l.field?.name === 'firstname' && l.type.kind === 'prim' && l.type.name === 'string');
    const last = group.find((l) => l.field?.name === 'lastname' && l.type.kind === 'prim' && l.type.name === 'string');
    if (wantsName && first && last) {
      const owner = first.key.slice(0, -'.firstname'.length);
      out.push({ bonus: 0.05, value: {
        ...first, expr: `trim(${part(first)} + " " + ${part(last)})`, type: prim('string'), key: `${owner}.firstname+lastname`,
        words: ['name', 'person', 'contact', 'company'], descWords: [...first.descWords, ...last.descWords],
      } });
    }
    const street = group.find((l) => l.field?.name === 'street' && l.type.kind === 'prim' && l.type.name === 'string');
    const width = t.field.storage?.width;
    if (line && street && width) {
      const type: Type = { kind: 'prim', name: 'string', nullable: false, maxLength: width };
      out.push({ bonus: 0.02, value: {
        ...street, expr: `split_street(${part(street)}, ${width}).line${line}`, type, words: ['address', line], descWords: street.descWords,
      } });
    }
  }
  return out;
}
