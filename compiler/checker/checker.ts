/**
 * The flow checker: walks each flow's statements in source order, declares what they bind, types
 * their expressions (expressions.ts) and applies the flow-level rules: one trigger, known events and
 * entities, read operations in fetch/lookup and write operations in write, error policies, the
 * idempotency rule for retried non-idempotent writes (FLOW4001) and the unused-step warnings.
 * Produces a FlowModel per flow for the emitter.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type * as A from '../../grammar/ast.js';
import { LineMap, type Span } from '../../grammar/span.js';
import { createDiagnostic, type Diagnostic, type RelatedInfo } from '../diagnostics/diagnostic.js';
import { Diagnostics, type DiagnosticMessage } from '../diagnostics/messages.js';
import { didYouMean } from '../diagnostics/did-you-mean.js';
import { ERROR_CLASSES, type SchemaSet } from '../schema/load-schemas.js';
import {
  ANY, DATETIME, ERROR, INT, STRING, assignable, fieldsOf, isLoose, listOf, nonNull, prim, typeToString, withNullable,
  type Field, type PrimName, type Type,
} from '../schema/types.js';
import { ExprChecker, Scope, exprText, dottedPath, type Binding } from './expressions.js';
import { DEFAULT_TRANSIENT_RETRY, type FlowModel, type Step, type TableInfo } from './model.js';
import { durationText, MIN_RETRY_BUDGET_MS, resolveRetry, retryBudgetMs, transientPolicy } from './retry-budget.js';
import { loadVocabulary } from '../../runtime/vocabulary/vocabulary.js';

/**
 * X-Cart events (found by polling or pushed by the store module) and the ids their payload carries:
 * the vocabulary of mappings/schemas/xcart/events.yaml, which the runtime's triggers read too, so
 * a flow accepted here is one a trigger produces events for.
 */
const vocabulary = loadVocabulary();
export const XCART_EVENTS: Readonly<Record<string, Record<string, Type>>> = Object.fromEntries(
  [...vocabulary.xcartEvents.values()].map((e) => [e.name, Object.fromEntries(e.payload.map((f) => [f.name, prim(f.type, f.nullable)]))]));
/** The Sage Pro entities a flow may poll (mappings/schemas/sagepro/events.yaml `polled`). */
export const POLLED_ENTITIES: readonly string[] = [...vocabulary.sagepro.polled.keys()];

const PRIM_NAMES: readonly PrimName[] = ['string', 'int', 'decimal', 'bool', 'date', 'datetime'];
const POLICY_CLASSES = [...ERROR_CLASSES, 'error'];
const POLICY_ACTIONS = ['dead_letter', 'skip', 'fail'];
const BACKOFFS = ['exponential', 'linear', 'fixed'];

export interface CheckOptions {
  /** Folder of lookup table files (`table x: ... from "file.yaml"`). */
  readonly lookupsDir?: string;
  /** For display of lookup file paths. */
  readonly displayBase?: string;
}

const objectType = (fields: Record<string, Type>): Type => ({
  kind: 'object', nullable: false,
  fields: new Map<string, Field>(Object.entries(fields).map(([name, type]) => [name, { name, type, required: true, readOnly: false }])),
});

