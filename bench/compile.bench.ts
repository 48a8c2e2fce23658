/**
 * Compile benchmark on 500 in-memory variants of the shipped flows (bench/gen-flows.ts), all
 * checking clean (asserted: zero errors):
 *   (a) check: parse + check of all 500 with the schemas loaded once (as one `flowc check` run)
 *       -> flows/s, target >= 1,000 (median of rounds);
 *   (b) build: buildProgram with the TypeScript type-check of the output (as `flowc build`, JS
 *       emitted in memory, nothing written) -> flows/s, target >= 100;
 *   (c) re-check of one flow after a one-line edit (re-parse + re-check of that file with the
 *       loaded schemas, as an editor / watch mode) -> ms, median of 20 edits, target <= 50.
 * Prints only; asserts no timing.
 *
 *   npm run bench:compile              (env: FLOWS=500 CHECK_ROUNDS=5 BUILD_ROUNDS=1 EDITS=20;
 *                                       ONLY=check|build|edit runs one part, e.g. under node --cpu-prof)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSource, type Program, type SourceUnit } from '../compiler/program.js';
import { loadSchemas, type SchemaSet } from '../compiler/schema/load-schemas.js';
import { buildProgram } from '../compiler/emitter/build.js';
import { DiagnosticBag, type Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import { generateFlowVariants, type FlowVariant } from './gen-flows.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mappings = path.join(root, 'mappings');
const schemasDir = path.join(mappings, 'schemas');
const lookupsDir = path.join(mappings, 'lookups');
const FLOWS = Number(process.env.FLOWS ?? 500);
const CHECK_ROUNDS = Number(process.env.CHECK_ROUNDS ?? 5);
const BUILD_ROUNDS = Number(process.env.BUILD_ROUNDS ?? 1);
const EDITS = Number(process.env.EDITS ?? 20);
const ONLY = process.env.ONLY ?? '';
const runs = (part: 'check' | 'build' | 'edit') => ONLY === '' || ONLY === part;

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

/** The lookup files read once per program, as createProgram does for one `flowc check` (or a watch process keeps them). */
type LookupCache = NonNullable<Parameters<typeof compileSource>[7]>;
function checkOne(v: FlowVariant, schemas: SchemaSet, lookups: LookupCache = new Map()): { unit: SourceUnit; diags: Diagnostic[] } {
  const bag = new DiagnosticBag(); // one per file, so the 100-diagnostic cap never hides an error
  const unit = compileSource(v.text, path.relative(root, v.file), v.file, schemas, lookupsDir, root, bag, lookups);
  return { unit, diags: bag.sorted() };
}

function checkAll(variants: readonly FlowVariant[], schemas: SchemaSet): SourceUnit[] {
  const lookups: LookupCache = new Map(); // one program: each lookup file read once
  return variants.map((v) => checkOne(v, schemas, lookups).unit);
}

