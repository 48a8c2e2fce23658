/**
 * The checker core: for each flow it builds a CheckContext (context.ts), runs the rules (rules/*.ts,
 * one concern each) over the flow's statements in source order, and hands the emitter a FlowModel.
 * Each rule's `begin` runs first (trigger, tables, `event`), then each statement goes to the rule that
 * checks its kind, then each rule's `end` judges the whole flow. Expressions are typed by
 * ExprChecker (expressions.ts, expr/*.ts). Lookup files are loaded by the program beside the
 * schemas (schema/load-lookups.ts) and passed in. Here: flow names unique in a file (FLOW2014, with
 * a FLOW9004 note).
 * Fixtures: test/fixtures/check/clean-baseline.flow, duplicate-flow-name.flow
 */
import type * as A from '../../grammar/ast.js';
import type { Span } from '../../grammar/span.js';
import { createDiagnostic, createRelated, type Diagnostic, type RelatedInfo } from '../diagnostics/diagnostic.js';
import { Diagnostics, type DiagnosticMessage } from '../diagnostics/messages.js';
import type { SchemaSet } from '../schema/load-schemas.js';
import type { LookupSet } from '../schema/load-lookups.js';
import { ANY } from '../schema/types.js';
import type { CheckContext, ModelTables, Report, Rule } from './context.js';
import { ExprChecker } from './expressions.js';
import type { FlowModel, TableInfo } from './model.js';
import { Scope } from './scope.js';
import { conditionRule } from './rules/condition.js';
import { declarationsRule } from './rules/declarations.js';
import { fetchRule } from './rules/fetch.js';
import { holdRule } from './rules/hold.js';
import { idempotencyRule } from './rules/idempotency.js';
import { letRule } from './rules/let.js';
import { mapRule } from './rules/map.js';
import { policyRule } from './rules/policy.js';
import { tableRule } from './rules/table.js';
import { eventRule, triggerRule } from './rules/trigger.js';
import { warnRule } from './rules/warn.js';
import { writeRule } from './rules/write.js';

export { narrowedNames } from './rules/condition.js';
export { POLLED_ENTITIES, XCART_EVENTS } from './rules/trigger.js';
export { resolveTypeRef } from './rules/type-ref.js';

/**
 * The rules, in the order they run. `begin`: trigger, declarations (every step name), table, event
 * (tables come before `event` exists). `end`: idempotency (FLOW4001), policy (FLOW4008), write
 * (FLOW4002, FLOW4007), declarations (unused names), table (unused tables).
 */
export const RULES: readonly Rule[] = [
  triggerRule, fetchRule, letRule, idempotencyRule, conditionRule, warnRule, mapRule, policyRule, holdRule, writeRule, declarationsRule, tableRule, eventRule,
];

export interface CheckOptions {
  /** The lookup files of this file's tables, loaded by the program (schema/load-lookups.ts). */
  readonly lookups?: LookupSet;
}

export function checkFlowFile(ast: A.FlowFile, file: string, schemas: SchemaSet, options: CheckOptions = {}): { models: FlowModel[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report: Report = (msg: DiagnosticMessage, span: Span, args: (string | number)[] = [], extra: { hint?: string; related?: RelatedInfo[]; label?: string } = {}) =>
    diagnostics.push(createDiagnostic(msg, span, args, extra));
  const models: FlowModel[] = [];
  const seenFlows = new Map<string, A.Flow>();
  for (const flow of ast.flows) {
    const prev = seenFlows.get(flow.name.text);
    if (prev) report(Diagnostics.Flow_0_is_declared_more_than_once, flow.name.span, [flow.name.text], { related: [createRelated(Diagnostics._0_was_first_declared_here, prev.name.span, [flow.name.text])] });
    seenFlows.set(flow.name.text, flow);
    models.push(checkFlow(flow, file, schemas, options.lookups ?? new Map(), report));
  }
  return { models, diagnostics };
}

function checkFlow(flow: A.Flow, file: string, schemas: SchemaSet, lookups: LookupSet, report: Report): FlowModel {
  const model: ModelTables = { typeOf: new WeakMap(), resolution: new WeakMap(), objectTarget: new WeakMap(), mapInputs: new WeakMap() };
  const tables = new Map<string, TableInfo>();
  const usedTables = new Set<string>();
  const ctx: CheckContext = {
    flow, file, schemas, lookups, model, report, root: new Scope(), ec: new ExprChecker(model, schemas, tables, usedTables, report),
    tables, usedTables, lookupTexts: [], trigger: undefined, eventType: ANY, steps: [], policies: [], writes: [], idempotency: undefined, holdOnAnomaly: undefined,
    declared: new Map(), laterNames: new Map(), usedEarly: new Set(),
  };
  for (const rule of RULES) rule.begin?.(ctx);
  for (const item of flow.items) {
    for (const rule of RULES) {
      const check = rule.steps?.[item.kind] as ((item: A.FlowItem, ctx: CheckContext) => void) | undefined;
      if (check) check(item, ctx);
    }
  }
  for (const rule of RULES) rule.end?.(ctx);
  return {
    flow, file, trigger: ctx.trigger, steps: ctx.steps, tables, policies: ctx.policies, ...(ctx.holdOnAnomaly ? { holdOnAnomaly: ctx.holdOnAnomaly } : {}), ...model,
    lookupTexts: ctx.lookupTexts, eventType: ctx.eventType,
  };
}
