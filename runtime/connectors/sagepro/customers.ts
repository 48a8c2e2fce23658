/** Customers (ARCUST): read by number, find by e-mail (Unicode case-fold, email.ts), insert-or-update. */
import { ConnectorError } from '../errors.js';
import { ident } from './dialect.js';
import type { Session } from './odbc.js';
import { emailCandidatePattern, foldEmail } from './email.js';
import type { Obj, SageProContext } from './context.js';

async function readCustomer(c: SageProContext, s: Session, number: string): Promise<Obj | null> {
  const e = c.schemas.get('Customer');
  const r = await c.selectRows(s, e, 'ARCUST', [['CUSTNO', await c.key('ARCUST', 'CUSTNO', number)]]);
  return r.rows.length ? c.decode(e, r.maps, r.rows[0]!) : null;
}

export function getCustomer(c: SageProContext, number: string): Promise<Obj | null> {
  return c.tx('customers.get', (s) => readCustomer(c, s, number));
}

/**
 * One plain read (autocommit, no transaction: a single SELECT is consistent by itself): the
 * candidates with every mapped column the install has, so the hit needs no second read.
 */
export function findCustomerByEmail(c: SageProContext, email: string): Promise<Obj | null> {
  const op = 'customers.find_by_email';
  return c.guard(op, () => c.pool.with(async (s) => {
    // Candidates from the database (its LOWER may fold ASCII only), the decision by an exact
    // Unicode case-fold comparison here (email.ts).
    const want = foldEmail(email);
    if (!want) return null;
    const e = c.schemas.get('Customer');
    const maps = await c.present(e, 'ARCUST');
    const cols = new Set(['CUSTNO', 'EMAIL', ...maps.map((m) => m.column)]);
    for (const x of e.computed) for (const t of x.expression.match(/[A-Za-z_]\w*/g) ?? []) cols.add(t.toUpperCase());
    const r = await s.query(`SELECT ${[...cols].map(ident).join(', ')} FROM ${c.t('ARCUST')}${c.where([`${c.dialect.lowerTrim('EMAIL')} LIKE ? ESCAPE '\\'`])} ORDER BY CUSTNO`, [emailCandidatePattern(email)]);
    const hit = r.find((row) => foldEmail(String(row.EMAIL ?? '')) === want);
    return hit ? c.decode(e, maps, hit) : null;
  }));
}

export function upsertCustomer(c: SageProContext, customer: Obj): Promise<Obj> {
  const op = 'customers.upsert';
  return c.tx(op, async (s) => {
    const number = String(customer?.number ?? '').trim();
    if (!number) throw c.invalid('customer.number is required', op, 'ARCUST', 'CUSTNO', 'number');
    const e = c.schemas.get('Customer');
    await c.requireMapped(e, customer, op);
    const values = c.encodeProps(e, customer);
    delete values.CUSTNO;
    // Insert-or-update by number is naturally repeatable; the lock keeps two first inserts apart.
    await c.lockTable(s, 'ARCUST', 'CUSTNO');
    const existing = await readCustomer(c, s, number);
    if (existing) {
      if (Object.keys(values).length) await c.update(s, 'ARCUST', values, { CUSTNO: number }, op);
    } else {
      if (!String(customer.name ?? '').trim()) throw c.invalid('customer.name is required for a new customer', op, 'ARCUST', 'COMPANY', 'name');
      await c.insert(s, 'ARCUST', { ENTERED: c.today(), ARACCT: c.accounts.ar, ...values, CUSTNO: number, ...c.stamp() }, op);
    }
    return (await readCustomer(c, s, number))!;
  });
}

/**
 * Writes only the e-mail of an existing customer (CustomerToSagePro: X-Cart is the e-mail's system of
 * record, lookups/customer-fields.yaml), so no column Sage Pro owns is written, not even with its own
 * value. An unknown customer is not_found; the same e-mail again writes nothing.
 */
export function setCustomerEmail(c: SageProContext, number: string, email: string): Promise<Obj> {
  const op = 'customers.set_email';
  return c.tx(op, async (s) => {
    const want = String(email ?? '').trim();
    if (!want) throw c.invalid('email is required', op, 'ARCUST', 'EMAIL', 'email');
    const existing = await readCustomer(c, s, number);
    if (!existing) throw new ConnectorError(`${op}: no customer ${number.trim()} in ARCUST`, { errorClass: 'not_found', system: 'sagepro', operation: op, table: 'ARCUST', column: 'CUSTNO' });
    if (String(existing.email ?? '').trim() === want) return existing;
    const e = c.schemas.get('Customer');
    await c.update(s, 'ARCUST', c.encodeProps(e, { email: want }), { CUSTNO: number.trim() }, op);
    return (await readCustomer(c, s, number))!;
  });
}
