/**
 * The project's lookup files (mappings/lookups/*.yaml) as a signal: a file whose first comment line
 * says what it maps, `# X-Cart shipping method name -> Sage Pro ship-via code (SOMAST.SHIPVIA).`, is
 * the way a source value becomes that column's value (a code the other system cannot hold as is). Read
 * are only string -> string files whose header names a Sage Pro column as `TABLE.COLUMN` on the right of
 * `->`; the words on the left say which source field is the key. A value through such a file is
 * `name[key]` (plan.ts throughTables), with the file as its evidence (score.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { textWords } from './tokens.js';

export interface LookupFile {
  /** `carriers.yaml`, relative to the lookups folder. */
  readonly file: string;
  /** The table name a flow would declare: the file's base name as an identifier (`carriers`). */
  readonly name: string;
  /** The header line, without `#`. */
  readonly header: string;
  /** Words of the key's side (`shipping`, `method`, `name`). */
  readonly keyWords: readonly string[];
  /** Sage Pro columns the values are for (`SOMAST.SHIPVIA`). */
  readonly columns: readonly string[];
  /** The longest value (a value that fits its column needs no truncate). */
  readonly maxValueLength: number;
}

const cache = new Map<string, { stamp: string; files: LookupFile[] }>();

function stampOf(dir: string, names: readonly string[]): string {
  return names.map((n) => { try { return `${n}:${fs.statSync(path.join(dir, n)).mtimeMs}`; } catch { return n; } }).join('|');
}

/** The lookup files that say which column they map to (none when the folder is missing). */
export function loadLookupFiles(lookupsDir: string): LookupFile[] {
  let names: string[];
  try { names = fs.readdirSync(lookupsDir).filter((n) => /\.ya?ml$/.test(n)).sort(); } catch { return []; }
  const stamp = stampOf(lookupsDir, names);
  const hit = cache.get(lookupsDir);
  if (hit && hit.stamp === stamp) return hit.files;
  const files: LookupFile[] = [];
  for (const n of names) {
    const f = readOne(lookupsDir, n);
    if (f) files.push(f);
  }
  cache.set(lookupsDir, { stamp, files });
  return files;
}

function readOne(dir: string, file: string): LookupFile | undefined {
  let text: string;
  try { text = fs.readFileSync(path.join(dir, file), 'utf8'); } catch { return undefined; }
  const header = /^#\s*(.*->.*)$/m.exec(text.split(/\r\n|\r|\n/).filter((l) => l.startsWith('#')).slice(0, 1).join('\n'))?.[1];
  if (!header) return undefined;
  const [left, right] = [header.slice(0, header.indexOf('->')), header.slice(header.indexOf('->') + 2)];
  const columns = [...right.matchAll(/\b([A-Z]{2,8})\.([A-Z][A-Z0-9]{1,9})\b/g)].map((m) => `${m[1]}.${m[2]}`);
  if (columns.length === 0) return undefined;
  let doc: unknown;
  try { doc = YAML.parse(text); } catch { return undefined; }
  const entries = doc && typeof doc === 'object' && 'entries' in doc ? (doc as { entries: unknown }).entries : doc;
  if (!entries || typeof entries !== 'object' || Array.isArray(entries)) return undefined;
  const values = Object.values(entries as Record<string, unknown>);
  if (values.length === 0 || !values.every((v) => typeof v === 'string')) return undefined;
  const name = file.replace(/\.ya?ml$/, '').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(\d)/, '_$1');
  return { file, name, header: header.trim(), keyWords: textWords(left), columns, maxValueLength: Math.max(...values.map((v) => (v as string).length)) };
}

/** The lookup files whose values are for this column (`ARMAST.SHIPVIA`): the same column first, then the same column name. */
export function lookupsFor(files: readonly LookupFile[], column: string | undefined): { file: LookupFile; same: boolean }[] {
  if (!column) return [];
  const name = column.split('.')[1];
  return files.flatMap((f): { file: LookupFile; same: boolean }[] => f.columns.includes(column) ? [{ file: f, same: true }] : f.columns.some((c) => c.split('.')[1] === name) ? [{ file: f, same: false }] : []);
}
