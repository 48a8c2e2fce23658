/**
 * Source values made of more than one field, for targets that the other system keeps whole or split
 * differently: a person's name (X-Cart's firstname + lastname into one C(35) COMPANY/CONTACT column),
 * one street text into Sage Pro's three address lines (ADDRESS1..3, split_street), and an amount that
 * is the sum of a list of modifiers of one kind (listSums: a tax from X-Cart's surcharges).
 */
import { DECIMAL, fieldsOf, nonNull, prim, type Type } from '../schema/types.js';
import { nameWords } from './tokens.js';
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

/**
 * A decimal target named like one of the codes of a list element's code field: the sum of the elements
 * of that kind that apply. Modifier lists as X-Cart keeps them (schemas/xcart/Surcharge.yaml, from
 * X-Cart 5.5.0.29 classes/XLite/Model/Order.php getSurchargesTotal): an element with a coded `type`, a
 * numeric `value`, `available` (whether it applies) and `include` (already inside the item prices, never
 * added again): the tax to add is `sum(filter(order.surcharges, s => s.available && !s.include && s.type
 * == "tax"), s => s.value)`. The bool conditions are used only where the element has them; a rate or a
 * percent target is not an amount.
 */
export function listSums(t: TargetInfo, lists: readonly SourceValue[], taken: ReadonlySet<string>): SourceValue[] {
  const tt = nonNull(t.field.type);
  if (tt.kind !== 'prim' || tt.name !== 'decimal') return [];
  // An amount, not a rate: a percent column (SOTRAN.DISC "Discount in percent") is no sum of amounts.
  if (/percent|%|\brate\b/i.test(`${t.field.name} ${t.field.description ?? ''}`)) return [];
  const want = new Set(nameWords(t.field.name));
  const out: SourceValue[] = [];
  for (const l of lists) {
    const lt = nonNull(l.type);
    const el = lt.kind === 'list' ? nonNull(lt.element) : undefined;
    const fs = el ? fieldsOf(el) : undefined;
    if (!fs) continue;
    const kind = [...fs.values()].find((f) => f.type.kind === 'prim' && f.type.name === 'string' && (f.type.codes?.length ?? 0) > 0);
    const value = [...fs.values()].find((f) => f.type.kind === 'prim' && f.type.name === 'decimal' && (f.name === 'value' || f.name === 'amount'));
    if (!kind || !value) continue;
    const code = (kind.type as { codes?: readonly string[] }).codes!.find((c) => nameWords(c).some((w) => want.has(w)));
    if (code === undefined) continue;
    const v = ['s', 'x', 'm', 'e'].find((n) => !taken.has(n))!;
    const bool = (n: string) => { const f = fs.get(n); return f && f.type.kind === 'prim' && f.type.name === 'bool' && !f.type.nullable; };
    const conds = [...(bool('available') ? [`${v}.available`] : []), ...(bool('include') ? [`!${v}.include`] : []), `${v}.${kind.name} == ${JSON.stringify(code)}`];
    out.push({ ...l, expr: `sum(filter(${l.expr}, ${v} => ${conds.join(' && ')}), ${v} => ${v}.${value.name})`, type: DECIMAL,
      key: el!.kind === 'entity' ? `${el!.system}.${el!.name}.${value.name}` : `${l.key}.${value.name}`, words: nameWords(code), descWords: [...l.descWords, ...nameWords(value.name)], contextWords: l.words, field: value });
  }
  return out;
}
