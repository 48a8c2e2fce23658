// Compiles grammar/, compiler/, runtime/ and examples/ with tsc (tsconfig.build.json) into dist/, which bin/
// runs. Does nothing when dist/.source-hash already equals the hash of the sources. Run by
// scripts/setup.sh (make demo, make test); `node scripts/build-dist.mjs --force` rebuilds anyway.
//
// After tsc: the .json assets read at run time are copied beside their modules, and the compiled
// grammar imports chevrotain's own single-file ESM bundle (node_modules/chevrotain/lib/chevrotain.mjs,
// shipped in the package) instead of its ~400-module lodash-es build, which costs ~0.5 s per start.
//
// First the operations console (console/ → dist/console/, scripts/build-console.mjs), only when its
// sources changed (dist/.console-hash); a failed console build fails the set-up after tsc has run.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ROOT, DIST, STAMP, sourceFiles, sourceHash, SOURCE_DIRS } from './source-hash.mjs';
import { buildConsole } from './build-console.mjs';

const force = process.argv.includes('--force');
if (!buildConsole({ force })) process.exitCode = 1;
const hash = sourceHash();
let old = '';
try { old = fs.readFileSync(STAMP, 'utf8').trim(); } catch { /* no build yet */ }
if (!force && old === hash) { console.log('setup: dist/ is up to date'); process.exit(0); }

console.log('setup: compiling the sources into dist/ (tsc -p tsconfig.build.json)');
fs.rmSync(STAMP, { force: true }); // a build that fails half-way must not look current
for (const d of SOURCE_DIRS) fs.rmSync(path.join(DIST, d), { recursive: true, force: true });
const require = createRequire(path.join(ROOT, 'package.json'));
const tsc = require.resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit', cwd: ROOT });
if (r.status !== 0) { console.error(`setup: tsc failed (exit ${r.status}); bin/ keeps running the sources through tsx`); process.exit(1); }

for (const rel of sourceFiles().filter((f) => f.endsWith('.json'))) {
  fs.mkdirSync(path.dirname(path.join(DIST, rel)), { recursive: true });
  fs.copyFileSync(path.join(ROOT, rel), path.join(DIST, rel));
}

// Through ROOT/node_modules when chevrotain is installed there (that path may be a symlink, and the
// import must not depend on where it points), else where Node resolves the package.
const hoisted = path.join(ROOT, 'node_modules', 'chevrotain', 'lib', 'chevrotain.mjs');
const bundle = fs.existsSync(hoisted) ? hoisted : path.join(path.dirname(require.resolve('chevrotain')), '..', 'chevrotain.mjs');
if (fs.existsSync(bundle)) {
  for (const rel of sourceFiles().filter((f) => f.endsWith('.ts'))) {
    const js = path.join(DIST, rel.replace(/\.ts$/, '.js'));
    if (!fs.existsSync(js)) continue;
    const text = fs.readFileSync(js, 'utf8');
    if (!/from ['"]chevrotain['"]/.test(text)) continue;
    let spec = path.relative(path.dirname(js), bundle).split(path.sep).join('/');
    if (!spec.startsWith('.')) spec = './' + spec;
    fs.writeFileSync(js, text.replace(/from (['"])chevrotain\1/g, `from '${spec}'`));
  }
}

fs.writeFileSync(STAMP, hash + '\n');
console.log('setup: dist/ built');
