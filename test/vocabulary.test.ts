/**
 * One vocabulary (issue 10 item 1): the events the checker accepts are exactly the events the
 * runtime's triggers produce, and both read the same data (mappings/schemas/xcart/events.yaml,
 * mappings/schemas/sagepro/events.yaml, mappings/schemas/policy.yaml). The producers are asked by
 * running them (the X-Cart poll's event derivation, the push parser), not by reading the YAML again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileSource } from '../compiler/program.js';
import { DiagnosticBag } from '../compiler/diagnostics/diagnostic.js';
import { ERROR_CLASSES, loadSchemas } from '../compiler/schema/load-schemas.js';
import { DEFAULT_TRANSIENT_RETRY } from '../compiler/checker/model.js';
import { orderEvents, jobsForXcartEvent } from '../runtime/triggers/routing.js';
import { parsePushBody } from '../runtime/http/push.js';
import { DEFAULT_RETRY, KNOWN_CLASSES } from '../runtime/engine/policy.js';
import { loadVocabulary, VocabularyError } from '../runtime/vocabulary/vocabulary.js';
import type { LoadedFlow } from '../runtime/engine/flows.js';
import { POLL_NEEDS as SAGEPRO_POLL_NEEDS } from '../runtime/connectors/sagepro/preflight.js';

const SCHEMAS = path.resolve('mappings/schemas');
const schemas = loadSchemas(SCHEMAS, process.cwd());

function diagnosticsOf(text: string): { code: number; message: string }[] {
  const bag = new DiagnosticBag();
  compileSource(text, 'vocabulary.flow', path.resolve('vocabulary.flow'), schemas, path.resolve('mappings/lookups'), process.cwd(), bag);
  return bag.sorted().map((d) => ({ code: d.code, message: d.message }));
}

/** Does `flowc` accept `on xcart.<event>` (no FLOW2008)? */
const checkerAccepts = (event: string) => !diagnosticsOf(`flow F\n  on xcart.${event}\n  skip when true because "x"\n`).some((d) => d.code === 2008);

/** Every event the X-Cart poll derives from orders in every state it can see. */
function pollProduces(): Set<string> {
  const out = new Set<string>();
  for (const pay of [null, 'Q', 'P', 'A', 'PP', 'D']) for (const ship of [null, 'N', 'S', 'D']) {
    for (const e of orderEvents({ id: 1, update_date: '2026-01-01T00:00:00Z', payment_status: pay ? { code: pay } : null, shipping_status: ship ? { code: ship } : null })) out.add(e.type);
  }
  return out;
}

/** Does POST /hooks/xcart accept a well-formed push of this type? */
const pushAccepts = (type: string) => parsePushBody(Buffer.from(JSON.stringify({ type, id: 7, occurred_at: '2026-01-01T00:00:00Z', data: {} }))).ok;

// Names anyone has used for X-Cart events, so that an event dropped from one side is still asked about.
const CANDIDATES = ['order.created', 'order.updated', 'order.paid', 'order.shipped', 'order.deleted', 'customer.created', 'customer.updated', 'customer.deleted', 'product.created', 'product.updated'];

describe('X-Cart events: the checker and the triggers agree', () => {
  const vocabulary = loadVocabulary();
  const names = [...new Set([...CANDIDATES, ...vocabulary.xcartEvents.keys(), ...pollProduces()])].sort();
  const produced = new Set([...pollProduces(), ...names.filter(pushAccepts)]);

  test('the checker accepts an event exactly when some trigger produces it', () => {
    const accepted = names.filter(checkerAccepts);
    expect(accepted.filter((e) => !produced.has(e)), 'accepted by flowc, produced by no trigger').toEqual([]);
    expect([...produced].filter((e) => !accepted.includes(e)), 'produced by a trigger, unknown to flowc').toEqual([]);
    expect(accepted.sort()).toEqual([...vocabulary.xcartEvents.keys()].sort());
  });

  test("each event's triggers in events.yaml are the ones that really produce it", () => {
    const poll = pollProduces();
    for (const e of vocabulary.xcartEvents.values()) {
      expect({ event: e.name, poll: poll.has(e.name), push: pushAccepts(e.name) }).toEqual({ event: e.name, poll: e.triggers.includes('xcart-poll'), push: e.triggers.includes('xcart-push') });
    }
  });

  test('product.updated is not accepted (no trigger produces it) and says which events exist', () => {
    const d = diagnosticsOf('flow F\n  on xcart.product.updated\n  skip when true because "x"\n').find((x) => x.code === 2008);
    expect(d?.message).toContain("Unknown X-Cart event 'product.updated'");
    expect(d?.message).toContain('customer.created');
  });

  test('the dedupe rule of events.yaml decides the job key', () => {
    const flow = (event: string) => new Map([['F', { name: 'F', version: 'v1', module: { meta: { trigger: { kind: 'event', system: 'xcart', event } } } } as unknown as LoadedFlow]]);
    for (const e of vocabulary.xcartEvents.values()) {
      const [job] = jobsForXcartEvent(flow(e.name), { type: e.name, entityId: '5', updatedAt: '2026-01-01T00:00:00Z', data: {} });
      expect({ event: e.name, keyed: job?.dedupeKey !== undefined }).toEqual({ event: e.name, keyed: e.dedupe === 'once' });
    }
    expect(() => jobsForXcartEvent(flow('product.updated'), { type: 'product.updated', entityId: '5', updatedAt: 'x', data: {} })).toThrow(/not in mappings\/schemas\/xcart\/events.yaml/);
  });
});

