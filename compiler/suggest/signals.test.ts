/**
 * Each signal of the matcher on its own, on hand-made fields (score.ts, convert.ts, tokens.ts,
 * abbreviations.ts, samples.ts), and the conversions a suggestion gets for types, widths and nulls.
 */
import { describe, expect, test } from 'vitest';
import { DATE, DATETIME, DECIMAL, INT, prim, type EntityType, type Field, type Type } from '../schema/types.js';
import { expandColumn } from './abbreviations.js';
import { convert } from './convert.js';
import { compareSamples, shapeOf } from './samples.js';
import { scoreLeaf, type TargetInfo } from './score.js';
import { walk, type SourceValue } from './sources.js';
import { nameWords } from './tokens.js';
import type { CorpusEntry } from './corpus.js';

const str = (maxLength?: number, nullable = false, codes?: string[]): Type => ({ kind: 'prim', name: 'string', nullable, ...(maxLength !== undefined ? { maxLength } : {}), ...(codes ? { codes } : {}) });
function field(name: string, type: Type, extra: Partial<Field> = {}): Field { return { name, type, required: true, readOnly: false, ...extra }; }
function entity(system: 'xcart' | 'sagepro', name: string, fields: Field[]): EntityType {
  return { kind: 'entity', system, name, fields: new Map(fields.map((f) => [f.name, f])), nullable: false };
}
function sources(e: EntityType, root = 'src'): SourceValue[] { return walk({ name: root, type: e, role: 'map source' }).leaves; }
function target(f: Field, owner = 'sagepro.T'): TargetInfo { return { path: f.name, field: f, owner, parentWords: [], nested: false }; }
function best(t: TargetInfo, ss: SourceValue[], corpus: CorpusEntry[] = [], samples?: Map<string, unknown[]>) {
  return ss.map((s) => scoreLeaf(t, s, { tz: 'UTC', corpus, samples })).filter((x) => !!x).sort((a, b) => b!.confidence - a!.confidence)[0]!;
}
const sage = (column: string, type: string, more: object = {}) => ({ storage: { table: 'SOMAST', column, type, ...(/^C\((\d+)\)$/.test(type) ? { width: Number(/\d+/.exec(type)![0]) } : {}), ...more } });

describe('names and their parts', () => {
  test('snake and camel case split, stems and synonyms meet', () => {
    expect(nameWords('shipping_address')).toEqual(['ship', 'address']);
    expect(nameWords('orderNumber')).toEqual(['order', 'number']);
    expect(nameWords('zipcode')).toEqual(['zip']);
    expect(nameWords('qty')).toEqual(['quantity']);
  });
  test('the name signal picks the field whose words the target shares', () => {
    const src = entity('xcart', 'Order', [field('email', str()), field('order_number', str(255, true)), field('notes', str())]);
    const t = target(field('po_number', str(20), sage('PONUM', 'C(20)')));
    const b = best(t, sources(src));
    expect(b.conversion.expr).toBe('truncate(src.order_number ?? "", 20)');
    expect(b.signals[0]!.reason).toContain('number');
  });
});

describe('Sage Pro column abbreviations', () => {
  test('whole names from the reference table, others by their fragments', () => {
    expect(expandColumn('CUSTNO')).toBe('customer number');
    expect(expandColumn('ORDATE')).toContain('due');             // the requested date, not the order date (sagepro-tables.md 2.2)
    expect(expandColumn('LONORDR')).toBe('location on order purchase');
    expect(expandColumn('SHIPVIA')).toBe('ship via carrier');
    expect(expandColumn('QQQ')).toBeUndefined();
  });
  test('a field named unlike its column is found through the column', () => {
    const src = entity('xcart', 'X', [field('carrier', str()), field('email', str())]);
    const t = target(field('f1', str(12), sage('SHIPVIA', 'C(12)')));
    const b = best(t, sources(src));
    expect(b.conversion.expr).toBe('truncate(src.carrier, 12)');
    expect(b.signals[0]).toMatchObject({ signal: 'abbreviation' });
    expect(b.signals[0]!.reason).toContain('SHIPVIA reads "ship via carrier"');
  });
});

describe('descriptions', () => {
  test('X-Cart calls the quantity "amount": the descriptions say so', () => {
    const src = entity('xcart', 'OrderItem', [field('amount', INT, { description: 'Quantity ordered.' }), field('id', INT, { description: 'Order item id.' })]);
    const t = target(field('quantity', DECIMAL, { description: 'Quantity ordered.', ...sage('QTYORD', 'N(12,2)') }));
    const b = best(t, sources(src));
    expect(b.conversion.expr).toBe('src.amount');
    expect(b.signals.find((s) => s.signal === 'description')!.score).toBeGreaterThan(0.5);
  });
});

