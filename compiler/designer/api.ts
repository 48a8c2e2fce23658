/**
 * The visual designer's core (issue 16): the public types and entry points. The browser parts (the
 * flow graph page, the field mapper) reach these through the designer API routes as JSON, so every
 * shape here is plain data (no class instances, no AST nodes, no Maps).
 *
 * The `.flow` text is the one source of truth: `analyzeDesign` reads it into a `DesignModel` on the
 * compiler's own pipeline (compileSource: the parser and the checker, as `flowc check` runs them);
 * `applyEdit` turns one visual edit into the smallest text edits on the current text (never a
 * re-print), with their inverse.
 *
 * Offsets are UTF-16 offsets into the text (as JavaScript strings index it), 0-based, `end`
 * exclusive; lines and columns are 1-based as an editor shows them (grammar/span.ts).
 */
import type { Span } from '../../grammar/span.js';
import type { SchemaSet } from '../schema/load-schemas.js';
import { analyzeDesignImpl } from './model.js';
import { applyEditImpl } from './apply.js';
import { paletteImpl } from './palette.js';
import { entityTreeImpl } from './entity-tree.js';
import { readLayoutImpl, writeLayoutImpl } from './layout.js';
import { generateFlowImpl } from './generate.js';
import { designContextImpl } from './context.js';

export type { Span } from '../../grammar/span.js';

// ---------------------------------------------------------------- context

/**
 * Where a flow's schemas, catalogs, lookups and flow tests are: found as `flowc check <file>` and the
 * language server find them (the nearest `schemas/` above the file, `lookups/` beside it, flow tests
 * in `tests/` beside them or beside the flow). Make one with `designContext(flowPath)`; it loads the
 * schemas once and keeps the lookup files it read (reuse it across edits of one file).
 */
export interface DesignContext {
  readonly schemasDir: string;
  readonly lookupsDir: string;
  /** Folders searched for `<flow-file-base>.test.yaml` (preview). */
  readonly testsDirs: readonly string[];
  /** Paths in diagnostics are relative to this. */
  readonly displayBase: string;
  /** The loaded schemas and operation catalogs (loaded on first use). */
  schemas(): SchemaSet;
}

export interface DesignContextOptions {
  readonly schemasDir?: string;
  readonly lookupsDir?: string;
  readonly testsDirs?: readonly string[];
  readonly displayBase?: string;
  readonly schemas?: SchemaSet;
}

// ---------------------------------------------------------------- the model

/** A text edit: replace `[start, end)` of the text it applies to by `newText`. */
export interface TextEdit { readonly start: number; readonly end: number; readonly newText: string }

export interface DesignDiagnostic {
  /** `FLOW3005` */
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly hint?: string;
  readonly span?: Span;
  /** The map assignment it concerns (its `id`), when it concerns one. */
  readonly assignment?: string;
  /** The step it concerns (its key), when it concerns one. */
  readonly step?: string;
  /** The compiler's own quick fixes for it (compiler/lsp/code-actions.ts). */
  readonly fixes: readonly QuickFix[];
}

/** One of the compiler's quick fixes, as data. Apply it with `{ kind: 'quickFix', id }`. */
export interface QuickFix {
  /** Stable for one text: `<code>@<start>-<end>#<n>`. */
  readonly id: string;
  readonly title: string;
  readonly preferred: boolean;
  readonly edits: readonly TextEdit[];
}

export interface DesignTrigger {
  readonly kind: 'event' | 'poll' | 'schedule';
  /** `xcart` / `sagepro` */
  readonly system?: string;
  /** Event triggers: `order.created`. */
  readonly event?: string;
  /** Poll triggers: `sagepro.InventoryLevel`. */
  readonly entity?: string;
  /** Poll and `schedule every`: `5m`. */
  readonly interval?: string;
  readonly cron?: string;
  readonly changed?: boolean;
  readonly key?: readonly string[];
  readonly text: string;
  readonly span: Span;
}

export type StepKind = 'fetch' | 'lookup' | 'table' | 'let' | 'idempotency' | 'require' | 'skip' | 'map' | 'write' | 'generic';