export function checkFlowFile(ast: A.FlowFile, file: string, schemas: SchemaSet, options: CheckOptions = {}): { models: FlowModel[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const report = (msg: DiagnosticMessage, span: Span, args: (string | number)[] = [], extra: { hint?: string; related?: RelatedInfo[]; label?: string } = {}) =>
    diagnostics.push(createDiagnostic(msg, span, args, extra));
  const models: FlowModel[] = [];
  const seenFlows = new Map<string, A.Flow>();
  for (const flow of ast.flows) {
    const prev = seenFlows.get(flow.name.text);
    if (prev) report(Diagnostics.Flow_0_is_declared_more_than_once, flow.name.span, [flow.name.text], { related: [{ span: prev.name.span, message: `'${flow.name.text}' was first declared here.` }] });
    seenFlows.set(flow.name.text, flow);
    models.push(checkFlow(flow, file, schemas, options, report));
  }
  return { models, diagnostics };
}

function checkFlow(flow: A.Flow, file: string, schemas: SchemaSet, options: CheckOptions, report: (msg: DiagnosticMessage, span: Span, args?: (string | number)[], extra?: { hint?: string; related?: RelatedInfo[]; label?: string }) => void): FlowModel {
  const model = {
    typeOf: new WeakMap(), resolution: new WeakMap(), objectTarget: new WeakMap(),
  } as Pick<FlowModel, 'typeOf' | 'resolution' | 'objectTarget'>;
  const triggers = flow.items.filter((i): i is A.Trigger => i.kind === 'EventTrigger' || i.kind === 'PollTrigger' || i.kind === 'ScheduleTrigger');
  if (triggers.length === 0) report(Diagnostics.Flow_0_has_no_trigger, flow.name.span, [flow.name.text]);
  for (const t of triggers.slice(1)) report(Diagnostics.Flow_0_has_more_than_one_trigger, t.span, [flow.name.text], { related: [{ span: triggers[0]!.span, message: 'The first trigger is here.' }] });
  const trigger = triggers[0];

  // Tables are declared anywhere in the flow and visible everywhere.
  const tables = new Map<string, TableInfo>();
  const usedTables = new Set<string>();
  const lookupTexts: string[] = [];
  const ec = new ExprChecker(model, schemas, tables, usedTables, report);
  const root = new Scope();
  for (const item of flow.items) {
    if (item.kind !== 'TableDecl') continue;
    if (tables.has(item.name.text)) {
      report(Diagnostics._0_is_declared_more_than_once, item.name.span, [item.name.text], { related: [{ span: tables.get(item.name.text)!.decl.name.span, message: `'${item.name.text}' was first declared here.` }] });
      continue;
    }
    const info = checkTable(item, ec, root, options, report, lookupTexts);
    tables.set(item.name.text, info);
  }

  // The event.
  const evType = eventType(trigger, schemas);
  root.declare('event', { type: evType, decl: 'event', used: true });
  if (trigger) checkTrigger(trigger, schemas, report);

  const steps: Step[] = [];
  const policies: A.Policy[] = [];
  const declared = new Map<string, { binding: Binding; node: A.Name; kind: string }>();
  const declare = (name: A.Name, type: Type, decl: Binding['decl'], kind: string) => {
    const prev = declared.get(name.text);
    if (prev || name.text === 'event' || tables.has(name.text)) {
      report(Diagnostics._0_is_declared_more_than_once, name.span, [name.text],
        prev ? { related: [{ span: prev.node.span, message: `'${name.text}' was first declared here.` }] } : {});
    }
    const binding: Binding = { type, decl, node: name, used: false };
    root.declare(name.text, binding);
    declared.set(name.text, { binding, node: name, kind });
    model.resolution.set(name, { kind: 'local', name: name.text, decl });
  };
  let idempotency: A.Idempotency | undefined;
  const writes: A.Write[] = [];
  // Names used before their step: found by pre-declaring every later name as "not yet".
  const laterNames = new Map<string, A.Name>();
  const usedEarly = new Set<string>();
  for (const item of flow.items) if ((item.kind === 'Fetch' || item.kind === 'Lookup' || item.kind === 'Let' || item.kind === 'MapDecl') && item.name) laterNames.set(item.name.text, item.name);
  const checkUseBeforeDeclare = (e: A.Node) => {
    walkExpr(e, (n) => {
      if (n.kind === 'Ident' && laterNames.has(n.name) && !root.lookup(n.name)) {
        report(Diagnostics.Step_0_used_before_declared, n.span, [n.name], { related: [{ span: laterNames.get(n.name)!.span, message: `'${n.name}' is declared here.` }] });
        ec.usedEarly.add(n);
        usedEarly.add(n.name);
        return false;
      }
      return true;
    });
  };

  for (const item of flow.items) {
    switch (item.kind) {
      case 'Fetch': case 'Lookup': {
        checkUseBeforeDeclare(item.value);
        const t = stepCall(item.value, 'read', item.kind === 'Fetch' ? 'fetch' : 'lookup', ec, root, report);
        let type = t;
        if (item.type) {
          const declaredType = resolveTypeRef(item.type, schemas, report);
          if (!isLoose(declaredType) && !isLoose(t) && (!assignable(nonNull(t), nonNull(declaredType)) || (t.nullable && !declaredType.nullable))) {
            report(Diagnostics.Declared_type_0_does_not_match_1, item.type.span, [typeToString(declaredType), typeToString(t)],
              t.nullable && !declaredType.nullable ? { hint: `The operation may return null; declare '${typeToString(declaredType)}?'.` } : {});
          }
          if (!isLoose(declaredType)) type = declaredType;
        }
        checkStepPolicies(item.policies, report);
        declare(item.name, type, item.kind === 'Fetch' ? 'fetch' : 'lookup', item.kind);
        steps.push(item);
        break;
      }
      case 'Let': {
        checkUseBeforeDeclare(item.value);
        let t = ec.check(item.value, root);
        if (item.type) {
          const dt = resolveTypeRef(item.type, schemas, report);
          if (!isLoose(dt) && !isLoose(t) && (!assignable(nonNull(t), nonNull(dt)) || (t.nullable && !dt.nullable))) {
            report(Diagnostics.Declared_type_0_does_not_match_1, item.type.span, [typeToString(dt), typeToString(t)],
              t.nullable && !dt.nullable ? { hint: `The value may be null; declare '${typeToString(dt)}?' or give a default with '??'.` } : {});
          }
          if (!isLoose(dt)) t = dt;
        }
        declare(item.name, t, 'let', 'Let');
        steps.push(item);
        break;
      }
      case 'Idempotency': {
        checkUseBeforeDeclare(item.key);
        const t = ec.check(item.key, root);
        if (!isLoose(t) && !(t.kind === 'prim' && (t.name === 'string' || t.name === 'int'))) report(Diagnostics.Idempotency_key_must_be_string, item.key.span, [typeToString(t)]);
        if (item.keep && item.keep.ms <= 0) report(Diagnostics.Duration_0_is_zero, item.keep.span, [item.keep.text]);
        if (idempotency) report(Diagnostics._0_is_declared_more_than_once, item.span, ['idempotency'], { related: [{ span: idempotency.span, message: "'idempotency' was first declared here." }] });
        idempotency = item;
        steps.push(item);
        break;
      }
      case 'Require': {
        checkUseBeforeDeclare(item.condition);
        ec.condition(item.condition, root);
        ec.expectType(item.reason, ec.check(item.reason, root), STRING, 'a reason text');
        narrow(narrowedNames(item), root);
        steps.push(item);
        break;
      }
      case 'SkipWhen': {
        checkUseBeforeDeclare(item.condition);
        ec.condition(item.condition, root);
        narrow(narrowedNames(item), root);
        steps.push(item);
        break;
      }
      case 'MapDecl': {
        checkUseBeforeDeclare(item.body);
        const target = resolveTypeRef(item.type, schemas, report);
        if (item.source) {
          const b = root.lookup(item.source.text);
          if (!b) report(Diagnostics.Unknown_name_0, item.source.span, [item.source.text], { hint: didYouMean(item.source.text, root.allNames()) });
          else b.used = true;
        }
        if (!isLoose(target) && target.kind !== 'entity') report(Diagnostics.Expected_0_found_1, item.type.span, ['an entity type such as sagepro.SalesOrder', `'${typeToString(target)}'`]);
        const t = ec.check(item.body, root, target.kind === 'entity' ? target : undefined);
        declare(item.name, target.kind === 'entity' ? nonNull(target) : t, 'map', 'MapDecl');
        steps.push(item);
        break;
      }
      case 'Write': {
        checkUseBeforeDeclare(item.call);
        if (item.when) { checkUseBeforeDeclare(item.when); ec.condition(item.when, root); }
        const t = stepCall(item.call, 'write', 'write', ec, root, report);
        checkStepPolicies(item.policies, report);
        // A conditional write may not happen: its result may be null.
        if (item.as) declare(item.as, item.when ? withNullable(t, true) : t, 'write', 'Write');
        writes.push(item);
        steps.push(item);
        break;
      }
      case 'Policy': checkPolicy(item, report); policies.push(item); break;
      case 'TableDecl': case 'EventTrigger': case 'PollTrigger': case 'ScheduleTrigger': case 'Missing': break;
    }
  }

  // FLOW4001: a non-idempotent write that is retried needs an idempotency key.
  for (const w of writes) {
    const r = model.resolution.get(w.call);
    if (!r || r.kind !== 'operation' || r.op.idempotent || idempotency) continue;
    if (retriesTransient(w.policies, policies)) {
      report(Diagnostics.Retried_non_idempotent_write_0_without_key, w.call.span, [`${r.op.system}.${r.op.name}`],
        { hint: "Add e.g. 'idempotency \"payment-\" + order.id keep 90d', or 'on transient dead_letter' on this write." });
    }
  }
  // FLOW4008: a write retried by a stated policy whose whole budget is shorter than an ordinary outage.
  for (const w of writes) {
    const r = model.resolution.get(w.call);
    const p = transientPolicy(w.policies, policies);
    if (!r || r.kind !== 'operation' || !p?.retry || (p as unknown as A.Missing).kind === 'Missing') continue;
    const retry = resolveRetry(p.retry);
    // A policy with an error of its own (FLOW4003, FLOW2013, FLOW4004, FLOW1012) is not judged twice.
    if (retry.forMs === undefined && !(retry.max >= 1 && retry.max <= 100)) continue;
    if (retry.forMs !== undefined && retry.forMs <= 0) continue;
    if (!BACKOFFS.includes(retry.backoff) || (p.retry.initial && p.retry.max_ && p.retry.initial.ms > p.retry.max_.ms)) continue;
    const budget = retryBudgetMs(retry);
    if (budget < MIN_RETRY_BUDGET_MS) {
      report(Diagnostics.Retry_budget_of_0_is_1, p.retry.span, [`${r.op.system}.${r.op.name}`, durationText(budget)],
        { hint: 'The budget of retry N is the sum of its capped delays; retry for <duration> states it directly.' });
    }
  }
  if (writes.length === 0 && flow.items.length > 0) report(Diagnostics.Flow_0_writes_nothing, flow.name.span, [flow.name.text]);
  if (trigger?.kind === 'EventTrigger' && trigger.system.text === 'xcart') {
    const w = writes.find((x) => { const r = model.resolution.get(x.call); return r?.kind === 'operation' && r.op.system === 'xcart'; });
    if (w) report(Diagnostics.Write_target_system_0_trigger_loop, w.span, ['X-Cart']);
  }

  // Unused steps (warnings).
  for (const { binding, node, kind } of declared.values()) {
    if (binding.used || usedEarly.has(node.text)) continue;
    if (kind === 'Fetch') report(Diagnostics.Fetch_0_is_never_used, node.span, [node.text]);
    else if (kind === 'Lookup') report(Diagnostics.Lookup_0_is_never_used, node.span, [node.text]);
    else if (kind === 'Let') report(Diagnostics.Let_0_is_never_used, node.span, [node.text]);
    else if (kind === 'MapDecl') report(Diagnostics.Map_0_is_never_written, node.span, [node.text]);
  }
  for (const t of tables.values()) if (!usedTables.has(t.name)) report(Diagnostics.Table_0_is_never_used, t.decl.name.span, [t.name]);

  return { flow, file, trigger, steps, tables, policies, ...model, lookupTexts, eventType: evType } as FlowModel;
}

/**
 * Names a step proves non-null for the steps after it: `skip when x == null [|| y == null]` and
 * `require x != null [&& y != null] else ...`. The generated code narrows the same way (TypeScript
 * follows the early return / the `never` of reject).
 */
export function narrowedNames(step: A.SkipWhen | A.Require): string[] {
  const out: string[] = [];
  const want = step.kind === 'SkipWhen' ? { join: '||', test: '==' } : { join: '&&', test: '!=' };
  const visit = (e: A.Expr): void => {
    if (e.kind === 'Binary' && e.op === want.join) { visit(e.left); visit(e.right); return; }
    if (e.kind === 'Binary' && e.op === want.test) {
      if (e.left.kind === 'Ident' && e.right.kind === 'NullLit') out.push(e.left.name);
      else if (e.right.kind === 'Ident' && e.left.kind === 'NullLit') out.push(e.right.name);
    }
  };
  visit(step.condition);
  return out;
}

function narrow(names: string[], scope: Scope): void {
  for (const n of names) { const b = scope.lookup(n); if (b && b.decl !== 'event') b.type = nonNull(b.type); }
}

function retriesTransient(stepPolicies: readonly A.Policy[], flowPolicies: readonly A.Policy[]): boolean {
  const p = transientPolicy(stepPolicies, flowPolicies);
  if (!p) return DEFAULT_TRANSIENT_RETRY.max > 0;
  return !!p.retry && (p.retry.budget !== undefined || (p.retry.max ?? 0) > 0);
}

function stepCall(e: A.Expr, want: 'read' | 'write', step: string, ec: ExprChecker, scope: Scope, report: (msg: DiagnosticMessage, span: Span, args?: (string | number)[], extra?: { hint?: string }) => void): Type {
  if (e.kind === 'Missing') return ERROR;
  const path = e.kind === 'Call' ? dottedPath(e.callee) : undefined;
  if (e.kind !== 'Call' || !path || path.length < 2 || (path[0] !== 'xcart' && path[0] !== 'sagepro')) {
    if (e.kind === 'Call' && path && path.length >= 2 && !['xcart', 'sagepro'].includes(path[0]!)) {
      report(Diagnostics.Unknown_system_0, e.callee.span, [path[0]!], { hint: didYouMean(path[0]!, ['xcart', 'sagepro']) });
      return ERROR;
    }
    ec.check(e, scope);
    report(Diagnostics.Not_an_operation_call, e.span, [`'${exprText(e)}'`]);
    return ERROR;
  }
  ec.allowedOperationCalls.add(e);
  const t = ec.check(e, scope);
  const r = ec.model.resolution.get(e);
  if (r?.kind === 'operation' && r.op.kind !== want) {
    report(Diagnostics.Operation_0_is_a_1_use_2, e.callee.span, [`${r.op.system}.${r.op.name}`, r.op.kind, r.op.kind === 'read' ? 'fetch or lookup' : 'write']);
  }
  return t;
}

function eventType(trigger: A.Trigger | undefined, schemas: SchemaSet): Type {
  let data: Type = ANY;
  if (trigger?.kind === 'EventTrigger') {
    const payload = XCART_EVENTS[trigger.event.map((n) => n.text).join('.')];
    if (payload) data = objectType(payload);
  } else if (trigger?.kind === 'PollTrigger') {
    const t = trigger.entity.parts.map((p) => p.text);
    const e = schemas.entities.get(t.join('.'));
    if (e) data = e;
  }
  return objectType({ type: STRING, source: STRING, id: prim('string', true), updated_at: withNullable(DATETIME, true), data });
}

function checkTrigger(t: A.Trigger, schemas: SchemaSet, report: (msg: DiagnosticMessage, span: Span, args?: (string | number)[], extra?: { hint?: string; related?: RelatedInfo[] }) => void): void {
  if (t.kind === 'EventTrigger') {
    if (t.system.text === 'sagepro') {
      const entity = t.event[0]?.text ? t.event[0].text[0]!.toUpperCase() + t.event[0].text.slice(1) : 'Entity';
      report(Diagnostics.Sage_Pro_has_no_events, t.system.span, [[...schemas.entities.values()].some((e) => e.system === 'sagepro' && e.name === entity) ? entity : '<Entity>']);
      return;
    }
    if (t.system.text !== 'xcart') {
      report(Diagnostics.Unknown_system_0, t.system.span, [t.system.text], { hint: didYouMean(t.system.text, ['xcart', 'sagepro']) });
      return;
    }
    const name = t.event.map((n) => n.text).join('.');
    if (!XCART_EVENTS[name]) {
      const span = { ...t.event[0]!.span, end: t.event[t.event.length - 1]!.span.end, endLine: t.event[t.event.length - 1]!.span.endLine, endColumn: t.event[t.event.length - 1]!.span.endColumn };
      report(Diagnostics.Unknown_event_0, span, [name, Object.keys(XCART_EVENTS).join(', ')], { hint: didYouMean(name, Object.keys(XCART_EVENTS)) });
    }
  } else if (t.kind === 'PollTrigger') {
    if (t.every.ms <= 0 && t.every.text) report(Diagnostics.Duration_0_is_zero, t.every.span, [t.every.text]);
    const e = resolveTypeRef(t.entity, schemas, report);
    // Only what a trigger polls (mappings/schemas/sagepro/events.yaml): flowd would never run another.
    if (e.kind === 'entity' && !(e.system === 'sagepro' && POLLED_ENTITIES.includes(e.name))) {
      const polled = POLLED_ENTITIES.map((n) => `sagepro.${n}`);
      report(Diagnostics.Unknown_entity_0_in_1, t.entity.span, [`${e.system}.${e.name}`, `a poll trigger (flowd polls ${polled.join(', ')})`], { hint: didYouMean(`sagepro.${e.name}`, polled) });
    }
    const fields = fieldsOf(e);
    if (fields) for (const k of t.key) if (!fields.has(k.text)) report(Diagnostics.Unknown_key_field_0_of_1, k.span, [k.text, typeToString(e)], { hint: didYouMean(k.text, fields.keys()) });
  } else if (t.every && t.every.ms <= 0 && t.every.text) {
    report(Diagnostics.Duration_0_is_zero, t.every.span, [t.every.text]);
  }
}

export function resolveTypeRef(ref: A.TypeRef, schemas: SchemaSet, report: (msg: DiagnosticMessage, span: Span, args?: (string | number)[], extra?: { hint?: string }) => void): Type {
  const parts = ref.parts.map((p) => p.text);
  if (parts.length === 0) return ERROR;
  let base: Type | undefined;
  if (parts.length === 1) {
    if ((PRIM_NAMES as readonly string[]).includes(parts[0]!)) base = prim(parts[0] as PrimName);
    else { report(Diagnostics.Unknown_type_0, ref.span, [parts.join('.')], { hint: didYouMean(parts[0]!, PRIM_NAMES) }); return ERROR; }
  } else {
    const [system, ...rest] = parts;
    if (system !== 'xcart' && system !== 'sagepro') { report(Diagnostics.Unknown_system_0, ref.parts[0]!.span, [system!], { hint: didYouMean(system!, ['xcart', 'sagepro']) }); return ERROR; }
    base = schemas.entities.get(parts.join('.'));
    if (!base) {
      const names = [...schemas.entities.values()].filter((e) => e.system === system).map((e) => e.name);
      report(Diagnostics.Unknown_entity_0_in_1, ref.span, [rest.join('.'), system === 'xcart' ? 'X-Cart' : 'Sage Pro'], { hint: didYouMean(rest.join('.'), names) });
      return ERROR;
    }
  }
  return ref.list ? listOf(base, ref.nullable) : withNullable(base, ref.nullable);
}

function checkPolicy(p: A.Policy, report: (msg: DiagnosticMessage, span: Span, args?: (string | number)[], extra?: { hint?: string }) => void): void {
  if (p.span === undefined || (p as unknown as A.Missing).kind === 'Missing') return;
  if (!POLICY_CLASSES.includes(p.errorClass.text)) report(Diagnostics.Unknown_error_class_0, p.errorClass.span, [p.errorClass.text, POLICY_CLASSES.join(', ')], { hint: didYouMean(p.errorClass.text, POLICY_CLASSES) });
  if (p.then && !POLICY_ACTIONS.includes(p.then.text)) report(Diagnostics.Unknown_policy_action_0, p.then.span, [p.then.text], { hint: didYouMean(p.then.text, POLICY_ACTIONS) });
  if (p.retry) {
    if (p.retry.max !== undefined && !(p.retry.max >= 1 && p.retry.max <= 100)) report(Diagnostics.Retry_count_0_out_of_range, p.retry.span, [p.retry.max]);
    if (p.retry.budget && p.retry.budget.ms <= 0 && p.retry.budget.text) report(Diagnostics.Duration_0_is_zero, p.retry.budget.span, [p.retry.budget.text]);
    if (p.retry.backoff && !BACKOFFS.includes(p.retry.backoff.text)) report(Diagnostics.Unknown_backoff_0, p.retry.backoff.span, [p.retry.backoff.text], { hint: didYouMean(p.retry.backoff.text, BACKOFFS) });
    if (p.retry.initial && p.retry.max_ && p.retry.initial.ms > p.retry.max_.ms) report(Diagnostics.Backoff_range_0_1_inverted, p.retry.max_.span, [p.retry.initial.text, p.retry.max_.text]);
  }
}

function checkStepPolicies(ps: readonly A.Policy[], report: (msg: DiagnosticMessage, span: Span, args?: (string | number)[], extra?: { hint?: string }) => void): void {
  for (const p of ps) checkPolicy(p, report);
}

function literalValue(e: A.Expr): string | number | boolean | null | undefined {
  switch (e.kind) {
    case 'StringLit': return e.value;
    case 'NumberLit': return Number(e.text);
    case 'BoolLit': return e.value;
    case 'NullLit': return null;
    case 'Unary': { const v = literalValue(e.operand); return e.op === '-' && typeof v === 'number' ? -v : undefined; }
    default: return undefined;
  }
}

function checkTable(t: A.TableDecl, ec: ExprChecker, scope: Scope, options: CheckOptions,
  report: (msg: DiagnosticMessage, span: Span, args?: (string | number)[], extra?: { hint?: string; related?: RelatedInfo[] }) => void, lookupTexts: string[]): TableInfo {
  const keyType = resolveTypeRef(t.keyType, { entities: new Map(), operations: new Map(), diagnostics: [], hash: '', sources: new Map() }, report);
  const valueType0 = resolveTypeRef(t.valueType, { entities: new Map(), operations: new Map(), diagnostics: [], hash: '', sources: new Map() }, report);
  const entries: [string | number | boolean, unknown][] = [];
  let file: string | undefined;
  const seen = new Map<string, Span>();
  let maxLen = 0;
  const noteValue = (v: unknown) => { if (typeof v === 'string') maxLen = Math.max(maxLen, [...v].length); };
  for (const entry of t.entries) {
    const kt = ec.check(entry.key, scope);
    const vt = ec.check(entry.value, scope);
    const k = literalValue(entry.key); const v = literalValue(entry.value);
    if (k === undefined || k === null) { report(Diagnostics.Expected_0_found_1, entry.key.span, ['a literal key', `'${exprText(entry.key)}'`]); continue; }
    if (v === undefined) { report(Diagnostics.Expected_0_found_1, entry.value.span, ['a literal value', `'${exprText(entry.value)}'`]); continue; }
    if (!isLoose(keyType) && !assignable(kt, keyType)) report(Diagnostics.Table_0_key_type_1_given_2, entry.key.span, [t.name.text, typeToString(keyType), typeToString(kt)]);
    if (!isLoose(valueType0) && !assignable(vt, valueType0)) report(Diagnostics.Expected_0_found_1, entry.value.span, [`a value of type '${typeToString(valueType0)}'`, `'${typeToString(vt)}'`]);
    const ks = JSON.stringify(k);
    if (seen.has(ks)) report(Diagnostics._0_is_declared_more_than_once, entry.key.span, [String(k)], { related: [{ span: seen.get(ks)!, message: `'${String(k)}' was first declared here.` }] });
    seen.set(ks, entry.key.span);
    entries.push([k, v]); noteValue(v);
  }
  if (t.from) {
    file = t.from.value;
    const dir = options.lookupsDir;
    const abs = dir ? path.resolve(dir, file) : undefined;
    if (!abs || !fs.existsSync(abs)) {
      report(Diagnostics.Lookup_file_0_not_found, t.from.span, [file, dir ? path.relative(options.displayBase ?? process.cwd(), dir) || dir : 'no lookups folder'],
        dir && fs.existsSync(dir) ? { hint: didYouMean(file, fs.readdirSync(dir)) } : {});
    } else {
      const { text, doc, lines } = readLookupFile(abs);
      lookupTexts.push(`${file}\0${text}`);
      const shown = path.relative(options.displayBase ?? process.cwd(), abs);
      if (doc.errors.length) {
        report(Diagnostics.Lookup_file_0_is_invalid_1, t.from.span, [shown, doc.errors[0]!.message.split('\n')[0]!], { related: [{ span: lines.span(shown, doc.errors[0]!.pos[0], doc.errors[0]!.pos[1]), message: 'The problem is here.' }] });
      } else {
        const js = doc.toJS() as unknown;
        const map = js && typeof js === 'object' && 'entries' in (js as object) ? (js as { entries: unknown }).entries : js;
        if (!map || typeof map !== 'object' || Array.isArray(map)) {
          report(Diagnostics.Lookup_file_0_is_invalid_1, t.from.span, [shown, "expected a mapping of keys to values (optionally under 'entries')"]);
        } else {
          for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
            const key: string | number = keyType.kind === 'prim' && keyType.name === 'int' ? Number(k) : k;
            if (keyType.kind === 'prim' && keyType.name === 'int' && !Number.isInteger(key)) { report(Diagnostics.Lookup_file_0_is_invalid_1, t.from.span, [shown, `key '${k}' is not an int`]); continue; }
            if (!valueMatches(v, valueType0)) { report(Diagnostics.Lookup_file_0_value_1_not_2, t.from.span, [shown, k, typeToString(valueType0)]); continue; }
            entries.push([key, v]); noteValue(v);
          }
        }
      }
    }
  }
  let valueType = valueType0;
  const fileFailed = t.from !== undefined && !lookupTexts.some((x) => x.startsWith(`${t.from!.value}\0`));
  if (valueType.kind === 'prim' && valueType.name === 'string' && (entries.length > 0)) valueType = { ...valueType, maxLength: maxLen } as Type;
  if (t.missing?.action === 'default' && t.missing.value) {
    const dt = ec.check(t.missing.value, scope);
    if (!isLoose(valueType0) && !assignable(dt, valueType0)) report(Diagnostics.Expected_0_found_1, t.missing.value.span, [`a default of type '${typeToString(valueType0)}'`, `'${typeToString(dt)}'`]);
    if (valueType.kind === 'prim' && valueType.maxLength !== undefined) {
      const dl = dt.kind === 'prim' ? dt.maxLength : undefined;
      valueType = { ...valueType, ...(dl === undefined ? { maxLength: undefined } : { maxLength: Math.max(valueType.maxLength, dl) }) } as Type;
    }
  }
  if (fileFailed) valueType = ERROR;
  return { name: t.name.text, decl: t, keyType, valueType, entries, missing: t.missing?.action ?? 'reject', defaultValue: t.missing?.value, file };
}

