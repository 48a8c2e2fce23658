// CLI start-up benchmark: process wall time of `flowc check mappings` and `flowd --help`, each run as
// a fresh `node bin/...` child (what a user or CI waits for), median of RUNS (default 7) after one
// warm-up run. Prints each figure against its target with PASS or MISS; only prints (exit 1 only
// when a command fails). Plain JavaScript, so that the bench itself loads no TypeScript tooling.
// Also times the same commands from the TypeScript sources through tsx (CONNECT_FROM_SOURCES=1), as
// bin/ ran them before dist/, for comparison (SOURCES=0 skips that).
// Env: RUNS, SOURCES.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { distIsCurrent } from '../scripts/source-hash.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.RUNS ?? 7);
const cases = [
  { name: 'flowc check mappings', args: ['bin/flowc.js', 'check', 'mappings'], target: 0.4 },
  { name: 'flowd --help', args: ['bin/flowd.js', '--help'], target: 0.3 },
];

const mode = distIsCurrent() ? 'compiled JavaScript in dist/' : 'TypeScript through tsx (dist/ missing or stale: run npm run build)';
console.log(`cli bench: node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`  bin/ runs the ${mode}; ${RUNS} runs each after one warm-up, process wall time`);
// CPU time of each child (user + system) through GNU time when the machine has it: less dependent on
// the machine's load than wall time; informational.
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
// What any Node process costs to start and exit here, for scale (no target).
cases.unshift({ name: 'node -e "" (baseline)', args: ['-e', ''], target: undefined, baseline: true });
if (process.env.SOURCES !== '0') {
  for (const c of cases.filter((x) => !x.baseline)) cases.push({ ...c, name: `${c.name} (tsx)`, sources: true, target: undefined });
}
let failed = false;
for (const c of cases) {
  const times = [];
  const cpus = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const [cmd, args] = GNU_TIME ? [GNU_TIME, ['-f', 'cpu %U %S', process.execPath, ...c.args]] : [process.execPath, c.args];
    const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CONNECT_FROM_SOURCES: c.sources ? '1' : '0' } });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) { console.log(`  ${c.name}: exit ${r.status}\n${r.stderr}`); failed = true; break; }
    const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
    if (i > 0) { times.push(s); if (m) cpus.push(Number(m[1]) + Number(m[2])); }
  }
  if (times.length < RUNS) continue;
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const cpu = cpus.length ? `, cpu ${[...cpus].sort((a, b) => a - b)[Math.floor(cpus.length / 2)].toFixed(2)} s` : '';
  const verdict = c.baseline ? '(no target)' : c.target === undefined ? '(from the sources, as before dist/: no target)' : `target <= ${c.target} s  ${median <= c.target ? 'PASS' : 'MISS'}`;
  console.log(`  ${c.name.padEnd(28)} ${median.toFixed(3)} s  (median${cpu}; runs ${times.map((t) => t.toFixed(2)).join(' ')})  ${verdict}`);
}
process.exitCode = failed ? 1 : 0;