async function main(): Promise<void> {
  console.log(`compile bench: ${FLOWS} flow variants; node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
  const variants = generateFlowVariants(mappings, FLOWS);

  // Schemas: loaded once per run, as flowc does.
  const ts0 = now();
  const schemas = loadSchemas(schemasDir, root);
  const schemaMs = now() - ts0;
  if (schemas.diagnostics.some((d) => d.category === 'error')) throw new Error('the schemas do not load clean');

  // Correctness first: every variant checks with zero errors, and the names are unique.
  let warnings = 0;
  const units: SourceUnit[] = [];
  for (const v of variants) {
    const { unit, diags } = checkOne(v, schemas);
    const errors = diags.filter((d) => d.category === 'error');
    if (errors.length || unit.models.length !== 1) {
      console.error(`  variant ${v.file} does not check clean:\n${errors.map((d) => `    ${d.span?.file}:${d.span?.line}:${d.span?.column} FLOW${d.code} ${d.message}`).join('\n')}\n----\n${v.text}`);
      process.exit(1);
    }
    warnings += diags.length;
    units.push(unit);
  }
  const names = new Set(units.map((u) => u.models[0]!.flow.name.text));
  if (names.size !== units.length) { console.error('  flow names are not unique'); process.exit(1); }
  console.log(`  ${FLOWS} variants check clean: 0 errors, ${warnings} warnings/messages; ${names.size} unique flow names; schemas loaded once in ${fmt(schemaMs, 1)} ms`);

  const lines: string[] = [];
  // (a) check: parse + check of all, schemas already loaded.
  if (runs('check')) {
    checkAll(variants, schemas); // warm-up
    const checkMs: number[] = [];
    for (let r = 0; r < CHECK_ROUNDS; r++) { const t = now(); checkAll(variants, schemas); checkMs.push(now() - t); }
    const checkRate = FLOWS / (median(checkMs) / 1000);
    const checkRateWithSchemas = FLOWS / ((median(checkMs) + schemaMs) / 1000);
    lines.push(`  (a) check  ${FLOWS} flows: ${fmt(checkRate)} flows/s  (median ${fmt(median(checkMs), 1)} ms of ${CHECK_ROUNDS} rounds: ${checkMs.map((m) => fmt(m)).join(' ')} ms; ` +
      `best round ${fmt(FLOWS / (Math.min(...checkMs) / 1000))} flows/s; with the one schema load: ${fmt(checkRateWithSchemas)} flows/s)  target >= 1,000  ${verdict(checkRate >= 1000)}`);
  }

  // (b) build with type-check (JS emitted in memory, as flowc build does before writing).
  if (runs('build')) {
    const program: Program = {
      units, schemas, schemasDir, lookupsDir, diagnostics: [], hasErrors: false, source: (f) => units.find((u) => u.file === f)?.text,
    };
    const buildMs: number[] = [];
    const buildCpuMs: number[] = [];
    let typeErrors: readonly string[] = [];
    let moduleCount = 0;
    for (let r = 0; r < BUILD_ROUNDS; r++) {
      const t = now();
      const cpu = process.cpuUsage();
      // Cold: every module type-checked (no remembered clean checks), as a first build.
      const out = buildProgram(program, { typeCheck: true, emitJs: true, typeCheckCache: false });
      buildMs.push(now() - t);
      const c = process.cpuUsage(cpu);
      buildCpuMs.push((c.user + c.system) / 1000);
      typeErrors = out.typeErrors;
      moduleCount = out.flows.length;
    }
    if (typeErrors.length) { console.error(`  the build has ${typeErrors.length} type errors, e.g. ${typeErrors[0]}`); process.exit(1); }
    if (moduleCount !== FLOWS) { console.error(`  the build has ${moduleCount} flows, expected ${FLOWS}`); process.exit(1); }
    const buildRate = FLOWS / (median(buildMs) / 1000);
    // Where the build time goes: the same build single-threaded with the type-check but no JS, and with neither.
    const t1 = now(); buildProgram(program, { typeCheck: true, emitJs: false, typeCheckCache: false }); const checkOnlyMs = now() - t1;
    const t2 = now(); buildProgram(program, { typeCheck: false, emitJs: false }); const emitOnlyMs = now() - t2;
    // Rebuild after editing one flow, with the clean checks of the previous build remembered (what
    // `flowc build` does the second time): one build to remember them, then one flow changed.
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'connect-bench-cache-'));
    const savedCacheDir = process.env.CONNECT_CACHE_DIR;
    process.env.CONNECT_CACHE_DIR = cacheDir;
    let rebuildMs = 0;
    try {
      buildProgram(program, { typeCheck: true, emitJs: true });
      const edited = units.map((u, i) => (i === 0 ? compileSource(u.text.replace(/truncate\(item\.name, \d+\)/, 'truncate(item.name, 17)'), u.file, path.join(root, u.file), schemas, lookupsDir, root, new DiagnosticBag()) : u));
      const t3 = now();
      const re = buildProgram({ ...program, units: edited }, { typeCheck: true, emitJs: true });
      rebuildMs = now() - t3;
      if (re.typeErrors.length) { console.error(`  the rebuild has type errors, e.g. ${re.typeErrors[0]}`); process.exit(1); }
    } finally {
      if (savedCacheDir === undefined) delete process.env.CONNECT_CACHE_DIR; else process.env.CONNECT_CACHE_DIR = savedCacheDir;
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
    // CPU time of the process during the build (informational: on a loaded machine wall time is mostly waiting).
    const cpuRate = FLOWS / (median(buildCpuMs) / 1000);
    lines.push(`  (b) build  ${FLOWS} flows with type-check: ${fmt(buildRate, 1)} flows/s  (${buildMs.map((m) => fmt(m)).join(' ')} ms; ` +
      `type-check without JS emit ${fmt(checkOnlyMs)} ms, generate .ts only ${fmt(emitOnlyMs)} ms)  target >= 100  ${verdict(buildRate >= 100)}`);
    lines.push(`      by CPU time: ${fmt(cpuRate, 1)} flows/s (${buildCpuMs.map((m) => fmt(m)).join(' ')} ms CPU; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
    lines.push(`  (b') rebuild of the ${FLOWS} flows after a one-line edit of one, clean checks remembered: ${fmt(rebuildMs)} ms, ${fmt(FLOWS / (rebuildMs / 1000), 1)} flows/s  (no target)`);
  }

  // (c) one-line edit of one flow, re-parse + re-check of that file only.
  if (runs('edit')) {
    const target = variants[0]!;
    const line = /truncate\(item\.name, \d+\)/;
    if (!line.test(target.text)) throw new Error('edit target not found');
    const edit = (k: number): FlowVariant => ({ ...target, text: target.text.replace(line, `truncate(item.name, ${20 + (k % 30)})`) });
    for (let k = 0; k < 3; k++) checkOne(edit(k), schemas); // warm (a watch process has done this before)
    const editMs: number[] = [];
    for (let k = 0; k < EDITS; k++) {
      const v = edit(k + 3);
      const t = now();
      const { diags, unit } = checkOne(v, schemas);
      editMs.push(now() - t);
      if (diags.some((d) => d.category === 'error') || unit.models.length !== 1) throw new Error('edited flow does not check clean');
    }
    const editMedian = median(editMs);
    lines.push(`  (c) re-check after a one-line edit: ${fmt(editMedian, 1)} ms  (median of ${EDITS} edits; min ${fmt(Math.min(...editMs), 1)}, max ${fmt(Math.max(...editMs), 1)} ms)  target <= 50  ${verdict(editMedian <= 50)}`);
  }
  console.log('');
  for (const l of lines) console.log(l);
}

await main();
