// The designer's model of a flow as the graph page reads it (the core's DesignModel,
// compiler/designer/api.ts, as the designer API sends it), and the graph it draws: a node per
// step (trigger, fetches, lookups and tables, lets, the map, each write with its condition, other
// statements), one per error policy, edges from what a step uses to the step. Pure: no DOM, no
// React (the benchmark lays out the same graph in Node).

export interface Span { start: number; end: number; line?: number; column?: number; endLine?: number; endColumn?: number }

export interface DesignTrigger {
  kind: string;
  system?: string;
  event?: string;
  entity?: string;
  interval?: string;
  text?: string;
  span?: Span;
}

export interface DesignPolicy {
  key: string;
  class: string;
  retry?: { max?: number; for?: string; backoff?: string; initial?: string; maxDelay?: string };
  alert?: string;
  then?: string;
  step?: string;
  text: string;
  span?: Span;
}

export interface DesignStep {
  key: string;
  kind: string;
  word?: string;
  label?: string;
  name?: string;
  text?: string;
  span?: Span;
  deps?: string[];
  operation?: string;
  condition?: string;
  file?: string;
  policies?: DesignPolicy[];
  /** The step's own editable fields (the properties panel's inputs; setField changes one). */
  fields?: DesignStepField[];
}

/** compiler/designer/api.ts DesignStepField: `expr`, `condition`, `reason`, `key`, `when`, `arg:<parameter>`, `file`, `missing`. */
export interface DesignStepField {
  field: string;
  kind: 'expr' | 'text' | 'missing';
  value: string;
  span?: Span;
  optional: boolean;
  type?: string;
}

export interface DesignMap { key: string; name: string; target: string; source?: string; span?: Span; unmappedRequired?: string[] }

export interface DesignModel {
  name?: string;
  description?: string;
  trigger?: DesignTrigger;
  steps: DesignStep[];
  policies?: DesignPolicy[];
  maps?: DesignMap[];
}

export type NodeKind = 'trigger' | 'fetch' | 'lookup' | 'table' | 'let' | 'map' | 'write' | 'skip' | 'policy' | 'step';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  /** The kind word as the file says it (fetch, lookup, table, let, map, write, skip, require, ...). */
  word: string;
  label: string;
  detail?: string;
  line?: number;
  /** Index in the model's steps (for move up/down), -1 for the trigger and policies. */
  index: number;
}

export interface GraphEdge { id: string; source: string; target: string }

export interface FlowGraph { nodes: GraphNode[]; edges: GraphEdge[] }

const KINDS: Record<string, NodeKind> = { fetch: 'fetch', lookup: 'lookup', table: 'table', let: 'let', map: 'map', write: 'write', skip: 'skip' };

export function kindOf(step: DesignStep): NodeKind {
  return KINDS[step.kind] ?? 'step';
}

export const policyKey = (p: DesignPolicy, i: number): string => p.key || `policy#${i + 1}`;

export function triggerLabel(t: DesignTrigger | undefined): string {
  if (!t) return 'no trigger';
  if (t.text) return t.text.replace(/^on\s+/, '');
  const what = t.event ?? t.entity ?? '';
  return [t.interval ? `every ${t.interval}` : '', t.kind, t.system ? `${t.system}.${what}` : what].filter(Boolean).join(' ');
}

export function policyLabel(p: DesignPolicy): string {
  if (p.text) return p.text.replace(/^on\s+/, '');
  return [p.class, p.then].filter(Boolean).join(' → ');
}

function firstLine(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const l = s.split('\n')[0]!.trim();
  return l.length > 90 ? `${l.slice(0, 87)}…` : l;
}

/** The graph of a model: what the page draws and the benchmark lays out. */
export function graphOf(model: DesignModel): FlowGraph {
  const nodes: GraphNode[] = [{ id: 'trigger', kind: 'trigger', word: 'on', label: triggerLabel(model.trigger), index: -1, ...(model.trigger?.span?.line ? { line: model.trigger.span.line } : {}) }];
  const edges: GraphEdge[] = [];
  const keys = new Set(model.steps.map((s) => s.key));
  let prev = 'trigger';
  const writes: string[] = [];
  model.steps.forEach((s, i) => {
    const kind = kindOf(s);
    const label = s.label ?? firstLine(s.text) ?? s.key;
    // what the label already says is not said again below it
    const said = (d: string | undefined) => (d && label.includes(d.replace(/^when /, '')) ? undefined : d);
    const map = kind === 'map' ? (model.maps ?? []).find((m) => m.key === s.key) : undefined;
    const own = s.policies?.length ? ` · ${s.policies.length} own polic${s.policies.length === 1 ? 'y' : 'ies'}` : '';
    const detail = (kind === 'write' ? (s.condition && s.condition !== 'write' && s.condition !== 'read' ? `when ${s.condition}` : said(firstLine(s.operation)))
      : kind === 'skip' ? said(firstLine(s.condition ? `when ${s.condition}` : undefined))
      : kind === 'table' ? s.file
      : map ? `→ ${map.target}${map.unmappedRequired?.length ? ` · ${map.unmappedRequired.length} required unmapped` : ''}`
      : said(firstLine(s.operation))) ?? (own ? '' : undefined);
    nodes.push({
      id: s.key, kind, word: s.word ?? s.kind, label, index: i,
      ...(detail || own ? { detail: `${detail ?? ''}${own}`.replace(/^ · /, '') } : {}), ...(s.span?.line ? { line: s.span.line } : {}),
    });
    const deps = (s.deps ?? []).filter((d) => keys.has(d) && d !== s.key);
    if (deps.length) for (const d of deps) edges.push({ id: `${d}->${s.key}`, source: d, target: s.key });
    // a step that uses nothing named runs after the one before it (the file's order)
    else edges.push({ id: `${prev}->${s.key}`, source: prev, target: s.key });
    prev = s.key;
    if (kind === 'write') writes.push(s.key);
  });
  (model.policies ?? []).forEach((p, i) => {
    const id = policyKey(p, i);
    nodes.push({ id, kind: 'policy', word: 'on', label: policyLabel(p), index: -1, ...(p.span?.line ? { line: p.span.line } : {}) });
    for (const w of writes.length ? writes : [prev]) edges.push({ id: `${w}->${id}`, source: w, target: id });
  });
  return { nodes, edges };
}
