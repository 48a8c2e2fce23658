// The hash of everything the compiled package in dist/ is made from, and whether dist/ is current.
// Shared by scripts/build-dist.mjs (writes dist/.source-hash after a successful tsc) and bin/*.js
// (run dist/ only when its stamp equals the hash of the sources now; otherwise fall back to tsx),
// so a dist/ left over from other sources is never run. Plain JavaScript: it runs before any build.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
export const STAMP = path.join(DIST, '.source-hash');
/** Folders compiled into dist/ (tsconfig.build.json "include"). */
export const SOURCE_DIRS = ['grammar', 'compiler', 'runtime', 'examples'];
/** Files outside them that change what dist/ holds. */
const EXTRA = ['tsconfig.json', 'tsconfig.build.json', 'scripts/build-dist.mjs', 'scripts/source-hash.mjs'];

/** Whether a file under SOURCE_DIRS goes into dist/ (compiled .ts, or a .json asset read at run time). */
export function isSource(rel) {
  if (/(^|\/)(fixtures|test-support)\//.test(rel)) return false;
  if (rel.endsWith('.test.ts')) return false;
  return rel.endsWith('.ts') || rel.endsWith('.json');
}

function walk(dir, rel, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(path.join(dir, e.name), r, out);
    else if (e.isFile() && isSource(r)) out.push(r);
  }
}

/** Relative paths (with /) of every source file, sorted. */
export function sourceFiles(root = ROOT) {
  const out = [];
  for (const d of SOURCE_DIRS) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d), d, out);
  return out.sort();
}

export function sourceHash(root = ROOT) {
  const h = createHash('sha256');
  for (const rel of [...sourceFiles(root), ...EXTRA]) {
    h.update(rel).update('\0');
    try { h.update(fs.readFileSync(path.join(root, rel))); } catch { h.update('(missing)'); }
    h.update('\0');
  }
  return h.digest('hex');
}

/** True when dist/ was built from exactly the sources there are now. */
export function distIsCurrent(root = ROOT) {
  let stamp;
  try { stamp = fs.readFileSync(path.join(root, 'dist', '.source-hash'), 'utf8').trim(); } catch { return false; }
  return stamp === sourceHash(root);
}