export interface DesignStep {
  /**
   * Stable across edits of other steps: `fetch:order`, `lookup:customer`, `table:gl_by_gateway`,
   * `let:store_id`, `map:so`, `write:so` (the `as` name, else the first argument's name, else the
   * operation); unnamed steps (`skip`, `require`, `idempotency`, generic statements) get
   * `<kind>#<n>` where n counts the steps of that kind with the same text before it... see README.
   */
  readonly key: string;
  readonly kind: StepKind;
  /** The statement's first word as written (`fetch`, `skip`, `warn`, ...). */
  readonly word: string;
  readonly label: string;
  /** The declared name (fetch, lookup, table, let, map, write `as`). */
  readonly name?: string;
  /** The statement's own text. */
  readonly text: string;
  readonly span: Span;
  /** The keys of the steps this one reads (from the checker's resolution), in source order. */
  readonly deps: readonly string[];
  /** Fetch, lookup, write: `xcart.orders.get`. */
  readonly operation?: string;
  /** Write: `read` / `write` of the operation; skip / require / write `when`: the condition's text. */
  readonly condition?: string;
  readonly conditionSpan?: Span;
  /** Table: the lookup file (`from "..."`). */
  readonly file?: string;
  /** Fetch, lookup and write: their own `{ on ... }` policies. */
  readonly policies: readonly DesignPolicy[];
  /** The step's own fields the properties panel edits (`setField`), in source order. */
  readonly fields?: readonly DesignStepField[];
}

/**
 * One editable field of a step: a `let`'s `expr`; a `skip when`'s `condition` and `reason`; a
 * `require`'s `condition` and `reason`; an `idempotency`'s `key`; a fetch's, lookup's or write's
 * argument `arg:<parameter>` (every parameter of the operation, written or not); a write's `when`;
 * a table's `file` and `missing`. Change one with `{ kind: 'setField', step, field, value }`.
 */
export interface DesignStepField {
  /** What `setField` names: `expr`, `condition`, `reason`, `key`, `when`, `arg:sku`, `file`, `missing`. */
  readonly field: string;
  /** `expr`: an expression text; `text`: a plain string (written quoted); `missing`: `reject`, `null` or `default <expr>`. */
  readonly kind: 'expr' | 'text' | 'missing';
  /** The value as written (a string's value unquoted); '' when the field is not written. */
  readonly value: string;
  /** Where the value is in the text; absent when the field is not written. */
  readonly span?: Span;
  /** It may be left out (`setField` with value null removes it). */
  readonly optional: boolean;
  /** An argument's parameter type as the catalog says it (`string`, `int?`). */
  readonly type?: string;
}

export interface DesignPolicy {
  /** `policy:transient` (flow level), `fetch:order/policy:transient` (a step's own); `#2` for a repeated class. */
  readonly key: string;
  /** The error class: `transient`, `invalid`, `conflict`, ... */
  readonly class: string;
  readonly retry?: { readonly max?: number; readonly for?: string; readonly backoff?: string; readonly initial?: string; readonly maxDelay?: string };
  readonly alert?: string;
  readonly then?: string;
  /** The step it belongs to (absent: the flow's). */
  readonly step?: string;
  readonly text: string;
  readonly span: Span;
}

export interface DesignAssignment {
  readonly kind: 'assignment';
  /**
   * Identifies the assignment in its map: the target path with `when#n` / `when#n:else` segments for
   * the `when` blocks it is in (n counts from 1 among the members of its object), e.g. `customer`,
   * `ship_to.city`, `lines[].item`, `when#2/tax`.
   */
  readonly id: string;
  /** The target field's path: `customer`, `ship_to.city`, `lines[].item`. */
  readonly target: string;
  readonly field: string;
  readonly expr: string;
  readonly span: Span;
  readonly exprSpan: Span;
  /** The target field's type as the compiler prints it, when known. */
  readonly type?: string;
  /** Source paths the expression reads (`order.items[].sku`, `customer.number`). */
  readonly sources: readonly string[];
  /** Nested object or line items (`each`): their members. */
  readonly children?: readonly DesignMember[];
  /** Line items: `each <source> as <item> where <cond>`. */
  readonly each?: { readonly source: string; readonly item: string; readonly where?: string; readonly skipInvalid: boolean };
  readonly diagnostics: readonly DesignDiagnostic[];
}

export interface DesignWhen {
  readonly kind: 'when';
  readonly id: string;
  readonly condition: string;
  readonly span: Span;
  readonly conditionSpan: Span;
  readonly then: readonly DesignMember[];
  readonly else?: readonly DesignMember[];
}

export type DesignMember = DesignAssignment | DesignWhen;

export interface DesignMap {
  /** The map step's key: `map:so`. */
  readonly key: string;
  readonly name: string;
  /** The source name (`map order -> so`), when given. */
  readonly source?: string;
  /** `sagepro.SalesOrder` */
  readonly target: string;
  readonly span: Span;
  readonly bodySpan: Span;
  readonly members: readonly DesignMember[];
  /** Every assignment in the map, nested ones included, in source order. */
  readonly assignments: readonly DesignAssignment[];
  /** Required target fields never assigned (FLOW3003), as paths (`lines[].item`). */
  readonly unmappedRequired: readonly string[];
}

