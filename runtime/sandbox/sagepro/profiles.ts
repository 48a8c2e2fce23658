/**
 * Install profiles of the Sage Pro sandbox (spec: /work/notes/profiles.md, shared with the connector
 * engineer). Sage Pro sites are customised (reference sagepro-tables.md, "What an integration should
 * assume" and 0b), so the sandbox can be three different sites:
 *
 * - `standard` (default): the tables of tables.ts (today's sandbox, plus ARCASH), LOCTID C(6),
 *   warehouses MAIN and EAST, next numbers in SYSDATA(COMPID, NUMKEY, NEXTNO) holding the NEXT number.
 * - `minimal`: none of the columns no public source confirms (0b), LOCTID C(3) in every table,
 *   warehouses WH1 (the web warehouse) and WH2, no SYSDATA and no ARCASH; next numbers in the site's
 *   own NEXTNUM(KEYNAME C(8), LASTUSED N(10,0)) holding the LAST USED number.
 * - `vfp-modules`: the standard tables laid out as a VFP install with one folder per module (0b:
 *   `...\ARDATA\arcust01.dbf`): on SQLite one database file per module, attached under the module's
 *   folder name (`ardata.arcust01`), table names with the company suffix; SYSDATA in the main file
 *   (the program root). On PostgreSQL the modules are schemas of the same names.
 *
 * Each profile gives `siteConfig(...)`: the Sage Pro part of connect.yaml (`connections.sagepro`)
 * that a site of that shape must set.
 */
import path from 'node:path';
import type { TableLayout } from './ddl.js';
import { SANDBOX_TABLES, type SandboxTable } from './tables.js';
import type { Engine } from './types.js';

