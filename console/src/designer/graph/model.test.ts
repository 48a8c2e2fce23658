// The graph the designer page draws from a model, and the changed lines it highlights (pure, no DOM).
import { describe, expect, it } from 'vitest';
import { graphOf, type DesignModel } from './model.js';
import { changedLines } from '../text/changed.js';

const span = (line: number, endLine = line) => ({ start: 0, end: 0, line, column: 3, endLine, endColumn: 9 });
const model: DesignModel = {
  name: 'F',
  trigger: { kind: 'event', system: 'xcart', event: 'order.created', text: 'on xcart.order.created', span: span(2) },
  steps: [
    { key: 'fetch:order', kind: 'fetch', word: 'fetch', label: 'order', operation: 'xcart.orders.get', deps: [], span: span(4) },
    { key: 'skip#1', kind: 'skip', word: 'skip', label: 'skip when', condition: 'order.order_number == null', deps: ['fetch:order'], span: span(5) },
    { key: 'let:email', kind: 'let', word: 'let', label: 'email', deps: ['fetch:order'], span: span(6) },
    { key: 'map:so', kind: 'map', word: 'map', label: 'so', deps: ['fetch:order', 'let:email'], span: span(7, 12) },
    { key: 'write:so', kind: 'write', word: 'write', label: 'sagepro.sales_orders.create', operation: 'sagepro.sales_orders.create', condition: 'so.total > 0', deps: ['map:so'], span: span(13),
      policies: [{ key: 'write:so/policy:conflict', class: 'conflict', then: 'skip', text: 'on conflict skip', step: 'write:so' }] },
    { key: 'warn#1', kind: 'generic', word: 'warn', label: 'warn', deps: [], span: span(14) },
  ],
  policies: [{ key: 'policy:transient', class: 'transient', retry: { for: '24h' }, then: 'dead_letter', text: 'on transient retry for 24h then dead_letter', span: span(16) }],
  maps: [{ key: 'map:so', name: 'so', target: 'sagepro.SalesOrder', unmappedRequired: ['customer'] }],
};

describe('designer graph model', () => {
  it('a node per step, the trigger and each flow policy; edges from what a step reads, else from the step before', () => {
    const g = graphOf(model);
    expect(g.nodes.map((n) => [n.id, n.kind, n.line])).toEqual([
      ['trigger', 'trigger', 2], ['fetch:order', 'fetch', 4], ['skip#1', 'skip', 5], ['let:email', 'let', 6],
      ['map:so', 'map', 7], ['write:so', 'write', 13], ['warn#1', 'step', 14], ['policy:transient', 'policy', 16],
    ]);
    expect(g.edges.map((e) => e.id)).toEqual([
      'trigger->fetch:order', 'fetch:order->skip#1', 'fetch:order->let:email', 'fetch:order->map:so', 'let:email->map:so',
      'map:so->write:so', 'write:so->warn#1', 'write:so->policy:transient',
    ]);
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    expect(byId.get('write:so')!.detail).toBe('when so.total > 0 · 1 own policy');
    expect(byId.get('map:so')!.detail).toBe('→ sagepro.SalesOrder · 1 required unmapped');
    expect(byId.get('trigger')!.label).toBe('xcart.order.created');
    expect(byId.get('policy:transient')!.label).toBe('transient retry for 24h then dead_letter');
    expect(byId.get('warn#1')!.word).toBe('warn');
  });

  it('changed lines: the region between the common head and tail of the texts', () => {
    expect(changedLines('a\nb\nc\n', 'a\nb\nx\ny\nc\n')).toEqual([3, 4]);
    expect(changedLines('a\r\nb\r\nc\r\n', 'a\r\nB\r\nc\r\n')).toEqual([2]);
    expect(changedLines('a\nb\nc\n', 'a\nc\n')).toEqual([2]);
    expect(changedLines('same', 'same')).toEqual([]);
  });
});
