/**
 * flowc's on-disk cache folder (the parser's lookahead tables, grammar/lookahead-cache.ts; the loaded
 * schemas, compiler/schema/schema-cache.ts). Every entry is keyed by a hash of everything it is made
 * from, so an entry is either exactly right or not found; deleting the folder is always safe.
 *
 * `$CONNECT_CACHE_DIR`, else `<os tmpdir>/connect-cache-<uid>`, made with mode 0700; in the shared temp
 * folder a folder that is not the user's own, or that others may write, is not used. `CONNECT_CACHE=0`
 * turns every cache off. A cache that cannot be read or written only makes a run slower.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The cache folder, or undefined when caching is off or the folder is unusable. */
export function cacheDir(): string | undefined {
  if (process.env.CONNECT_CACHE === '0') return undefined;
  const explicit = process.env.CONNECT_CACHE_DIR;
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const dir = explicit ? path.resolve(explicit) : path.join(os.tmpdir(), `connect-cache-${uid ?? os.userInfo().username}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    if (!st.isDirectory()) return undefined;
    if (!explicit && uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch { return undefined; }
}

/** The text of cache entry `name`, or undefined. */
export function readCacheEntry(name: string): string | undefined {
  const dir = cacheDir();
  if (!dir) return undefined;
  try { return fs.readFileSync(path.join(dir, name), 'utf8'); } catch { return undefined; }
}

/** Writes cache entry `name` (temporary file, then rename: a reader never sees half an entry); true when written. */
export function writeCacheEntry(name: string, text: string): boolean {
  const dir = cacheDir();
  if (!dir) return false;
  const file = path.join(dir, name);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean */ }
    return false;
  }
}
