/**
 * Lookup tables: `table` turns a flow's `table name: K -> V ... on missing ...` into the function
 * generated code calls as `$table_<name>(key, site)` for `name[key]` (BUILTINS.md, "Lookup tables").
 * The entries are the flow's (or its lookup file's), written by the compiler into the module.
 */
import type { Site } from '../contract.js';
import { reject } from './control.js';

/**
 * What a lookup of a key the table lacks gives (the table's `on missing`): `reject` (the default)
 * throws FlowError "no entry for <key as JSON> in table <name>" at the lookup's site, class invalid;
 * `null` gives null; `{ default }` gives the default value, computed again on every miss.
 */
export type TableMissing<V> = 'reject' | 'null' | { readonly default: () => V };

/**
 * The lookup function of a table. A key is found when the table holds exactly that key (Map
 * semantics: strings as they are, numbers by value; null and undefined are never keys).
 * Its result is `any` because the checker typed `name[key]` already (the value type; nullable only
 * under `on missing null`), as the compiler-written function this replaces did.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function table<K, V>(name: string, entries: ReadonlyMap<K, V>, missing: TableMissing<V>): (key: unknown, site?: Site) => any {
  if (missing === 'null') {
    return (key) => {
      const v = entries.get(key as K);
      return v !== undefined ? v : null;
    };
  }
  if (missing === 'reject') {
    return (key, site) => {
      const v = entries.get(key as K);
      if (v !== undefined) return v;
      return reject('no entry for ' + JSON.stringify(key) + ' in table ' + name, site);
    };
  }
  const fallback = missing.default;
  return (key) => {
    const v = entries.get(key as K);
    return v !== undefined ? v : fallback();
  };
}