describe('types, nullability and widths: the conversion', () => {
  const sv = (type: Type, name = 'v'): SourceValue => sources(entity('xcart', 'S', [field(name, type)]))[0]!;
  test('datetime into a D column: the calendar date in the time zone', () => {
    expect(convert(sv(DATETIME), field('d', DATE, sage('SODATE', 'D')), 'America/New_York')?.expr).toBe('date(src.v, "America/New_York")');
  });
  test('a nullable datetime cannot fill a date that is not nullable', () => {
    expect(convert(sv(prim('datetime', true)), field('d', DATE), 'UTC')).toBeUndefined();
  });
  test('decimal into N(14,4): rounded to its scale; int widens as is', () => {
    expect(convert(sv(DECIMAL), field('p', DECIMAL, sage('PRICE', 'N(14,4)')), 'UTC')?.expr).toBe('round(src.v, 4)');
    expect(convert(sv(INT), field('q', DECIMAL, sage('QTYORD', 'N(12,2)')), 'UTC')?.expr).toBe('src.v');
  });
  test('a key column C(15): trimmed, upper-cased, then truncated (upper can lengthen text)', () => {
    expect(convert(sv(str(32), 'sku'), field('item', str(15), { storage: { table: 'SOTRAN', column: 'ITEM', type: 'C(15)', width: 15, references: 'ICITEM.ITEM' } }), 'UTC')?.expr)
      .toBe('truncate(upper(trim(src.sku)), 15)');
  });
  test('a value known to fit is not truncated; a nullable one gets its blank', () => {
    expect(convert(sv(str(2)), field('c', str(15), sage('COUNTRY', 'C(15)')), 'UTC')?.expr).toBe('src.v');
    expect(convert(sv(str(undefined, true)), field('c', str(20), sage('CITY', 'C(20)')), 'UTC')?.expr).toBe('truncate(src.v ?? "", 20)');
  });
  test('bool into a Y/N code column', () => {
    expect(convert(sv(prim('bool')), field('t', str(1, false, ['Y', 'N']), sage('TAXABLE', 'C(1)')), 'UTC')?.expr).toBe('if src.v then "Y" else "N"');
  });
});

describe('code sets', () => {
  test('shared codes support, disjoint ones speak against', () => {
    const src = entity('xcart', 'S', [field('status_a', str(undefined, false, ['', 'C', 'V'])), field('status_b', str(undefined, false, ['P', 'Q']))]);
    const t = target(field('status', str(1, false, ['', 'C', 'V', 'X']), sage('SOSTAT', 'C(1)')));
    const [a, b] = sources(src).map((s) => scoreLeaf(t, s, { tz: 'UTC', corpus: [] })!);
    expect(a!.signals.find((s) => s.signal === 'codes')!.score).toBe(0.75);
    expect(b!.signals.find((s) => s.signal === 'codes')!.score).toBe(0);
    expect(a!.confidence).toBeGreaterThan(b!.confidence);
  });
});

describe('sample values', () => {
  test('shapes', () => {
    expect(['2026-10-27', '2026-10-27T03:10:00+0000', 'jane@example.com', 'WIDGET-100', 'New York', 12, 1.5].map(shapeOf))
      .toEqual(['date', 'datetime', 'email', 'code', 'text', 'int', 'decimal']);
  });
  test('overlap (trimmed, upper-cased, a datetime\'s date) beats shape alone', () => {
    expect(compareSamples(['widget-100 ', 'cable'], ['WIDGET-100'])!.score).toBe(1);
    expect(compareSamples(['2026-10-27T03:10:00+0000'], ['2026-10-27'])!.score).toBe(1);
    expect(compareSamples(['abc@x.org'], ['def@y.org'])!.score).toBeCloseTo(0.6);
  });
  test('the samples decide between two fields alike by name', () => {
    const src = entity('xcart', 'S', [field('code_a', str()), field('code_b', str())]);
    const t = target(field('code', str(10), sage('CODE', 'C(10)')));
    const samples = new Map<string, unknown[]>([['xcart.S.code_a', ['X1', 'X2']], ['xcart.S.code_b', ['K7', 'K9']], ['sagepro.T.code', ['K7']]]);
    const without = best(t, sources(src));
    const withSamples = best(t, sources(src), [], samples);
    expect(without.conversion.expr).toBe('truncate(src.code_a, 10)');   // a tie, broken by order
    expect(withSamples.conversion.expr).toBe('truncate(src.code_b, 10)');
    expect(withSamples.signals.find((s) => s.signal === 'samples')!.reason).toContain('1 of 1');
  });
});

describe('mappings already written in other flows', () => {
  test('a flow that maps the same target from a field confirms it; one that maps it from another speaks against', () => {
    const src = entity('xcart', 'S', [field('name', str()), field('title', str())]);
    const t = target(field('description', str(50), sage('DESCRIP', 'C(50)')), 'sagepro.T');
    const corpus: CorpusEntry[] = [{ target: 'sagepro.T.description', column: 'SOMAST.DESCRIP', sources: ['xcart.S.name'], steps: ['truncate'], expr: 'truncate(i.name, 50)', site: 'x.flow:3', file: 'x.flow' }];
    expect(best(t, sources(src)).confidence).toBeLessThan(0.45);
    const b = best(t, sources(src), corpus);
    expect(b.conversion.expr).toBe('truncate(src.name, 50)');
    expect(b.signals.find((s) => s.signal === 'corpus')!.reason).toContain('x.flow:3');
  });
});

