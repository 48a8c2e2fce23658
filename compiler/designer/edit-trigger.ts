/**
 * setTrigger: the trigger's interval (`on every 5m poll ...`, `on schedule every 1h`), its event
 * (`on xcart.order.created`), its polled entity, or the whole trigger after `on`. Only the part
 * named changes.
 */
import type * as A from '../../grammar/ast.js';
import type { TextEdit } from './api.js';
import type { Internal } from './model.js';
import { EditRefused } from './refused.js';
import { minimal, type Text } from './text.js';

const DURATION = /^\d+(\.\d+)?(ms|s|m|h|d)$/;

export interface TriggerChange { readonly interval?: string; readonly event?: string; readonly entity?: string; readonly trigger?: string }

export function setTrigger(a: Internal, t: Text, c: TriggerChange): TextEdit[] {
  const trig = a.flow?.items.find((i): i is A.Trigger => !!i && (i.kind === 'EventTrigger' || i.kind === 'PollTrigger' || i.kind === 'ScheduleTrigger'));
  if (!trig) throw new EditRefused('the flow has no trigger');
  const edits: TextEdit[] = [];
  if (c.trigger !== undefined) {
    const body = c.trigger.trim().replace(/^on\s+/, '');
    if (!body) throw new EditRefused('an empty trigger');
    const on = t.text.indexOf('on', trig.span.start);
    return [minimal(t.text, on + 2, trig.span.end, ` ${body}`)];
  }
  if (c.interval !== undefined) {
    const iv = c.interval.trim();
    if (!DURATION.test(iv)) throw new EditRefused(`'${c.interval}' is not an interval (5m, 30s, 1h, 1d)`, trig.span);
    const every = trig.kind === 'PollTrigger' ? trig.every : trig.kind === 'ScheduleTrigger' ? trig.every : undefined;
    if (!every) throw new EditRefused(trig.kind === 'EventTrigger'
      ? 'an event trigger has no interval: change the trigger to a poll (trigger: "every 5m poll <entity>") instead'
      : 'this schedule is a cron expression, not an interval: change the trigger instead', trig.span);
    edits.push(minimal(t.text, every.span.start, every.span.end, iv));
  }
  if (c.event !== undefined) {
    if (trig.kind !== 'EventTrigger') throw new EditRefused('the trigger is not an event trigger: change the trigger instead', trig.span);
    const ev = c.event.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(ev)) throw new EditRefused(`'${c.event}' is not an event (xcart.order.created)`, trig.span);
    const full = ev.split('.').length >= 3 ? ev : `${trig.system.text}.${ev}`;
    edits.push(minimal(t.text, trig.system.span.start, trig.event[trig.event.length - 1]!.span.end, full));
  }
  if (c.entity !== undefined) {
    if (trig.kind !== 'PollTrigger') throw new EditRefused('the trigger polls no entity: change the trigger instead', trig.span);
    const en = c.entity.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(en)) throw new EditRefused(`'${c.entity}' is not an entity (sagepro.InventoryLevel)`, trig.span);
    edits.push(minimal(t.text, trig.entity.span.start, trig.entity.span.end, en));
  }
  if (!edits.length) throw new EditRefused('setTrigger needs interval, event, entity or trigger');
  return edits;
}