describe('Sage Pro polls: the checker accepts what the poller polls', () => {
  const vocabulary = loadVocabulary();
  const pollDiags = (ref: string) => diagnosticsOf(`flow P\n  on every 5m poll ${ref}\n  skip when true because "x"\n`).filter((d) => d.code === 2002);

  test('every polled entity is accepted; its watched entity and read operation exist', () => {
    for (const p of vocabulary.sagepro.polled.values()) {
      expect({ entity: p.entity, diags: pollDiags(`sagepro.${p.entity}`) }).toEqual({ entity: p.entity, diags: [] });
      expect(schemas.entities.has(`sagepro.${p.watch}`), `sagepro.${p.watch}`).toBe(true);
      if (p.read) {
        const op = schemas.operations.get(`sagepro.${p.read}`);
        expect(op?.kind, `sagepro.${p.read}`).toBe('read');
        expect(op?.params.map((x) => x.name), `sagepro.${p.read} parameters`).toContain(p.readKey);
      }
    }
  });

  test('flowd doctor knows the tables of every polled entity, and of no other', () => {
    expect(Object.keys(SAGEPRO_POLL_NEEDS).sort()).toEqual([...vocabulary.sagepro.polled.keys()].sort());
  });

  test('an entity no trigger polls is refused (poll xcart.Product, poll sagepro.Invoice)', () => {
    expect(pollDiags('xcart.Product')[0]?.message).toMatch(/Unknown entity 'xcart\.Product' in a poll trigger \(flowd polls sagepro\.SalesOrder, /);
    expect(pollDiags('sagepro.Invoice')).toHaveLength(1);
  });
});

describe('error classes and the default retry: one source', () => {
  test('the checker and the engine read the same classes and default retry', () => {
    const v = loadVocabulary();
    expect([...KNOWN_CLASSES]).toEqual(v.errorClasses);
    expect([...ERROR_CLASSES]).toEqual(v.errorClasses);
    expect(DEFAULT_RETRY).toEqual(v.defaultRetry);
    expect(DEFAULT_TRANSIENT_RETRY).toEqual(v.defaultRetry);
  });
});

describe('bad vocabulary data names the file, the key and why', () => {
  const copy = (edit: (dir: string) => void) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vocab-'));
    fs.cpSync(SCHEMAS, dir, { recursive: true });
    edit(dir);
    return dir;
  };
  test.each([
    ['an unknown trigger kind', (d: string) => fs.writeFileSync(path.join(d, 'xcart/events.yaml'), fs.readFileSync(path.join(d, 'xcart/events.yaml'), 'utf8').replace('triggers: [xcart-push]\n    dedupe: once', 'triggers: [xcart-webhook]\n    dedupe: once')), /xcart[/\\]events\.yaml: events\.customer\.created\.triggers: unknown trigger kind "xcart-webhook"/],
    ['a payload type', (d: string) => fs.writeFileSync(path.join(d, 'xcart/events.yaml'), fs.readFileSync(path.join(d, 'xcart/events.yaml'), 'utf8').replace('order_id: int,', 'order_id: integer,')), /events\.order\.created\.payload\.order_id: expected one of string, int/],
    ['a default retry', (d: string) => fs.writeFileSync(path.join(d, 'policy.yaml'), fs.readFileSync(path.join(d, 'policy.yaml'), 'utf8').replace('max: 5', 'max: five')), /policy\.yaml: default_retry\.max: expected a whole number >= 0, found "five"/],
    ['a missing file', (d: string) => fs.rmSync(path.join(d, 'sagepro/events.yaml')), /sagepro[/\\]events\.yaml: \(file\): cannot be read \(ENOENT\)/],
  ])('%s', (_what, edit, message) => {
    const dir = copy(edit);
    try {
      expect(() => loadVocabulary(dir)).toThrow(VocabularyError);
      expect(() => loadVocabulary(dir)).toThrow(message);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });
});
