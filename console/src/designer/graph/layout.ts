// Lays out the designer's flow graph with elkjs (layered, left to right), then puts every node the
// user placed (the sidecar `<file>.layout.json`) where the user put it. The page and
// `npm run bench:designer` use this same module; it runs in the browser and in Node.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { FlowGraph } from './model';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 64;

export interface Positioned { id: string; x: number; y: number; placed: boolean }

let elk: InstanceType<typeof ELK> | undefined;

const OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.layered.spacing.nodeNodeBetweenLayers': '60',
  'elk.spacing.nodeNode': '24',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
  'elk.edgeRouting': 'POLYLINE',
};

/**
 * Positions for every node of `graph`: elk's, except those in `placed` (step key -> position the
 * user chose), which stay where they are.
 */
export async function layoutGraph(graph: FlowGraph, placed: Readonly<Record<string, { x: number; y: number }>> = {}): Promise<Map<string, Positioned>> {
  elk ??= new ELK();
  const ids = new Set(graph.nodes.map((n) => n.id));
  const res = await elk.layout({
    id: 'flow',
    layoutOptions: OPTIONS,
    children: graph.nodes.map((n) => ({ id: n.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges: graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const out = new Map<string, Positioned>();
  for (const c of res.children ?? []) {
    const p = placed[c.id];
    out.set(c.id, p ? { id: c.id, x: p.x, y: p.y, placed: true } : { id: c.id, x: c.x ?? 0, y: c.y ?? 0, placed: false });
  }
  return out;
}
