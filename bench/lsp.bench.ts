/**
 * Language server benchmark (`npm run bench:lsp`): `flowc lsp` (compiler/lsp/server.ts) driven by a
 * real JSON-RPC client over in-memory streams (compiler/lsp/test-client.ts), on a workspace of 500
 * flows (bench/gen-flows.ts: variants of the shipped flows, opened as documents under mappings/):
 *   - open all 500 (didOpen, each until its diagnostics arrive), then the server's RSS and heap
 *     (client and server share this process; the client's share is small);
 *   - diagnostics after a one-line edit (an incremental didChange of one line, until
 *     publishDiagnostics for that version), p95 of EDITS edits, target <= 50 ms;
 *   - completion after `order.` and hover on a field, p95 of EDITS requests each, target <= 50 ms.
 * Prints each figure against its target with PASS or MISS; asserts no timing.
 *
 *   npm run bench:lsp            (env: FLOWS=500 EDITS=100)
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFlowVariants } from './gen-flows.js';
import { startTestClient } from '../compiler/lsp/test-client.js';
import { pathToUri } from '../compiler/lsp/documents/workspace.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FLOWS = Number(process.env.FLOWS ?? 500);
const EDITS = Number(process.env.EDITS ?? 100);
const TARGET_MS = 50;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const p95 = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]!; };
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]!; };
/** CPU time of this process (server and client) in ms: on a loaded machine, what the work itself costs. */
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const line = (name: string, xs: number[], cpus: number[]) => {
  const v = p95(xs);
  console.log(`${name.padEnd(34)} p95 ${v.toFixed(1).padStart(6)} ms (median ${median(xs).toFixed(1)} ms; CPU p95 ${p95(cpus).toFixed(1)} ms, median ${median(cpus).toFixed(1)} ms; ${xs.length} samples)  target <= ${TARGET_MS} ms  ${v <= TARGET_MS ? 'PASS' : 'MISS'}`);
};

async function main(): Promise<void> {
  console.log(`lsp bench: ${FLOWS} flows; node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
  const variants = generateFlowVariants(path.join(root, 'mappings'), FLOWS);
  const c = await startTestClient(root);
  const rss0 = process.memoryUsage().rss;
  const t0 = now();
  const docs: { uri: string; text: string; version: number }[] = [];
  for (const v of variants) {
    const { uri, diagnostics } = await c.open(path.relative(root, v.file), v.text);
    if (diagnostics.some((d) => d.severity === 1)) throw new Error(`${v.file} has errors: ${diagnostics.map((d) => d.message).join('; ')}`);
    docs.push({ uri, text: v.text, version: 1 });
  }
  const openMs = now() - t0;
  global.gc?.();
  const mem = process.memoryUsage();
  console.log(`open ${FLOWS} flows (each until its diagnostics)  ${(openMs / 1000).toFixed(1)} s, ${(openMs / FLOWS).toFixed(1)} ms per flow`);
  console.log(`memory after opening all ${FLOWS}               RSS ${(mem.rss / 2 ** 20).toFixed(0)} MB (${((mem.rss - rss0) / 2 ** 20).toFixed(0)} MB more than before opening), heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MB`);

  // Diagnostics after a one-line edit: change the number on a `round(..., N)` / `truncate(..., N)` line.
  const edits: number[] = [], editCpu: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const d = docs[(i * 7) % docs.length]!;
    const lines = d.text.split('\n');
    const at = lines.findIndex((l) => /(round|truncate|max)\(.*, \d+\)/.test(l));
    if (at < 0) continue;
    const old = lines[at]!;
    const neu = old.replace(/, (\d+)\)/, (_m, n: string) => `, ${Number(n) + (i % 2 ? 1 : -1) + (Number(n) < 3 ? 2 : 0)})`);
    lines[at] = neu;
    d.text = lines.join('\n');
    d.version++;
    const next = c.nextDiagnostics(d.uri);
    const s = now(), sc = cpu();
    await c.rpc.sendNotification('textDocument/didChange', {
      textDocument: { uri: d.uri, version: d.version },
      contentChanges: [{ range: { start: { line: at, character: 0 }, end: { line: at, character: old.length } }, text: neu }],
    });
    await next;
    edits.push(now() - s); editCpu.push(cpu() - sc);
  }

  const position = (text: string, needle: string, delta: number) => {
    const i = text.indexOf(needle) + delta;
    const before = text.slice(0, i).split('\n');
    return { line: before.length - 1, character: before[before.length - 1]!.length };
  };
  const completions: number[] = [], hovers: number[] = [], completionCpu: number[] = [], hoverCpu: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const d = docs[(i * 13) % docs.length]!;
    const needle = d.text.includes('order.email') ? 'order.email' : 'event.data.';
    let s = now(), sc = cpu();
    const items = await c.request<unknown[]>('textDocument/completion', { textDocument: { uri: d.uri }, position: position(d.text, needle, needle.indexOf('.') + 1) });
    completions.push(now() - s); completionCpu.push(cpu() - sc);
    if (!items.length) throw new Error(`no completion in ${d.uri}`);
    s = now(); sc = cpu();
    await c.request('textDocument/hover', { textDocument: { uri: d.uri }, position: position(d.text, needle, needle.indexOf('.') + 2) });
    hovers.push(now() - s); hoverCpu.push(cpu() - sc);
  }
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs (wall times include waiting for a CPU)`);
  line('diagnostics after a one-line edit', edits, editCpu);
  line("completion after 'order.'", completions, completionCpu);
  line('hover on a field', hovers, hoverCpu);
  if (c.logs.length) console.log(`server log:\n${c.logs.join('\n')}`);
  c.close();
  void pathToUri;
}

main().catch((err) => { console.error(err); process.exit(1); });
