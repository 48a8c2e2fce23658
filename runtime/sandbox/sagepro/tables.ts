/**
 * The Sage Pro-shaped tables of the sandbox: real table and column names from
 * ../shared/reference/sagepro-tables.md, widths where a source shows them, plausible widths
 * elsewhere (marked [P] below). Types in VFP notation (types.ts); ddl.ts turns them into SQL for
 * SQLite and PostgreSQL (and VFP DDL text).
 *
 * Sandbox decisions (documented, easy to change):
 * - SOMAST.EXTREF C(30) is the one custom column Connect needs (the shop's order reference, for
 *   idempotent creates). Sites without it can point the connector at PONUM.
 * - LOCTID is C(6) (installs differ: 3 vs ≥ 6).
 * - SYSDATA is modelled as (COMPID, NUMKEY, NEXTNO) rows holding the next number, e.g.
 *   ('01', 'SONO', 1001); how Pro 6/7 stores next numbers is not known [NF, reference 0b], so the
 *   profiles (profiles.ts) give other sites other numbering tables.
 * - Deleted rows: SQLite / PostgreSQL have no VFP DELETED(), so the sandbox has no deleted-row
 *   marker (the connector adds `NOT DELETED()` on the VFP edition only).
 * - No NOT NULL constraints: as on a SQL edition install, nothing but the connector's storage
 *   rules keeps NULLs out (and the tests check exactly that).
 * - Unique indexes on the business keys (SONO, CUSTNO, ITEM, ITEM+LOCTID, INVNO, GLACNT), like
 *   the VFP index tags.
 */
export interface SandboxTable {
  name: string;
  columns: [string, string][];
  unique?: string[][];
  index?: string[][];
}

const AUDIT: [string, string][] = [['ADDUSER', 'C(4)'], ['ADDDATE', 'D'], ['ADDTIME', 'C(8)']];
const LOCK: [string, string][] = [['LCKSTAT', 'C(1)'], ['LCKUSER', 'C(4)'], ['LCKDATE', 'D'], ['LCKTIME', 'C(8)']];

const SOMAST_COLUMNS: [string, string][] = [
  ['SONO', 'C(10)'], ['CUSTNO', 'C(6)'], ['SODATE', 'D'], ['ORDATE', 'D'], ['SHIPVIA', 'C(12)'],
  ['CSHIPNO', 'C(4)'], ['PTERMS', 'C(20)'], ['PNET', 'N(3,0)'], ['ORDAMT', 'N(12,2)'], ['SHPAMT', 'N(12,2)'],
  ['TAX', 'N(12,2)'], ['TAXRATE', 'N(7,3)'], ['TAXSAMT', 'N(12,2)'], ['PONUM', 'C(20)'], ['SOSTAT', 'C(1)'],
  ['SOTYPE', 'C(1)'], ['REF', 'C(20)'], ['SOTRACK', 'C(30)'], ['TERR', 'C(3)'], ['SALESMN', 'C(4)'],
  ['GLAREC', 'C(24)'], ['PRICECODE', 'C(3)'], ['LOCTID', 'C(6)'], ['DEFLOC', 'C(6)'], ['ORDERSTAT', 'C(10)'],
  ['NOTES', 'M'], ['EXTREF', 'C(30)'], ...AUDIT, ...LOCK,
];
const SOTRAN_COLUMNS: [string, string][] = [
  ['SONO', 'C(10)'], ['CUSTNO', 'C(6)'], ['LINENO', 'N(4,0)'], ['ITEM', 'C(15)'], ['DESCRIP', 'C(50)'],
  ['LOCTID', 'C(6)'], ['QTYORD', 'N(12,2)'], ['QTYSHP', 'N(12,2)'], ['PRICE', 'N(14,4)'], ['DISC', 'N(7,3)'],
  ['EXTPRICE', 'N(14,2)'], ['COST', 'N(14,4)'], ['TAXRATE', 'N(7,3)'], ['TAXABLE', 'C(1)'], ['STKCODE', 'C(1)'],
  ['GLSALE', 'C(24)'], ['GLASST', 'C(24)'], ['SALESMN', 'C(4)'], ['TERR', 'C(3)'], ['PRICECODE', 'C(3)'],
  ['SOSTAT', 'C(1)'], ['SOTYPE', 'C(1)'], ['ORDATE', 'D'], ['RQDATE', 'D'], ['SHIPDATE', 'D'],
  ['SERIAL', 'C(20)'], ['UMEASUR', 'C(4)'], ...AUDIT,
];
const SOADDR_COLUMNS: [string, string][] = [
  ['SONO', 'C(10)'], ['CUSTNO', 'C(6)'], ['CSHIPNO', 'C(4)'], ['COMPANY', 'C(35)'], ['ADDRESS1', 'C(35)'],
  ['ADDRESS2', 'C(35)'], ['ADDRESS3', 'C(35)'], ['CITY', 'C(20)'], ['STATE', 'C(10)'], ['ZIP', 'C(10)'],
  ['COUNTRY', 'C(15)'], ...AUDIT,
];