describe('codes and flags: no suggestion without confirmation (score.ts codeMismatch)', () => {
  const profile = entity('xcart', 'Profile', [field('status', str(1, false, ['E', 'D'])), field('status_comment', str(undefined, true)), field('login', str(128))]);
  const status = target(field('status', str(1), { storage: { table: 'ARCUST', column: 'CUSTSTAT', type: 'C(1)', width: 1 } }));
  test("a source's codes into a one-character column whose codes are undocumented: below the threshold", () => {
    const s = sources(profile).find((x) => x.expr === 'src.status')!;
    const r = scoreLeaf(status, s, { tz: 'UTC', corpus: [] })!;
    expect(r.confidence).toBeLessThan(0.45);
    expect(r.signals.map((g) => g.reason).join('; ')).toContain("another system's");
  });
  test('free text cut to a one-character column: below the threshold', () => {
    const s = sources(profile).find((x) => x.expr === 'src.status_comment')!;
    expect(scoreLeaf(status, s, { tz: 'UTC', corpus: [] })!.confidence).toBeLessThan(0.45);
  });
  test('code sets that share nothing, and free text into a coded target: below the threshold', () => {
    const order = entity('xcart', 'Order', [field('payment_status', str(2, false, ['Q', 'A', 'P'])), field('status_note', str(50))]);
    const t = target(field('status', str(1, false, ['O', 'C', 'H']), sage('ORDSTAT', 'C(1)')));
    for (const s of sources(order)) expect(scoreLeaf(t, s, { tz: 'UTC', corpus: [] })!.confidence, s.expr).toBeLessThan(0.45);
  });
  test('confirmed by another flow: suggested as before', () => {
    const s = sources(profile).find((x) => x.expr === 'src.status')!;
    const corpus: CorpusEntry[] = [{ target: 'sagepro.T.status', column: 'ARCUST.CUSTSTAT', sources: ['xcart.Profile.status'], steps: [], expr: 'profile.status', site: 'x.flow:3', file: 'x.flow' }];
    expect(scoreLeaf(status, s, { tz: 'UTC', corpus })!.confidence).toBeGreaterThanOrEqual(0.45);
  });
  test('a bool into a Y/N flag is a conversion, not free text', () => {
    const src = entity('xcart', 'Profile', [field('taxable', { kind: 'prim', name: 'bool', nullable: false })]);
    const t = target(field('taxable', str(1, false, ['Y', 'N']), sage('TAXABLE', 'C(1)')));
    expect(best(t, sources(src)).conversion.expr).toBe('if src.taxable then "Y" else "N"');
    expect(best(t, sources(src)).confidence).toBeGreaterThanOrEqual(0.45);
  });
});

describe("a field the project's flows set to a constant or a setting (score.ts corpusConstant)", () => {
  const src = entity('xcart', 'Order', [field('payment_method_name', str(255)), field('terms_note', str(30))]);
  const t = target(field('terms', str(30), sage('PTERMS', 'C(30)')), 'sagepro.SalesOrder');
  const entry = (expr: string, sources: string[] = []): CorpusEntry => ({ target: 'sagepro.SalesOrder.terms', column: 'SOMAST.PTERMS', sources, steps: [], expr, site: 'x.flow:9', file: 'x.flow' });
  test('every other flow writes a literal or a setting: no source field is suggested', () => {
    expect(best(t, sources(src)).confidence).toBeGreaterThanOrEqual(0.45);                      // a name match alone
    for (const e of ['"NET 30"', 'setting["terms"]']) {
      const b = best(t, sources(src), [entry(e)]);
      expect(b.confidence, e).toBeLessThan(0.45);
      expect(b.signals.map((g) => g.reason).join('; ')).toContain('a constant or a site setting');
    }
  });
  test('a flow that reads a name (a let, a field) is not a constant', () => {
    expect(best(t, sources(src), [entry('truncate("XC" + store_key, 30)')]).signals.map((g) => g.reason).join('; ')).not.toContain('a constant');
  });
});

test("a quantity Sage Pro's modules keep (LSOALOC, LONORDR) gets no X-Cart value, however well the names agree", () => {
  const src = entity('xcart', 'Product', [field('allocated_sales', DECIMAL), field('on_order', DECIMAL)]);
  for (const [name, col] of [['allocated_sales', 'LSOALOC'], ['on_order', 'LONORDR']] as const) {
    const t = target(field(name, DECIMAL, { storage: { table: 'ICILOC', column: col, type: 'N(12,2)' } }), 'sagepro.InventoryLevel');
    const b = best(t, walk({ name: 'product', type: src, role: 'map source' }).leaves.map((l) => ({ ...l, key: `xcart.Product.${l.path[0]}` })));
    expect(b.confidence, col).toBeLessThan(0.45);
    expect(b.signals.map((g) => g.reason).join('; ')).toContain("kept by Sage Pro's own modules");
  }
});
