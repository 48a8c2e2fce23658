/**
 * The trigger: exactly one per flow (FLOW1010, FLOW1011 with a FLOW9005 note), known X-Cart events
 * (FLOW2008; Sage Pro has none, FLOW2016), polled Sage Pro entities and their change keys (FLOW2002,
 * FLOW2015), intervals above zero (FLOW1012). Declares `event`, typed by what the trigger delivers.
 * Fixtures: test/fixtures/check/no-trigger.flow, two-triggers.flow, unknown-event.flow,
 * sagepro-event-trigger.flow, unknown-key-field.flow, unpolled-entity.flow, zero-duration.flow
 */
import type * as A from '../../../grammar/ast.js';
import { createRelated } from '../../diagnostics/diagnostic.js';
import { Diagnostics } from '../../diagnostics/messages.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import type { SchemaSet } from '../../schema/load-schemas.js';
import { ANY, DATETIME, STRING, fieldsOf, prim, typeToString, withNullable, type Field, type Type } from '../../schema/types.js';
import { loadVocabulary } from '../../../runtime/vocabulary/vocabulary.js';
import type { CheckContext, Report, Rule } from '../context.js';
import { resolveTypeRef } from './type-ref.js';

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

export const objectType = (fields: Record<string, Type>): Type => ({
  kind: 'object', nullable: false,
  fields: new Map<string, Field>(Object.entries(fields).map(([name, type]) => [name, { name, type, required: true, readOnly: false }])),
});

export const triggerRule: Rule = {
  name: 'trigger',
  begin(ctx) {
    const { flow, report } = ctx;
    const triggers = flow.items.filter((i): i is A.Trigger => i.kind === 'EventTrigger' || i.kind === 'PollTrigger' || i.kind === 'ScheduleTrigger');
    if (triggers.length === 0) report(Diagnostics.Flow_0_has_no_trigger, flow.name.span, [flow.name.text]);
    for (const t of triggers.slice(1)) report(Diagnostics.Flow_0_has_more_than_one_trigger, t.span, [flow.name.text], { related: [createRelated(Diagnostics.The_first_trigger_is_here, triggers[0]!.span)] });
    ctx.trigger = triggers[0];
  },
};

/** Declares `event` and checks the trigger; runs after the tables (whose entries cannot read `event`). */
export const eventRule: Rule = {
  name: 'event',
  begin(ctx: CheckContext) {
    ctx.eventType = eventType(ctx.trigger, ctx.schemas);
    ctx.root.declare('event', { type: ctx.eventType, decl: 'event', used: true, order: 0 });
    if (ctx.trigger) checkTrigger(ctx.trigger, ctx.schemas, ctx.report);
  },
};

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

function checkTrigger(t: A.Trigger, schemas: SchemaSet, report: Report): void {
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
      report(Diagnostics.Entity_0_is_not_polled_1, t.entity.span, [`${e.system}.${e.name}`, polled.join(', ')], { hint: didYouMean(`sagepro.${e.name}`, polled) });
    }
    const fields = fieldsOf(e);
    if (fields) for (const k of t.key) if (!fields.has(k.text)) report(Diagnostics.Unknown_key_field_0_of_1, k.span, [k.text, typeToString(e)], { hint: didYouMean(k.text, fields.keys()) });
  } else if (t.every && t.every.ms <= 0 && t.every.text) {
    report(Diagnostics.Duration_0_is_zero, t.every.span, [t.every.text]);
  }
}