/** The tables of the standard profile (profiles.ts derives the others from them). */
export const SANDBOX_TABLES: SandboxTable[] = [
  {
    name: 'ARCUST',
    columns: [
      ['CUSTNO', 'C(6)'], ['COMPANY', 'C(35)'], ['CONTACT', 'C(30)'], ['TITLE', 'C(30)'], ['ADDRESS1', 'C(35)'],
      ['ADDRESS2', 'C(35)'], ['CITY', 'C(20)'], ['STATE', 'C(10)'], ['ZIP', 'C(10)'], ['COUNTRY', 'C(15)'],
      ['PHONE', 'C(20)'], ['PHONE2', 'C(20)'], ['FAXNO', 'C(20)'], ['EMAIL', 'M'], ['TERR', 'C(3)'],
      ['SALESMN', 'C(4)'], ['INDUST', 'C(8)'], ['CODE', 'C(2)'], ['TYPE', 'C(8)'], ['SOURCE', 'C(15)'],
      ['PTERMS', 'C(20)'], ['PDISC', 'N(7,3)'], ['PDAYS', 'N(3,0)'], ['PNET', 'N(3,0)'], ['TAX', 'N(7,3)'],
      ['TAXCODE', 'C(6)'], ['STAXCRT', 'L'], ['PRICECODE', 'C(3)'], ['CURRENCY', 'C(3)'], ['BALANCE', 'Y'],
      ['HIBALANCE', 'Y'], ['PTDSLS', 'Y'], ['YTDSLS', 'Y'], ['ONORDER', 'Y'], ['CREDIT', 'Y'], ['CREDLIMIT', 'Y'],
      ['LPYMT', 'Y'], ['LSALE', 'Y'], ['LDATE', 'D'], ['LASTPAY', 'D'], ['ENTERED', 'D'], ['GLLINK', 'C(3)'],
      ['ARACCT', 'C(24)'], ['CUSTSTAT', 'C(1)'], ['CREDSTAT', 'C(1)'], ['CSTMEMO', 'M'], ...AUDIT, ...LOCK,
    ],
    unique: [['CUSTNO']],
  },
  { name: 'SOMAST', columns: SOMAST_COLUMNS, unique: [['SONO']], index: [['EXTREF'], ['CUSTNO']] },
  { name: 'SOTRAN', columns: SOTRAN_COLUMNS, index: [['SONO'], ['ITEM', 'LOCTID']] },
  { name: 'SOADDR', columns: SOADDR_COLUMNS, index: [['SONO']] },
  { name: 'SOYMST', columns: SOMAST_COLUMNS, unique: [['SONO']], index: [['EXTREF']] },
  { name: 'SOYTRN', columns: SOTRAN_COLUMNS, index: [['SONO']] },
  { name: 'SOYADR', columns: SOADDR_COLUMNS, index: [['SONO']] },
  {
    name: 'ICITEM',
    columns: [
      ['ITEM', 'C(15)'], ['ITMDESC', 'C(50)'], ['ITMCLSS', 'C(4)'], ['PLINID', 'C(4)'], ['COMCODE', 'C(6)'],
      ['PRICE', 'N(14,4)'], ['IONHAND', 'N(12,2)'], ['UMEASUR', 'C(4)'], ['ILSALE', 'D'], ['ILRECV', 'D'],
      ['ILORDR', 'D'], ['ILPCNT', 'D'], ['ALTITM1', 'C(15)'], ['ALTITM2', 'C(15)'], ...AUDIT,
    ],
    unique: [['ITEM']],
  },
  {
    name: 'ICILOC',
    columns: [
      ['ITEM', 'C(15)'], ['LOCTID', 'C(6)'], ['LONHAND', 'N(12,2)'], ['LSOALOC', 'N(12,2)'], ['LWOALOC', 'N(12,2)'],
      ['LONORDR', 'N(12,2)'], ['LONWKOR', 'N(12,2)'], ['ORDERPT', 'N(12,2)'], ['ORDQTY', 'N(12,2)'],
      ['MAXLEVEL', 'N(12,2)'], ['LSALE', 'D'], ['LRECV', 'D'], ['PTDSLQT', 'N(12,2)'], ['PTDSLVL', 'N(14,2)'],
      ['YTDSLQT', 'N(12,2)'], ['YTDSLVL', 'N(14,2)'],
    ],
    unique: [['ITEM', 'LOCTID']],
  },
  {
    name: 'ARMAST',
    columns: [
      ['INVNO', 'C(10)'], ['CUSTNO', 'C(6)'], ['INVDTE', 'D'], ['ARTYPE', 'C(1)'], ['ARSTAT', 'C(1)'],
      ['ORNUM', 'C(10)'], ['PONUM', 'C(20)'], ['REFNO', 'C(20)'], ['STORENR', 'C(6)'], ['SHIPVIA', 'C(12)'],
      ['SOTRACK', 'C(30)'], ['PTERMS', 'C(20)'], ['TAX', 'N(12,2)'], ['INVAMT', 'N(14,2)'], ['PAIDAMT', 'N(14,2)'],
      ['BALANCE', 'N(14,2)'], ['DTEPAID', 'D'], ...AUDIT,
    ],
    unique: [['INVNO']],
    index: [['ORNUM'], ['CUSTNO']],
  },
  {
    name: 'ARTRAN',
    columns: [
      ['INVNO', 'C(10)'], ['CUSTNO', 'C(6)'], ['LINENO', 'N(4,0)'], ['ITEM', 'C(15)'], ['DESCRIP', 'C(50)'],
      ['LOCTID', 'C(6)'], ['SERIAL', 'C(20)'], ['COST', 'N(14,4)'], ['PRICE', 'N(14,4)'], ['QTYORD', 'N(12,2)'],
      ['QTYSHP', 'N(12,2)'], ['EXTPRICE', 'N(14,2)'], ['ARTYPE', 'C(1)'], ['ARSTAT', 'C(1)'], ['SALESMN', 'C(4)'],
      ['INVDTE', 'D'], ['PONUM', 'C(20)'], ...AUDIT,
    ],
    index: [['INVNO']],
  },
  {
    name: 'ARDIST',
    columns: [
      ['GLACNT', 'C(24)'], ['TRANNO', 'C(10)'], ['CUSTNO', 'C(6)'], ['TRANDTE', 'D'], ['ARSESS', 'C(10)'],
      ['GLBATCH', 'C(10)'], ['AMOUNT', 'N(14,2)'], ['DESCRIP', 'C(30)'], ...AUDIT,
    ],
    index: [['TRANNO']],
  },
  {
    // Cash receipts [P, reference 0b: "a port of an SBT database"; history table ARYCSH].
    name: 'ARCASH',
    columns: [
      ['CUSTNO', 'C(6)'], ['INVNO', 'C(10)'], ['INVDTE', 'D'], ['REFNO', 'C(20)'], ['DTEPAID', 'D'],
      ['PONUM', 'C(20)'], ['DISAMT', 'N(14,2)'], ['PAIDAMT', 'N(14,2)'], ...AUDIT,
    ],
    index: [['INVNO'], ['CUSTNO']],
  },
  {
    name: 'GLACNT',
    columns: [['GLACNT', 'C(24)'], ['GLDESC', 'C(35)'], ['GLTYPE', 'C(1)'], ...AUDIT],
    unique: [['GLACNT']],
  },
  {
    name: 'SYSDATA',
    columns: [['COMPID', 'C(2)'], ['NUMKEY', 'C(10)'], ['NEXTNO', 'N(10,0)']],
    unique: [['COMPID', 'NUMKEY']],
  },
];

export function sandboxTable(name: string): SandboxTable {
  const t = SANDBOX_TABLES.find((x) => x.name === name.toUpperCase());
  if (!t) throw new Error(`no sandbox table ${name}`);
  return t;
}
