// The shapes of the field mapper's API (runtime/console/API.md, "Designer: field mapper"). Only what the page reads.

/** One field of an entity as the schema nests it (items, addresses, surcharges). */
export interface FieldNode {
  /** `order.items[].sku` on the source side, `lines[].item` / `ship_to.city` on the target side. */
  path: string;
  name: string;
  /** The type as the compiler prints it (`string`, `decimal?`, `xcart.OrderItem[]`). */
  type: string;
  nullable: boolean;
  required?: boolean;
  readOnly?: boolean;
  list?: boolean;
  description?: string;
  codes?: string[];
  /** Sage Pro storage: table, column, storage type (`C(15)`, `N(12,2)`, `D`, `M`) and width. */
  sagepro?: { table?: string; column?: string; storage?: string; width?: number };
  children?: FieldNode[];
}

export interface EntityTreeView { entity: string; root: string; fields: FieldNode[] }

export interface Fix { id: string; title: string }
export interface DiagView {
  code: string; severity: 'error' | 'warning' | 'info'; message: string; hint?: string;
  line: number; column: number; start: number; end: number;
  /** The target field the diagnostic concerns (`lines[].item`), when it concerns one. */
  target?: string;
  fixes: Fix[];
}

export interface AssignmentView {
  /** The target path, `#2`.. for a second assignment of one field (in another `when` block): what edits name. */
  id: string;
  target: string; expr: string; line: number; start: number; end: number;
  exprStart: number; exprEnd: number;
  /** Source fields the expression reads (`order.items[].sku`). */
  sources: string[];
  diagnostics: DiagView[];
}

export interface MapView {
  name: string; source: string; sourceEntity: string; targetEntity: string;
  start: number; end: number; firstLine: number;
  /** The map block's text as it is in the file. */
  text: string;
  assignments: AssignmentView[];
  unmappedRequired: string[];
  diagnostics: DiagView[];
}

export interface MapperOpen {
  file: string; text: string; base: string; maps: string[];
  map: MapView; source: EntityTreeView; target: EntityTreeView;
}

export interface TextEdit { start: number; end: number; newText: string }
export interface EditResult { text: string; edits: TextEdit[]; map: MapView }
export interface ModelResult { map: MapView | null; error?: string }

export interface CompletionItemView { label: string; detail?: string; insertText: string; kind?: string }
export interface CompletionResult { items: CompletionItemView[]; from: number; to: number }

export interface PreviewWrite { operation: string; record: unknown }
export interface PreviewCase { name: string; ok: boolean; outcome?: string; skipped?: string; writes: PreviewWrite[]; failures: string[]; error?: string }
export interface PreviewResult { tests: string | null; cases: PreviewCase[]; compileErrors: string[] }

/** A mapping the assistant suggests (compiler/suggest/, when it is merged): drawn dashed, applied on accept. */
export interface SuggestionView { target: string; expr: string; sources: string[]; confidence: number; reason?: string }

/** What the mapper sends to apply one visual edit. */
export type MapperEdit =
  | { kind: 'map'; target: string; expr?: string; source?: string }
  | { kind: 'unmap'; target: string }
  | { kind: 'setExpr'; target: string; expr: string }
  | { kind: 'quickFix'; fixId: string };
