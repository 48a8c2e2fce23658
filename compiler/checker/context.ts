/**
 * The checker core's state for one flow, shared by every rule (rules/*.ts): the model being built
 * (side tables keyed by AST nodes), the root scope, the tables, the expression checker, the
 * diagnostics sink, and what the steps declared so far. A rule reads and adds to it; it never keeps
 * state of its own between flows.
 */
import type * as A from '../../grammar/ast.js';
import type { Span } from '../../grammar/span.js';
import type { RelatedInfo } from '../diagnostics/diagnostic.js';
import type { DiagnosticMessage } from '../diagnostics/messages.js';
import type { SchemaSet } from '../schema/load-schemas.js';
import type { LookupSet } from '../schema/load-lookups.js';
import type { Type } from '../schema/types.js';
import type { ExprChecker } from './expressions.js';
import type { FlowModel, Step, TableInfo } from './model.js';
import type { Binding, Scope } from './scope.js';

/** The diagnostics sink: a catalog entry, its span and arguments; notes come from `createRelated`. */
export interface Report {
  (msg: DiagnosticMessage, span: Span, args?: (string | number)[], extra?: { hint?: string; related?: RelatedInfo[]; label?: string }): void;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type ModelTables = Mutable<Pick<FlowModel, 'typeOf' | 'resolution' | 'objectTarget' | 'mapInputs'>>;

export interface Declared { readonly binding: Binding; readonly node: A.Name; readonly kind: string }

export interface CheckContext {
  readonly flow: A.Flow;
  readonly file: string;
  readonly schemas: SchemaSet;
  /** The lookup files the program loaded for this file's tables (schema/load-lookups.ts). */
  readonly lookups: LookupSet;
  readonly model: ModelTables;
  readonly report: Report;
  readonly root: Scope;
  readonly ec: ExprChecker;
  readonly tables: Map<string, TableInfo>;
  readonly usedTables: Set<string>;
  /** Hash input: `file\0text` of each lookup file read. */
  readonly lookupTexts: string[];
  trigger: A.Trigger | undefined;
  eventType: Type;
  readonly steps: Step[];
  readonly policies: A.Policy[];
  readonly writes: A.Write[];
  idempotency: A.Idempotency | undefined;
  /** The flow's `hold when anomaly` clause (the first one; a second is FLOW2006). */
  holdOnAnomaly: A.HoldWhenAnomaly | undefined;
  /** Step names declared so far, with their kind (`Fetch`, `Let`, ...), for the unused warnings. */
  readonly declared: Map<string, Declared>;
  /** Every step name of the flow, to tell "used before its step" from "unknown" (FLOW4005). */
  readonly laterNames: Map<string, A.Name>;
  /** Names reported as used before their step: not also reported unused. */
  readonly usedEarly: Set<string>;
}

type ItemOf<K extends A.FlowItem['kind']> = Extract<A.FlowItem, { kind: K }>;

/**
 * A checker rule: one concern. `begin` runs before the steps (flow-wide declarations), `steps`
 * checks the statements of the kinds it names, in source order, and `end` judges the whole flow.
 * The core (checker.ts) runs the rules in the order of its RULES list.
 */
export interface Rule {
  readonly name: string;
  readonly begin?: (ctx: CheckContext) => void;
  readonly steps?: { readonly [K in A.FlowItem['kind']]?: (item: ItemOf<K>, ctx: CheckContext) => void };
  readonly end?: (ctx: CheckContext) => void;
}
