/** The doctor's core: what an install lacks for a set of operations, from its catalog alone (pure). */
import { describe, expect, it } from 'vitest';
import { checkInstall, installTablesOf } from './preflight.js';
import { loadSageProSchemas } from './schemas.js';
import type { TableShape } from './storage.js';
import { parseStorageType } from './types.js';

const shape = (table: string, spec: string): TableShape => ({
  table,
  columns: new Map(spec.trim().split(/\s+/).map((c) => {
    const [name, type] = c.split(':') as [string, string];
    return [name, { name, type: parseStorageType(type), justify: 'left' as const }];
  })),
});

const catalog = (over: Record<string, string | null> = {}) => {
  const base: Record<string, string | null> = {
    // What the connector needs (OPERATION_NEEDS) for sales_orders.create and the two receivables postings.
    SOMAST: 'SONO:C(10) CUSTNO:C(6) SODATE:D ORDAMT:N(14,2) SHPAMT:N(14,2) LOCTID:C(3) DEFLOC:C(3) SOSTAT:C(1) EXTREF:C(30)',
    SOTRAN: 'SONO:C(10) CUSTNO:C(6) ITEM:C(15) DESCRIP:C(30) LOCTID:C(3) QTYORD:N(12,2) QTYSHP:N(12,2) PRICE:N(14,4) DISC:N(6,2) EXTPRICE:N(14,2)',
    SOADDR: 'SONO:C(10) CUSTNO:C(6)', SOYMST: 'SONO:C(10) EXTREF:C(30)',
    ARCUST: 'CUSTNO:C(6) COMPANY:C(35) ONORDER:N(14,2) BALANCE:N(14,2) ARACCT:C(24) PTDSLS:N(14,2) YTDSLS:N(14,2) LSALE:N(14,2) LDATE:D LPYMT:N(14,2) LASTPAY:D',
    ICITEM: 'ITEM:C(15) ITMDESC:C(30) PRICE:N(14,4)', ICILOC: 'ITEM:C(15) LOCTID:C(3) LSOALOC:N(12,2)',
    ARMAST: 'INVNO:C(10) CUSTNO:C(6) INVDTE:D ARSTAT:C(1) TAX:N(14,2) INVAMT:N(14,2) PAIDAMT:N(14,2) BALANCE:N(14,2)',
    ARTRAN: 'INVNO:C(10) CUSTNO:C(6) ITEM:C(15) QTYSHP:N(12,2) PRICE:N(14,4) EXTPRICE:N(14,2)',
    ARDIST: 'GLACNT:C(24) TRANNO:C(10) TRANDTE:D ARSESS:C(10) AMOUNT:N(14,2)', GLACNT: 'GLACNT:C(24)', ARCASH: null,
    NEXTNUM: 'KEYNAME:C(8) LASTUSED:N(10,0)', ...over,
  };
  return new Map(Object.entries(base).map(([t, s]) => [t, s === null ? null : shape(t, s)]));
};
const NEXTNUM = (key: string) => ({ method: 'table' as const, table: 'NEXTNUM', keyColumn: 'KEYNAME', key, numberColumn: 'LASTUSED', holds: 'last' as const });

describe('checkInstall (flowd doctor)', () => {
  it('lists the tables to read for the operations, numbering tables included', () => {
    expect(installTablesOf(['receivables.post_payment']).sort()).toEqual(['ARCASH', 'ARCUST', 'ARDIST', 'ARMAST', 'ARTRAN', 'GLACNT']);
    expect(installTablesOf(['sales_orders.create'], { sales_order: NEXTNUM('SONO') })).toContain('NEXTNUM');
  });

  it('a fitting install with numbering set has no errors', () => {
    const p = checkInstall({ operations: ['sales_orders.create', 'receivables.post_invoice', 'receivables.post_payment'], catalog: catalog(), numbering: { sales_order: NEXTNUM('SONO'), ar_session: NEXTNUM('ARSESS') }, defaultLocation: 'WH1', externalRefColumn: 'EXTREF' });
    expect(p.filter((x) => x.severity === 'error')).toEqual([]);
    expect(p.map((x) => x.message)).toEqual(['optional table ARCASH not found: payments are recorded in ARMAST and ARDIST only']);
  });

  it('names missing tables, columns, widths and unset numbering, without a database', () => {
    const p = checkInstall({
      operations: ['sales_orders.create', 'receivables.post_invoice'],
      catalog: catalog({ SOYMST: null, SOMAST: 'SONO:C(10) CUSTNO:C(6) LOCTID:C(3)' }),
      numbering: {}, defaultLocation: 'MAIN', externalRefColumn: 'EXTREF',
    });
    const msgs = p.map((x) => `${x.severity} ${x.config ?? '-'} ${x.message}`);
    expect(msgs).toContain('error - table SOYMST (SOYMST) not found');
    expect(msgs).toContain('error - SOMAST has no column EXTREF');
    expect(msgs).toContain("error sagepro.default_location default location 'MAIN' does not fit SOMAST.LOCTID (C(3)); set the site's web warehouse code");
    expect(msgs).toContain('warning - sagepro.numbering.sales_order is not set: an order without a number is rejected (set method table, max_plus_one or flow)');
    expect(msgs).toContain('warning - sagepro.numbering.ar_session is not set: an invoice without a session is rejected (set method table, max_plus_one or flow)');
  });

  it('checks a numbering table against the catalog (the connect.yaml key named)', () => {
    const p = checkInstall({ operations: ['sales_orders.create'], catalog: catalog(), numbering: { sales_order: { ...NEXTNUM('SONUMBERS'), numberColumn: 'NEXTNO' } }, externalRefColumn: 'EXTREF' });
    expect(p.filter((x) => x.config).map((x) => `${x.config}: ${x.message}`)).toEqual([
      'sagepro.numbering.sales_order.number_column: NEXTNUM has no column NEXTNO',
      "sagepro.numbering.sales_order.key: key 'SONUMBERS' is longer than NEXTNUM.KEYNAME (C(8))",
    ]);
    const gone = checkInstall({ operations: ['sales_orders.create'], catalog: catalog({ NEXTNUM: null }), numbering: { sales_order: NEXTNUM('SONO') } });
    expect(gone.find((x) => x.config)?.message).toBe('numbering table NEXTNUM (NEXTNUM) not found');
  });

  it('warns about schema-mapped columns the install lacks or keeps narrower', () => {
    const p = checkInstall({ operations: ['customers.upsert'], catalog: catalog({ ARCUST: 'CUSTNO:C(6) COMPANY:C(30) ENTERED:D ARACCT:C(24)' }), numbering: {}, schemas: loadSageProSchemas() });
    expect(p.every((x) => x.severity === 'warning')).toBe(true);
    expect(p.map((x) => x.message)).toContain('Customer.email: ARCUST has no column EMAIL; a flow that maps it is rejected');
    expect(p.map((x) => x.message)).toContain('Customer.name: ARCUST.COMPANY is C(30) here, the schema says C(35); longer values are rejected');
  });
});
