/**
 * generateFlow: a valid flow of N steps against the shipped schemas (an X-Cart order becomes a Sage
 * Pro sales order), the same text for the same seed: fetches, lets, tables from lookups/, skips,
 * requires, one map with a line-item `each`, a nested object and `when` blocks, one write and the
 * flow's error policies, with comments of every kind (line, block, multi-line block, trailing, inside
 * the map) and blank lines. For the designer's property test and benchmark (D2's bench:designer).
 */
import type { GenerateOptions } from './api.js';

/** mulberry32: a small seeded generator. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TABLE_FILES = [
  { file: 'carriers.yaml', kt: 'string', vt: 'string', missing: 'default "BEST"' },
  { file: 'web-customers.yaml', kt: 'string', vt: 'string', missing: 'default "WEB001"' },
  { file: 'gl-by-gateway.yaml', kt: 'string', vt: 'string', missing: 'null' },
];

export function generateFlowImpl(steps: number, seed: number, o: GenerateOptions): string {
  const r = rng(seed * 2654435761 + 17);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;
  const comments = o.comments !== false;
  const lines: string[] = [];
  const comment = (indent: string) => {
    if (!comments) return;
    const k = r();
    if (k < 0.10) lines.push(`${indent}// note ${Math.floor(r() * 1000)}: about the next step`);
    else if (k < 0.14) lines.push(`${indent}/* block ${Math.floor(r() * 1000)} */`);
    else if (k < 0.17) lines.push(`${indent}/* a comment`, `${indent}   over two lines ${Math.floor(r() * 100)} */`);
    else if (k < 0.20) lines.push(`${indent}// first of two`, `${indent}// second of two`);
  };
  const trailing = () => (comments && chance(0.12) ? pick([' // trailing', ' /* trailing block */', ' // why: kept']) : '');
  const blank = () => { if (chance(0.12)) lines.push(''); };

  if (comments) lines.push(`// Generated flow ${seed} (designer property test).`, '/* header block', '   comment */');
  const name = `Generated${seed}`;
  lines.push(`flow ${name} "a generated flow of ${steps} steps"`);
  lines.push(`  on xcart.order.created${trailing()}`);
  lines.push('');
  comment('  ');
  lines.push(`  fetch order: xcart.Order = xcart.orders.get(event.data.order_id)${trailing()}`);
  let n = 1;
  const numbers: string[] = [];
  const strings: string[] = [];
  const tables: string[] = [];
  const body = Math.max(0, steps - 3);
  for (let i = 0; i < body; i++, n++) {
    blank();
    comment('  ');
    const k = r();
    let stmt: string;
    if (k < 0.25) { const v = `n${i}`; stmt = `let ${v} = ${numbers.length && chance(0.5) ? `${pick(numbers)} + ${i}` : `order.total * ${1 + (i % 5)}`}`; numbers.push(v); }
    else if (k < 0.45) { const v = `s${i}`; stmt = `let ${v} = ${strings.length && chance(0.4) ? `${pick(strings)} + "-${i}"` : `trim(order.email) + "${i}"`}`; strings.push(v); }
    else if (k < 0.55) { const t = pick(TABLE_FILES); const v = `t${i}`; stmt = `table ${v}: ${t.kt} -> ${t.vt} from "${t.file}" on missing ${t.missing}`; tables.push(v); }
    else if (k < 0.65 && tables.length) { const v = `s${i}`; stmt = `let ${v} = ${pick(tables)}[order.shipping_method_name ?? ""] ?? ""`; strings.push(v); }
    else if (k < 0.78) stmt = `skip when order.total < ${-(i + 1)} because "total below -${i + 1}"`;
    else if (k < 0.88) stmt = `require count(order.items) >= 0 else "order ${i} has a negative line count"`;
    else if (k < 0.95) stmt = `lookup c${i}: sagepro.Customer? = sagepro.customers.find_by_email(email: order.email)`;
    else stmt = `skip when order.order_number == null because "carts are not orders (${i})"`;
    lines.push(`  ${stmt}${trailing()}`);
  }
  blank();
  comment('  ');
  const notes = strings.length ? `truncate(${pick(strings)}, 60)` : '"generated"';
  lines.push('  map order -> so: sagepro.SalesOrder {');
  lines.push(`    external_ref = "XC-" + string(order.id)${trailing()}`);
  lines.push('    customer     = truncate(order.email, 6)');
  comment('    ');
  lines.push('    order_date   = date(order.create_date, "America/New_York")');
  if (chance(0.6)) lines.push(`    notes        = ${notes}${trailing()}`);
  if (chance(0.5)) lines.push('    po_number    = truncate(order.order_number ?? "", 20)');
  if (chance(0.5)) lines.push(`    when order.total > ${Math.floor(r() * 100)} { site_location = "MAIN" }`);
  comment('    ');
  lines.push('    lines = each order.items as item where item.amount > 0 {');
  lines.push('      item     = truncate(upper(trim(item.sku)), 15)');
  comment('      ');
  lines.push(`      quantity = item.amount${trailing()}`);
  if (chance(0.5)) lines.push('      price    = round(item.price, 4)');
  lines.push('    }');
  if (chance(0.5)) {
    lines.push('    ship_to = {');
    lines.push('      name     = truncate(order.shipping_address?.firstname ?? "", 35)');
    lines.push('      address1 = truncate(order.shipping_address?.street ?? "", 35)');
    lines.push('      city     = truncate(order.shipping_address?.city ?? "", 20)');
    if (chance(0.5)) lines.push('      zip      = truncate(order.shipping_address?.zipcode ?? "", 10)');
    lines.push('    }');
  }
  lines.push('  }');
  lines.push(`  write sagepro.sales_orders.create(so)${trailing()}`);
  lines.push('');
  comment('  ');
  lines.push(`  on transient retry for ${pick(['1h', '24h', '2d'])} backoff exponential 2s..${pick(['1m', '5m', '10m'])} then dead_letter`);
  if (chance(0.7)) lines.push('  on invalid dead_letter');
  if (chance(0.4)) lines.push('  on conflict alert "order already in Sage Pro" then dead_letter');
  const eol = o.eol ?? '\n';
  return lines.join(eol) + eol;
}
