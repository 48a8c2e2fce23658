/**
 * The sidecar layout `<file>.layout.json` beside a flow: `{ "version": 1, "positions": { "<step
 * key>": { "x": n, "y": n } } }`. Node positions live only here, so moving a node changes no byte
 * of the .flow. Written with a temporary file and a rename (never half-written); positions of keys
 * that are no longer steps are dropped when the current keys are given.
 */
import fs from 'node:fs';
import type { Layout } from './api.js';

export const layoutPathOf = (flowFile: string): string => `${flowFile}.layout.json`;

export function readLayoutImpl(flowFile: string): Layout {
  let raw: unknown;
  try { raw = JSON.parse(fs.readFileSync(layoutPathOf(flowFile), 'utf8')); } catch { return { version: 1, positions: {} }; }
  const positions: Record<string, { x: number; y: number }> = {};
  const p = raw && typeof raw === 'object' ? (raw as { positions?: unknown }).positions : undefined;
  if (p && typeof p === 'object') {
    for (const [k, v] of Object.entries(p as Record<string, unknown>)) {
      const x = (v as { x?: unknown })?.x, y = (v as { y?: unknown })?.y;
      if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y)) positions[k] = { x, y };
    }
  }
  return { version: 1, positions };
}

export function writeLayoutImpl(flowFile: string, layout: Layout, stepKeys?: readonly string[]): void {
  const keep = stepKeys ? new Set(stepKeys) : undefined;
  const positions: Record<string, { x: number; y: number }> = {};
  for (const k of Object.keys(layout.positions ?? {}).sort()) {
    const v = layout.positions[k]!;
    if (keep && !keep.has(k)) continue;
    if (typeof v?.x !== 'number' || typeof v?.y !== 'number' || !Number.isFinite(v.x) || !Number.isFinite(v.y)) throw new Error(`${layoutPathOf(flowFile)}: position of '${k}' must be { x: number, y: number }`);
    positions[k] = { x: v.x, y: v.y };
  }
  const target = layoutPathOf(flowFile);
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ version: 1, positions }, null, 2) + '\n');
  fs.renameSync(tmp, target);
}