export interface DesignModel {
  readonly file: string;
  readonly name?: string;
  readonly description?: string;
  readonly trigger?: DesignTrigger;
  readonly steps: readonly DesignStep[];
  /** The flow's own `on <class> ...` lines. */
  readonly policies: readonly DesignPolicy[];
  readonly maps: readonly DesignMap[];
  /** Every map's unmapped required targets, `<map key>:<path>`. */
  readonly unmappedRequired: readonly string[];
  /** What `flowc check` reports for this file, with the fixes. */
  readonly diagnostics: readonly DesignDiagnostic[];
  readonly hasSyntaxErrors: boolean;
  /** The text's line break (`\n`, `\r\n`), what inserted lines use. */
  readonly eol: string;
}

// ---------------------------------------------------------------- visual edits

/** A new step for `addStep`. Argument values and conditions are expression texts. */
export type NewStep =
  | { readonly kind: 'fetch' | 'lookup'; readonly name: string; readonly operation: string; readonly args?: Readonly<Record<string, string>>; readonly type?: string }
  | { readonly kind: 'table'; readonly name: string; readonly file: string; readonly keyType?: string; readonly valueType?: string; readonly missing?: 'reject' | 'null' | { readonly default: string } }
  | { readonly kind: 'let'; readonly name: string; readonly expr: string }
  | { readonly kind: 'write'; readonly operation: string; readonly args?: Readonly<Record<string, string>>; readonly as?: string; readonly when?: string }
  | { readonly kind: 'skip'; readonly condition: string; readonly because?: string };

export interface PolicyFields {
  /** `3` (a count) or `"24h"` (a time budget); null removes the retry. */
  readonly retry?: number | string | null;
  /** `exponential 2s..10m`, `fixed 30s`; null removes it. */
  readonly backoff?: string | null;
  readonly alert?: string | null;
  /** `dead_letter`, `skip`, `fail`; null removes it. */
  readonly then?: string | null;
}

export type VisualEdit =
  /** Add `target = expr` to a map (also inside line items: `lines[].description`), or replace the expression of an existing one. */
  | { readonly kind: 'map'; readonly map?: string; readonly target: string; readonly expr: string }
  | { readonly kind: 'unmap'; readonly map?: string; readonly target: string }
  | { readonly kind: 'setExpr'; readonly map?: string; readonly target: string; readonly expr: string }
  /** Inserted after the step `after` (a key), or before `before`, else before the first write (or at the end). */
  | { readonly kind: 'addStep'; readonly step: NewStep; readonly after?: string; readonly before?: string }
  | { readonly kind: 'removeStep'; readonly key: string }
  /** To index `to` of the steps, or after / before a step; refused when it would break a dependency. */
  | { readonly kind: 'moveStep'; readonly key: string; readonly to?: number; readonly after?: string; readonly before?: string }
  /**
   * Change the trigger: its interval (poll, schedule every), its event / entity, its kind
   * (`triggerKind` with the event, or the entity and interval, of the new kind), or its whole text after `on`.
   */
  | { readonly kind: 'setTrigger'; readonly interval?: string; readonly event?: string; readonly entity?: string; readonly trigger?: string; readonly triggerKind?: 'event' | 'poll' | 'schedule' }
  | ({ readonly kind: 'setPolicy'; readonly key: string } & PolicyFields)
  | ({ readonly kind: 'addPolicy'; readonly class: string; readonly step?: string } & PolicyFields)
  | { readonly kind: 'removePolicy'; readonly key: string }
  | { readonly kind: 'quickFix'; readonly id: string }
  /**
   * Change one field of a step (its `fields`): the value is an expression text (`expr`, `condition`,
   * `when`, `arg:<name>`, require's `reason`, `key`), a plain string (skip's `reason`, a table's
   * `file`) or `reject` / `null` / `default <expr>` (`missing`); null removes an optional field.
   * Only the value's span changes (shrunk to what differs).
   */
  | { readonly kind: 'setField'; readonly step: string; readonly field: string; readonly value: string | null };

export interface EditError {
  /** `invalid` (the edit cannot apply: unknown key, would break a dependency, ...). */
  readonly code: 'invalid';
  readonly message: string;
  /** Where in the text the problem is, when it is somewhere. */
  readonly span?: Span;
}

export type ApplyResult =
  | {
    readonly ok: true;
    readonly text: string;
    /** Offsets into the old text, sorted, non-overlapping. */
    readonly edits: readonly TextEdit[];
    /** Offsets into the new text: applying them to it restores the old bytes. */
    readonly inverse: readonly TextEdit[];
    readonly model: DesignModel;
  }
  | { readonly ok: false; readonly error: EditError };

// ---------------------------------------------------------------- palette, entity tree, preview, layout

