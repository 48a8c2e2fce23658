/**
 * `npm run bench:suggest`: the mapping assistant (compiler/suggest/) against the truth set
 * bench/suggest/truth.yaml. For each pair, suggestMappings runs as `flowc suggest --from --to` does
 * (a generated flow, every suggestion type-checked), with the shipped flows the pair's entries come
 * from left out of the "other flows' mappings" signal (leave-one-out). Prints, for the tune half and the
 * test half, precision, recall and F1 of the top suggestion per target field and the share whose right
 * answer is in the top 3, each against its target with PASS or MISS ("right": bench/README.md).
 * `--details` lists the tune half's misses (never the test half's: the tuning must not see it).
 * Exits 1 only when the truth file is inconsistent.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadSchemas } from '../compiler/schema/load-schemas.js';
import { suggestMappings } from '../compiler/suggest/index.js';
import { isRight } from './suggest/right.js';

interface Entry { expected: string[] | null; source?: string; set: 'tune' | 'test'; why?: string }
interface Pair { from: string; to: string; targets: Record<string, Entry> }

const TARGET = { precision: 0.75, recall: 0.6, f1: 0.65, top3: 0.7 };
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const details = process.argv.includes('--details');

const root = path.resolve(import.meta.dirname, '..');
const truthFile = path.join(root, 'bench/suggest/truth.yaml');
const truth = YAML.parse(fs.readFileSync(truthFile, 'utf8')) as { pairs: Pair[] };
const schemasDir = path.join(root, 'mappings/schemas');
const schemas = loadSchemas(schemasDir);

// The split is recorded in the file; it must be the hash's.
const bad: string[] = [];
for (const p of truth.pairs) for (const [t, e] of Object.entries(p.targets)) {
  const want = crypto.createHash('sha256').update(`${p.from} ${p.to} ${t}`).digest()[0]! % 2 === 0 ? 'tune' : 'test';
  if (e.set !== want) bad.push(`${p.from} ${p.to} ${t}: set ${e.set}, the hash says ${want}`);
}
if (bad.length) { console.error(`bench/suggest/truth.yaml: the recorded split disagrees with the hash:\n  ${bad.join('\n  ')}`); process.exit(1); }

interface Tally { targets: number; answerable: number; suggested: number; right: number; top3: number }
const tally = { tune: { targets: 0, answerable: 0, suggested: 0, right: 0, top3: 0 } as Tally, test: { targets: 0, answerable: 0, suggested: 0, right: 0, top3: 0 } as Tally };
const misses: string[] = [];
const t0 = performance.now();
for (const p of truth.pairs) {
  const exclude = [...new Set(Object.values(p.targets).flatMap((e) => (e.source ?? '').match(/[\w-]+\.flow/g) ?? []))];
  const r = suggestMappings({ from: p.from, to: p.to, schemas, schemasDir, lookupsDir: path.join(root, 'mappings/lookups'), flowsDir: path.join(root, 'mappings'), corpusExclude: exclude });
  const byPath = new Map(r.targets.map((t) => [t.target, t]));
  for (const [target, e] of Object.entries(p.targets)) {
    const ok = (byPath.get(target)?.suggestions ?? []).filter((s) => s.check === 'ok');
    const k = tally[e.set];
    k.targets++;
    if (e.expected) k.answerable++;
    const top = ok[0];
    if (top) k.suggested++;
    const right = !!(top && e.expected && isRight(top.expression, e.expected));
    if (right) k.right++;
    if (e.expected && ok.slice(0, 3).some((s) => isRight(s.expression, e.expected!))) k.top3++;
    if (details && e.set === 'tune' && right) misses.push(`  right ${p.to} ${target}: ${top!.expression} (${top!.confidence})`);
    if (details && e.set === 'tune' && !right && (top || e.expected)) {
      misses.push(`  ${p.to} ${target}: ${top ? `${top.expression} (${top.confidence})` : 'no suggestion'}; right: ${e.expected ? e.expected.join(' | ') : 'none'}${ok.length > 1 ? `\n      then ${ok.slice(1, 3).map((s) => `${s.expression} (${s.confidence})`).join('; ')}` : ''}`);
    }
  }
}
const ms = performance.now() - t0;

console.log(`bench:suggest: ${truth.pairs.length} pairs, ${tally.tune.targets + tally.test.targets} target fields (${tally.tune.targets} tune, ${tally.test.targets} test), ${ms.toFixed(0)} ms`);
for (const set of ['tune', 'test'] as const) {
  const k = tally[set];
  const precision = k.suggested ? k.right / k.suggested : 0;
  const recall = k.answerable ? k.right / k.answerable : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  const top3 = k.answerable ? k.top3 / k.answerable : 0;
  console.log(`${set} half: ${k.targets} target fields, ${k.answerable} with a right source expression, ${k.suggested} with a top suggestion, ${k.right} right`);
  console.log(`  precision  ${precision.toFixed(2)} (${k.right}/${k.suggested})   (target >= ${TARGET.precision})  ${verdict(precision >= TARGET.precision)}`);
  console.log(`  recall     ${recall.toFixed(2)} (${k.right}/${k.answerable})   (target >= ${TARGET.recall})  ${verdict(recall >= TARGET.recall)}`);
  console.log(`  F1         ${f1.toFixed(2)}   (target >= ${TARGET.f1})  ${verdict(f1 >= TARGET.f1)}`);
  console.log(`  top 3      ${top3.toFixed(2)} (${k.top3}/${k.answerable})   (target >= ${TARGET.top3})  ${verdict(top3 >= TARGET.top3)}`);
}
if (details) console.log(`tune half, not right (${misses.length}):\n${misses.join('\n')}`);
