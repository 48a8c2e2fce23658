/**
 * What Sage Pro's column names abbreviate, written from ../shared/reference/sagepro-tables.md (the
 * section named beside each group). A column name is read whole when it is in COLUMNS; otherwise it
 * is cut into the FRAGMENTS below, longest first (`LONORDR` → L + ON + ORDR → location on order).
 * The words are plain English; tokens.ts canonicalises them like field names.
 */

/** Whole column names → their meaning. */
export const COLUMNS: Readonly<Record<string, string>> = {
  // 2.1 ARCUST
  CUSTNO: 'customer number', COMPANY: 'company name', CONTACT: 'contact person name', ADDRESS1: 'address line 1',
  ADDRESS2: 'address line 2', ADDRESS3: 'address line 3', CITY: 'city', STATE: 'state region', ZIP: 'zip postal code',
  COUNTRY: 'country', PHONE: 'phone', PHONE2: 'phone 2', FAXNO: 'fax number', EMAIL: 'email', PTERMS: 'payment terms',
  PRICECODE: 'price code level', CURRENCY: 'currency', STAXCRT: 'sales tax certificate exempt', BALANCE: 'balance',
  ONORDER: 'on order amount', CREDLIMIT: 'credit limit', CUSTSTAT: 'customer status', CREDSTAT: 'credit status',
  TYPE: 'type', ENTERED: 'entered date', SALESMN: 'salesperson', TERR: 'territory', CSTMEMO: 'customer memo notes',
  // 2.2 SOMAST
  SONO: 'sales order number', SODATE: 'sales order date', ORDATE: 'requested due ship by date', SHIPVIA: 'ship via carrier',
  CSHIPNO: 'customer ship to number', ORDAMT: 'order amount', SHPAMT: 'shipped amount', TAX: 'tax', TAXRATE: 'tax rate',
  TAXSAMT: 'taxable subtotal amount', PONUM: 'purchase order number', SOSTAT: 'sales order status', SOTYPE: 'sales order type',
  REF: 'reference', SOTRACK: 'tracking number', DEFLOC: 'default location', ORDERSTAT: 'order workflow status',
  NOTES: 'notes', EXTREF: 'external reference',
  // 2.3 SOTRAN
  ITEM: 'item number', DESCRIP: 'description', LOCTID: 'location id warehouse', QTYORD: 'quantity ordered',
  QTYSHP: 'quantity shipped', PRICE: 'price', DISC: 'discount percent', EXTPRICE: 'extended price', TAXABLE: 'taxable',
  RQDATE: 'request date', SHIPDATE: 'ship date', LINENO: 'line number', COST: 'cost',
  // 2.4 ICITEM / ICILOC
  ITMDESC: 'item description', IONHAND: 'item on hand', ITMCLSS: 'item class', COMCODE: 'commodity code', PLINID: 'product line',
  LONHAND: 'location on hand stock quantity', LSOALOC: 'location sales order allocated', LWOALOC: 'location work order allocated',
  LONORDR: 'location on order purchase', LONWKOR: 'location on work order', ORDERPT: 'reorder point', ORDQTY: 'reorder quantity',
  MAXLEVEL: 'maximum level', LSALE: 'last sale date', LRECV: 'last receipt date',
  // 2.5 ARMAST / ARTRAN / ARDIST
  INVNO: 'invoice number', INVDTE: 'invoice date', ARTYPE: 'document type', ARSTAT: 'status', ORNUM: 'sales order number',
  REFNO: 'reference number', INVAMT: 'invoice amount total', PAIDAMT: 'paid amount', DTEPAID: 'date paid',
  GLACNT: 'gl account', ARSESS: 'ar posting session', TRANDTE: 'transaction date', AMOUNT: 'amount',
};

/** Pieces of column names, for names not in COLUMNS. */
export const FRAGMENTS: Readonly<Record<string, string>> = {
  CUST: 'customer', NO: 'number', NUM: 'number', ITM: 'item', DESC: 'description', DESCRIP: 'description', SHIP: 'ship',
  VIA: 'via', ORD: 'order', ORDR: 'order', OR: 'order', DATE: 'date', DTE: 'date', QTY: 'quantity', AMT: 'amount',
  EXT: 'extended', INV: 'invoice', PO: 'purchase order', SO: 'sales order', LOC: 'location', LOCT: 'location', ID: 'id',
  ADDR: 'address', STAT: 'status', TRACK: 'tracking', TERMS: 'terms', DISC: 'discount', RQ: 'request', RATE: 'rate',
  CRED: 'credit', LIMIT: 'limit', ONHAND: 'on hand', ON: 'on', HAND: 'hand', ALOC: 'allocated', PRICE: 'price',
  CODE: 'code', TYPE: 'type', NAME: 'name', REF: 'reference', PAID: 'paid', TAX: 'tax', GL: 'gl', ACNT: 'account',
  SESS: 'session', CLSS: 'class', PT: 'point', L: 'location',
};

/** The meaning of a Sage Pro column name (COLUMNS, else its fragments), or undefined for a name that does not split. */
export function expandColumn(column: string | undefined): string | undefined {
  if (!column) return undefined;
  const c = column.toUpperCase();
  if (COLUMNS[c]) return COLUMNS[c];
  const keys = Object.keys(FRAGMENTS).sort((a, b) => b.length - a.length || a.localeCompare(b));
  const words: string[] = [];
  let i = 0;
  while (i < c.length) {
    if (/\d/.test(c[i]!)) { i++; continue; }
    const k = keys.find((key) => c.startsWith(key, i));
    if (!k) return undefined;
    words.push(FRAGMENTS[k]!);
    i += k.length;
  }
  return words.join(' ');
}