export const PROFILE_NAMES = ['standard', 'minimal', 'vfp-modules'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
export const DEFAULT_PROFILE: ProfileName = 'standard';

/** A numbering rule of connect.yaml (`connections.sagepro.numbering.<what>`). */
export interface NumberingRule {
  method: 'table';
  table: string;
  key_column: string;
  key: string;
  number_column: string;
  holds: 'next' | 'last';
  where?: Record<string, string>;
}

/** The Sage Pro keys of connect.yaml a site of the profile's shape sets (names as in connect.yaml). */
export interface SiteConfig {
  numbering: { sales_order: NumberingRule; ar_session: NumberingRule };
  default_location?: string;
  company?: string;
  modules?: Record<string, string>;
  attach?: Record<string, string>;
}

export interface SandboxProfile {
  readonly name: ProfileName;
  /** Every table of the install (numbering table included), columns in order. */
  readonly tables: readonly SandboxTable[];
  /** Module databases (SQLite files / PostgreSQL schemas) and their tables; empty: all in the main file. */
  readonly modules: Readonly<Record<string, readonly string[]>>;
  /** The code page of the install's text (every profile: Windows-1252, enforced by ddl.ts). */
  readonly codePage: 'windows-1252';
  /** The warehouses of the seed: the web store's, and a second one. */
  readonly locations: { readonly web: string; readonly other: string };
  /** Rows of the numbering table. */
  readonly numberingRows: readonly Record<string, string | number>[];
  /** The name SQL uses for a logical table on an engine. */
  physical(logical: string, engine: Engine): string;
  /** connect.yaml's Sage Pro keys; `attach` are the module files (SQLite only). */
  siteConfig(files?: { attach?: Record<string, string> }): SiteConfig;
}

const COMPANY = '01';

function withColumns(t: SandboxTable, fn: (cols: [string, string][]) => [string, string][]): SandboxTable {
  return { ...t, columns: fn(t.columns.map(([c, ty]) => [c, ty] as [string, string])) };
}

function tableRule(table: string, keyColumn: string, key: string, numberColumn: string, holds: 'next' | 'last', where?: Record<string, string>): NumberingRule {
  return { method: 'table', table, key_column: keyColumn, key, number_column: numberColumn, holds, ...(where ? { where } : {}) };
}

const SYSDATA_NUMBERING: SiteConfig['numbering'] = {
  sales_order: tableRule('SYSDATA', 'NUMKEY', 'SONO', 'NEXTNO', 'next', { COMPID: COMPANY }),
  ar_session: tableRule('SYSDATA', 'NUMKEY', 'ARSESS', 'NEXTNO', 'next', { COMPID: COMPANY }),
};
const SYSDATA_ROWS = [{ COMPID: COMPANY, NUMKEY: 'SONO', NEXTNO: 1001 }, { COMPID: COMPANY, NUMKEY: 'ARSESS', NEXTNO: 1001 }];

const standard: SandboxProfile = {
  name: 'standard',
  codePage: 'windows-1252',
  tables: SANDBOX_TABLES,
  modules: {},
  locations: { web: 'MAIN', other: 'EAST' },
  numberingRows: SYSDATA_ROWS,
  physical: (t, engine) => t.toLowerCase() + (engine === 'vfp' ? COMPANY : ''),
  siteConfig: () => ({ numbering: SYSDATA_NUMBERING }),
};

/** Columns of the standard tables that no public source shows for their table (reference 0b). */
const UNCONFIRMED: Record<string, string[]> = {
  ARDIST: ['CUSTNO', 'DESCRIP', 'ADDUSER', 'ADDDATE', 'ADDTIME'],
  ARTRAN: ['LINENO', 'ADDTIME'],
  ARMAST: ['DTEPAID'],
  // SOYTRN, the history table, keeps LINENO and SHIPDATE (SHIPDATE is seen there).
  SOTRAN: ['LINENO', 'SHIPDATE'],
};

const minimal: SandboxProfile = {
  name: 'minimal',
  codePage: 'windows-1252',
  tables: [
    ...SANDBOX_TABLES.filter((t) => t.name !== 'SYSDATA' && t.name !== 'ARCASH').map((t) => withColumns(t, (cols) => cols
      .filter(([c]) => !(UNCONFIRMED[t.name] ?? []).includes(c))
      .map(([c, ty]) => [c, c === 'LOCTID' ? 'C(3)' : ty]))),
    { name: 'NEXTNUM', columns: [['KEYNAME', 'C(8)'], ['LASTUSED', 'N(10,0)']], unique: [['KEYNAME']] },
  ],
  modules: {},
  locations: { web: 'WH1', other: 'WH2' },
  numberingRows: [{ KEYNAME: 'SONO', LASTUSED: 5000 }, { KEYNAME: 'ARSESS', LASTUSED: 700 }],
  physical: (t, engine) => t.toLowerCase() + (engine === 'vfp' ? COMPANY : ''),
  siteConfig: () => ({
    numbering: {
      sales_order: tableRule('NEXTNUM', 'KEYNAME', 'SONO', 'LASTUSED', 'last'),
      ar_session: tableRule('NEXTNUM', 'KEYNAME', 'ARSESS', 'LASTUSED', 'last'),
    },
    default_location: 'WH1',
  }),
};

const MODULES: Record<string, string[]> = {
  ardata: ['ARCUST', 'ARMAST', 'ARTRAN', 'ARDIST', 'ARCASH', 'GLACNT'],
  sodata: ['SOMAST', 'SOTRAN', 'SOADDR', 'SOYMST', 'SOYTRN', 'SOYADR'],
  icdata: ['ICITEM', 'ICILOC'],
};
const moduleOf = (t: string) => Object.entries(MODULES).find(([, ts]) => ts.includes(t.toUpperCase()))?.[0];

const vfpModules: SandboxProfile = {
  name: 'vfp-modules',
  codePage: 'windows-1252',
  tables: SANDBOX_TABLES,
  modules: MODULES,
  locations: standard.locations,
  numberingRows: SYSDATA_ROWS,
  physical: (t, engine) => {
    const m = moduleOf(t);
    // The system table stays in the program root (the main file), without company suffix.
    if (!m) return t.toLowerCase();
    return engine === 'vfp' ? `${t.toLowerCase()}${COMPANY}` : `${m}.${t.toLowerCase()}${COMPANY}`;
  },
  siteConfig: (files) => ({
    company: COMPANY,
    modules: { AR: 'ardata.{table}{company}', GL: 'ardata.{table}{company}', SO: 'sodata.{table}{company}', IC: 'icdata.{table}{company}' },
    ...(files?.attach && Object.keys(files.attach).length ? { attach: { ...files.attach } } : {}),
    numbering: SYSDATA_NUMBERING,
  }),
};

export const SAGEPRO_PROFILES: Readonly<Record<ProfileName, SandboxProfile>> = { standard, minimal, 'vfp-modules': vfpModules };

/** The profile of that name, or an error naming the ones there are. */
export function sandboxProfile(name: string | undefined): SandboxProfile {
  const n = name ?? DEFAULT_PROFILE;
  if (!(PROFILE_NAMES as readonly string[]).includes(n)) throw new Error(`unknown Sage Pro sandbox profile '${n}' (profiles: ${PROFILE_NAMES.join(', ')})`);
  return SAGEPRO_PROFILES[n as ProfileName];
}

/** The table layout of a profile on an engine (for ddl.ts and the seed). */
export function profileLayout(profile: SandboxProfile, engine: Engine): TableLayout {
  return { engine, tables: profile.tables, physical: (t) => profile.physical(t, engine) };
}

/** The module database files of a SQLite sandbox whose main file is `mainFile`: siblings named `<module>.db`. */
export function moduleFiles(profile: SandboxProfile, mainFile: string): Record<string, string> {
  const dir = path.dirname(path.resolve(mainFile));
  return Object.fromEntries(Object.keys(profile.modules).map((m) => [m, path.join(dir, `${m}.db`)]));
}

/**
 * The connect.yaml lines of `connections.sagepro` for a sandbox: `base` (e.g. `dsn: { file: sagepro_dsn }`,
 * `concurrency: 2`) plus the profile's site keys, each as a JSON value (JSON is YAML). Every profile
 * writes its keys, the standard one too: the connector invents no numbering layout, so even the
 * standard install's SYSDATA rule must be stated.
 */
export function sageproYaml(profile: ProfileName, siteConfig: SiteConfig, base: readonly string[], indent = '  '): string[] {
  return [`${indent}sagepro:`, ...base.map((b) => `${indent}  ${b}`),
    ...Object.entries(siteConfig).map(([k, v]) => `${indent}  ${k}: ${JSON.stringify(v)}`)];
}