export interface PaletteParam { readonly name: string; readonly type: string; readonly nullable: boolean }
export interface PaletteOperation {
  /** `xcart.orders.get` */
  readonly id: string;
  readonly system: string;
  readonly name: string;
  readonly kind: 'read' | 'write';
  readonly params: readonly PaletteParam[];
  readonly returns?: string;
  readonly idempotent: boolean;
  readonly errors: readonly string[];
  readonly description?: string;
}
export interface PaletteLookup {
  /** The file name as a `table ... from "<file>"` names it. */
  readonly file: string;
  readonly entries: number;
  /** A suggested table name and key/value types (from the entries). */
  readonly name: string;
  readonly keyType: string;
  readonly valueType: string;
  readonly problem?: string;
}
export interface Palette {
  readonly operations: readonly PaletteOperation[];
  readonly lookups: readonly PaletteLookup[];
  /** Entity types: `xcart.Order`, `sagepro.SalesOrder`, ... */
  readonly entities: readonly string[];
  /** The error classes a policy may name. */
  readonly errorClasses: readonly string[];
}

export interface EntityNode {
  /** `items[].sku`, `ship_to.city` (relative to the entity). */
  readonly path: string;
  readonly name: string;
  /** As the compiler prints it: `string`, `decimal?`, `xcart.OrderItem[]`. */
  readonly type: string;
  readonly nullable: boolean;
  readonly required: boolean;
  readonly readOnly: boolean;
  readonly list: boolean;
  readonly description?: string;
  readonly codes?: readonly string[];
  readonly sagepro?: { readonly table?: string; readonly column?: string; readonly storage?: string; readonly width?: number };
  readonly children?: readonly EntityNode[];
}
export interface EntityTree { readonly entity: string; readonly description?: string; readonly fields: readonly EntityNode[] }

export interface PreviewWrite { readonly operation: string; readonly record: unknown }
export interface PreviewCase {
  readonly name: string;
  readonly ok: boolean;
  readonly outcome: string;
  readonly reason?: string;
  readonly writes: readonly PreviewWrite[];
  readonly failures: readonly string[];
}
export interface PreviewResult {
  /** The flow-test file used (as displayed), null when the flow has none. */
  readonly tests: string | null;
  readonly cases: readonly PreviewCase[];
  /** The compile errors when the text does not compile (no case ran). */
  readonly compileErrors: readonly DesignDiagnostic[];
}

export interface Layout { readonly version: 1; readonly positions: Readonly<Record<string, { readonly x: number; readonly y: number }>> }

export interface GenerateOptions {
  /** Line breaks: `\n` (default), `\r\n`. */
  readonly eol?: '\n' | '\r\n';
  /** Comments of every kind (line, block, trailing, inside maps); default true. */
  readonly comments?: boolean;
}

// ---------------------------------------------------------------- entry points

export function designContext(flowPath: string, options: DesignContextOptions = {}): DesignContext {
  return designContextImpl(flowPath, options);
}

/** The flow of `text` (the file's first flow) as the designer shows it. Never throws on bad input. */
export function analyzeDesign(text: string, file: string, ctx: DesignContext): DesignModel {
  return analyzeDesignImpl(text, file, ctx);
}

/** One visual edit as minimal text edits on `text`, or a located error (the text unchanged). */
export function applyEdit(text: string, edit: VisualEdit, ctx: DesignContext, file = 'flow.flow'): ApplyResult {
  return applyEditImpl(text, edit, ctx, file);
}

export function palette(ctx: DesignContext): Palette { return paletteImpl(ctx); }

/** `xcart.Order`, `sagepro.SalesOrder`: fields nested as the schema nests them. */
export function entityTree(ctx: DesignContext, entity: string): EntityTree { return entityTreeImpl(ctx, entity); }

/** Runs the flow of `text` on its flow tests (`<tests>/<flow file base>.test.yaml`). */
export async function preview(text: string, file: string, ctx: DesignContext): Promise<PreviewResult> {
  // Loaded on first use: the emitter it builds with loads TypeScript's compiler (seconds), which the
  // model and the edits never need.
  const { previewImpl } = await import('./preview.js');
  return previewImpl(text, file, ctx);
}

/** `<flowFile>.layout.json`; an absent or unreadable file is an empty layout. */
export function readLayout(flowFile: string): Layout { return readLayoutImpl(flowFile); }

/** Writes `<flowFile>.layout.json`; with `stepKeys`, positions of other keys (removed steps) are dropped. */
export function writeLayout(flowFile: string, layout: Layout, stepKeys?: readonly string[]): void { writeLayoutImpl(flowFile, layout, stepKeys); }

/** A valid flow of `steps` steps, the same for the same seed. */
export function generateFlow(steps: number, seed: number, options: GenerateOptions = {}): string { return generateFlowImpl(steps, seed, options); }

/** The keys a layout keeps for a model: `trigger`, its steps' keys and its policies' keys (pass them to writeLayout). */
export function layoutKeys(model: DesignModel): string[] {
  return ['trigger', ...model.steps.map((s) => s.key), ...model.policies.map((p) => p.key), ...model.steps.flatMap((s) => s.policies.map((p) => p.key))];
}