/** Lookup files parsed once per content (many flows share a table; a watch re-check reuses them). */
const lookupCache = new Map<string, { stamp: string; text: string; doc: YAML.Document; lines: LineMap }>();
function readLookupFile(abs: string): { text: string; doc: YAML.Document; lines: LineMap } {
  const st = fs.statSync(abs);
  const stamp = `${st.mtimeMs}:${st.size}`;
  const hit = lookupCache.get(abs);
  if (hit && hit.stamp === stamp) return hit;
  const text = fs.readFileSync(abs, 'utf8');
  const entry = { stamp, text, doc: YAML.parseDocument(text), lines: new LineMap(text) };
  lookupCache.set(abs, entry);
  return entry;
}

function valueMatches(v: unknown, t: Type): boolean {
  if (t.kind !== 'prim') return true;
  switch (t.name) {
    case 'string': case 'date': case 'datetime': return typeof v === 'string';
    case 'int': return Number.isInteger(v);
    case 'decimal': return typeof v === 'number';
    case 'bool': return typeof v === 'boolean';
    default: return true;
  }
}

/** Walks expression nodes (not into lambdas' own scopes' declarations). */
function walkExpr(n: A.Node, visit: (n: A.Node) => boolean): void {
  if (!visit(n)) return;
  for (const v of Object.values(n)) {
    if (Array.isArray(v)) { for (const c of v) if (c && typeof c === 'object' && 'kind' in c) walkExpr(c as A.Node, visit); }
    else if (v && typeof v === 'object' && 'kind' in (v as object) && (v as A.Node).kind !== undefined && !('file' in (v as object))) walkExpr(v as A.Node, visit);
  }
}
