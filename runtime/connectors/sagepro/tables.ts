/**
 * Where each logical Sage Pro table (ARCUST, SOMAST, ...) lives on an install.
 *
 * Default: the dialect's name (`somast`, VFP `somast01`, SQL Server `dbo.somast`). VFP installs
 * often keep one folder per module (ARDATA, SODATA, ICDATA; reference 0b), so a site may set:
 * - `sagepro.modules`: a template per module (the table name's first two letters: AR, SO, IC, GL, SY),
 *   e.g. `{ AR: "ardata.{table}{company}" }`; `{table}` is the lower-case logical name, `{TABLE}`
 *   the upper-case one, `{company}` the company suffix;
 * - `sagepro.tables`: a name per logical table, e.g. `{ ARCUST: "ardata.arcust01" }` (wins over modules).
 * A resolved name is `table` or `qualifier.table` (a schema, or an attached SQLite database).
 */
import { ident, type Dialect } from './dialect.js';

export interface TableLayout {
  company?: string;
  modules?: Record<string, string>;
  tables?: Record<string, string>;
}

export interface ResolvedTable {
  /** Text spliced into SQL (`ardata.arcust01`). */
  sql: string;
  /** Schema / attached database name, when qualified. */
  qualifier?: string;
  /** Unqualified physical name, for the catalog (SQLColumns / PRAGMA table_info). */
  name: string;
  /** Which setting chose it, for messages. */
  from: 'tables' | 'modules' | 'dialect';
}

/** The module of a logical table: its first two letters (ARCUST → AR). */
export const moduleOf = (logical: string): string => logical.slice(0, 2).toUpperCase();

function checkName(text: string, at: string): { qualifier?: string; name: string } {
  const parts = text.split('.');
  if (parts.length > 2 || parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) {
    throw new Error(`${at}: '${text}' is not a table name (table or qualifier.table, letters, digits and _)`);
  }
  return parts.length === 2 ? { qualifier: parts[0]!, name: parts[1]! } : { name: parts[0]! };
}

export interface TableResolver {
  resolve(logical: string): ResolvedTable;
}

/** Checks the layout once (errors name the connect.yaml key) and resolves names from then on. */
export function createTableResolver(dialect: Dialect, layout: TableLayout = {}): TableResolver {
  const company = layout.company ?? '01';
  const tables = new Map(Object.entries(layout.tables ?? {}).map(([k, v]) => [k.toUpperCase(), v]));
  const modules = new Map(Object.entries(layout.modules ?? {}).map(([k, v]) => [k.toUpperCase(), v]));
  const fill = (tpl: string, logical: string) => tpl.replace(/\{(table|TABLE|company)\}/g, (_m, k: string) => (k === 'table' ? logical.toLowerCase() : k === 'TABLE' ? logical.toUpperCase() : company));
  for (const [k, v] of tables) checkName(v, `sagepro.tables.${k}`);
  for (const [k, v] of modules) {
    if (!/^[A-Z]{2}$/.test(k)) throw new Error(`sagepro.modules.${k}: a module is two letters (AR, SO, IC, GL, SY)`);
    if (/\{(?!table\}|TABLE\}|company\})/.test(v)) throw new Error(`sagepro.modules.${k}: unknown placeholder in '${v}' ({table}, {TABLE}, {company})`);
    checkName(fill(v, 'XXXXXX'), `sagepro.modules.${k}`);
  }
  const cache = new Map<string, ResolvedTable>();
  return {
    resolve(logical) {
      const key = ident(logical).toUpperCase();
      let r = cache.get(key);
      if (!r) {
        const explicit = tables.get(key);
        const tpl = modules.get(moduleOf(key));
        if (explicit !== undefined || tpl !== undefined) {
          const text = explicit ?? fill(tpl!, key);
          const n = checkName(text, explicit !== undefined ? `sagepro.tables.${key}` : `sagepro.modules.${moduleOf(key)}`);
          r = { sql: text, name: n.name, ...(n.qualifier ? { qualifier: n.qualifier } : {}), from: explicit !== undefined ? 'tables' : 'modules' };
        } else {
          r = { sql: dialect.table(key), name: dialect.catalogTable(key), from: 'dialect' };
        }
        cache.set(key, r);
      }
      return r;
    },
  };
}
