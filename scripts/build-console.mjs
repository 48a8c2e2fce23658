// Builds the operations console (console/, Vite + React) into dist/console/, which flowd serves at
// /console. Does nothing when dist/.console-hash equals the hash of the console's sources (console/
// without its own build output, plus the versions of the packages it is built with), as
// scripts/build-dist.mjs does for tsc. `node scripts/build-console.mjs --force` rebuilds anyway.
// Run by scripts/build-dist.mjs (make demo, make test) and by test/browser/ when the build is stale.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CONSOLE = path.join(ROOT, 'console');
export const CONSOLE_OUT = path.join(ROOT, 'dist', 'console');
const STAMP = path.join(ROOT, 'dist', '.console-hash');
const PACKAGES = ['vite', '@vitejs/plugin-react', 'react', 'react-dom', '@xyflow/react', 'elkjs'];

function files(dir, rel, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) files(path.join(dir, e.name), r, out);
    else if (e.isFile() && !e.name.endsWith('.md')) out.push(r);
  }
  return out;
}

export function consoleHash() {
  const h = createHash('sha256');
  for (const rel of files(CONSOLE, '', [])) h.update(rel).update('\0').update(fs.readFileSync(path.join(CONSOLE, rel))).update('\0');
  for (const p of PACKAGES) {
    let v = '(missing)';
    try { v = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', p, 'package.json'), 'utf8')).version; } catch { /* not installed */ }
    h.update(`${p}@${v}\0`);
  }
  h.update(fs.readFileSync(fileURLToPath(import.meta.url)));
  return h.digest('hex');
}

/** True when dist/console/ was built from the console sources there are now. */
export function consoleIsCurrent() {
  try { return fs.readFileSync(STAMP, 'utf8').trim() === consoleHash() && fs.existsSync(path.join(CONSOLE_OUT, 'index.html')); } catch { return false; }
}

/** Builds when stale (or `force`); returns true when dist/console/ is current afterwards. */
export function buildConsole({ force = false, quiet = false } = {}) {
  if (!fs.existsSync(path.join(CONSOLE, 'index.html'))) return true; // a tree without the console
  if (!force && consoleIsCurrent()) { if (!quiet) console.log('setup: dist/console/ is up to date'); return true; }
  console.log('setup: building the console into dist/console/ (vite build --config console/vite.config.ts)');
  fs.rmSync(STAMP, { force: true });
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', path.join(CONSOLE, 'vite.config.ts'), '--logLevel', 'warn'], { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0) { console.error(`setup: the console's build failed (exit ${r.status}); /console stays unavailable`); return false; }
  fs.writeFileSync(STAMP, consoleHash() + '\n');
  console.log('setup: dist/console/ built');
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exit(buildConsole({ force: process.argv.includes('--force') }) ? 0 : 1);
}
