/**
 * The printer: exact canonical text for each construct, parentheses only where precedence needs
 * them, string escapes, and the round-trip property `parse(print(parse(x))) == parse(x)` (spans
 * stripped) plus idempotence `print(parse(print(ast))) == print(ast)`.
 */
import { describe, expect, test } from 'vitest';
import { parse, type FlowFile } from './index.js';
import { print, quote } from './print.js';

/** The tree without positions: what the round trip must preserve. */
export function stripSpans(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripSpans);
  if (!x || typeof x !== 'object') return x;
  return Object.fromEntries(Object.entries(x)
    .filter(([k, v]) => k !== 'span' && k !== 'opSpan' && k !== 'elseSpan' && v !== undefined)
    .map(([k, v]) => [k, stripSpans(v)]));
}

function parseClean(text: string): FlowFile {
  const r = parse(text, 'test.flow');
  expect(r.issues.map((i) => `${i.span.line}:${i.span.column} ${i.args.join(' / ')}`)).toEqual([]);
  return r.ast;
}

/** Asserts the round trip and idempotence; returns the canonical text. */
function roundTrip(text: string): string {
  const ast = parseClean(text);
  const printed = print(ast);
  const again = parseClean(printed);
  expect(stripSpans(again)).toEqual(stripSpans(ast));
  expect(print(again)).toBe(printed);
  return printed;
}

/** Canonical text of the expression in `let x = <expr>`. */
function expr(text: string): string {
  const out = roundTrip(`flow F\n  let x = ${text}\n`);
  return out.replace(/^flow F\n {2}let x = /, '').replace(/\n$/, '');
}

describe('print: expressions', () => {
  test.each([
    ['a + b * c', 'a + b * c'],
    ['(a + b) * c', '(a + b) * c'],
    ['a - (b - c)', 'a - (b - c)'],
    ['(a - b) - c', 'a - b - c'],
    ['a / (b * c) % d', 'a / (b * c) % d'],
    ['a && b || c', 'a and b or c'],
    ['a and (b or c)', 'a and (b or c)'],
    ['!a == b', 'not a == b'],
    ['!(a == b)', 'not (a == b)'],
    ['not not a', 'not not a'],
    ['-(-a)', '- -a'],
    ['-(a + 1)', '-(a + 1)'],
    ['a ?? b ?? c', 'a ?? b ?? c'],
    ['a ?? (b ?? c)', 'a ?? (b ?? c)'],
    ['(a ?? b) == c', '(a ?? b) == c'],
    ['a < b == (c >= d)', 'a < b == c >= d'],
    ['(a == b) == c', 'a == b == c'],
    ['a == (b == c)', 'a == (b == c)'],
    ['a?.b.c[0]', 'a?.b.c[0]'],
    ['(a + b).c', '(a + b).c'],
    ['f(x)(y)', 'f(x)(y)'],
    ['sum(xs, s => s.value * 2)', 'sum(xs, s => s.value * 2)'],
    ['xcart.orders.get(order_id: 5)', 'xcart.orders.get(order_id: 5)'],
    ['(if a then 1 else 2) + 3', '(if a then 1 else 2) + 3'],
    ['if a then b else if c then d else e', 'if a then b else if c then d else e'],
    ['a ?? (reject "no a")', 'a ?? (reject "no a")'],
    ['[1, 2.50, 3d]', '[1, 2.50, 3d]'],
    ['[]', '[]'],
    ['{}', '{}'],
    ['{ a = 1, b = { c = true } }', '{ a = 1; b = { c = true } }'],
    ['match x { 1 | 2 => "a" ; else => null }', 'match x { 1 | 2 => "a"; else => null }'],
    ['match (if a then b else c) { "x" => 1 }', 'match (if a then b else c) { "x" => 1 }'],
    ['each xs ?? ys as i where i > 0 on invalid skip { v = i }', 'each xs ?? ys as i where i > 0 on invalid skip { v = i }'],
    ['(x => x)(1)', '(x => x)(1)'],
  ])('%s', (input, canonical) => {
    expect(expr(input)).toBe(canonical);
  });

  test('long blocks break one member per line; match arms end with a comma', () => {
    expect(expr('match order.payment_status?.code { "P" | "A" | "PP" => "paid" ; "Q" => "queued" ; else => reject "unpaid order" }')).toBe([
      'match order.payment_status?.code {',
      '    "P" | "A" | "PP" => "paid",',
      '    "Q" => "queued",',
      '    else => reject "unpaid order"',
      '  }',
    ].join('\n'));
  });
});

describe('print: strings', () => {
  test.each([
    ['plain', '"plain"'],
    ['quote " and backslash \\', '"quote \\" and backslash \\\\"'],
    ['line\nbreak\ttab\rcr', '"line\\nbreak\\ttab\\rcr"'],
    ['unicode é ✓', '"unicode é ✓"'],
  ])('%j', (value, text) => {
    expect(quote(value)).toBe(text);
    const ast = parseClean(`flow F\n  let x = ${text}\n`);
    const item = ast.flows[0]!.items[0]!;
    expect(item.kind === 'Let' && item.value.kind === 'StringLit' ? item.value.value : undefined).toBe(value);
  });

  test('escapes written in the source come back as their canonical form', () => {
    expect(expr('"a\\u{41}\\q"')).toBe('"aAq"');
  });
});

describe('print: statements', () => {
  test('every statement form, canonical layout', () => {
    const src = [
      'flow A "say \\"hi\\""',
      'on every 5m poll sagepro.InventoryLevel changed key item , location',
      'fetch o : xcart.Order = xcart.orders.get(event.data.order_id) { on transient retry 3 backoff linear 1s..1m }',
      'lookup c: sagepro.Customer? = sagepro.customers.find_by_email(email: o.email) { on invalid skip }',
      'let n: int = 1',
      'idempotency "k-" + o.id keep 30d',
      'require count(o.items) > 0 else "no lines"',
      'skip when o.total == 0 because "free"',
      'skip when false',
      'table t: string -> int { "a" => 1, "b" => -2 } on missing null',
      'table u: int -> string from "u.yaml" on missing default "?"',
      'table v: string -> string { } on missing reject',
      'map o -> so: sagepro.SalesOrder { customer = "C"; when true { notes = "x" } }',
      'map other: sagepro.SalesOrder { }',
      'write sagepro.sales_orders.create(so) as created { on transient alert "ops" then dead_letter }',
      'on error retry 2 backoff fixed then fail',
    ].join('\n');
    expect(roundTrip(src)).toBe([
      'flow A "say \\"hi\\""',
      '  on every 5m poll sagepro.InventoryLevel changed key item, location',
      '  fetch o: xcart.Order = xcart.orders.get(event.data.order_id) { on transient retry 3 backoff linear 1s..1m }',
      '  lookup c: sagepro.Customer? = sagepro.customers.find_by_email(email: o.email) { on invalid skip }',
      '  let n: int = 1',
      '  idempotency "k-" + o.id keep 30d',
      '  require count(o.items) > 0 else "no lines"',
      '  skip when o.total == 0 because "free"',
      '  skip when false',
      '  table t: string -> int { "a" => 1, "b" => -2 } on missing null',
      '  table u: int -> string from "u.yaml" on missing default "?"',
      '  table v: string -> string {} on missing reject',
      '  map o -> so: sagepro.SalesOrder { customer = "C"; when true { notes = "x" } }',
      '  map other: sagepro.SalesOrder {}',
      '  write sagepro.sales_orders.create(so) as created { on transient alert "ops" then dead_letter }',
      '  on error retry 2 backoff fixed then fail',
      '',
    ].join('\n'));
  });

  test.each([
    ['flow A on xcart.order.created write x.y(1)', 'flow A\n  on xcart.order.created\n  write x.y(1)\n'],
    ['flow B on schedule every 1h', 'flow B\n  on schedule every 1h\n'],
    ['flow C on schedule "0 2 * * *"', 'flow C\n  on schedule "0 2 * * *"\n'],
    ['flow D on every 30s poll xcart.Product', 'flow D\n  on every 30s poll xcart.Product\n'],
  ])('trigger: %s', (src, canonical) => {
    expect(roundTrip(src)).toBe(canonical);
  });

  test('several flows are separated by an empty line', () => {
    expect(roundTrip('flow A on xcart.order.created on invalid dead_letter\nflow B on schedule every 1h')).toBe(
      'flow A\n  on xcart.order.created\n  on invalid dead_letter\n\nflow B\n  on schedule every 1h\n');
  });

  test('several policies, at flow level and in a step block', () => {
    expect(roundTrip('flow A write x.y(1) { on transient retry 3 on invalid skip }\non transient retry 2 then fail\non invalid dead_letter\nlet z = 1')).toBe(
      'flow A\n  write x.y(1) { on transient retry 3 on invalid skip }\n  on transient retry 2 then fail\n  on invalid dead_letter\n  let z = 1\n');
  });

  test('a retry budget (retry for <duration>) prints as written; `for` stays an ordinary name elsewhere', () => {
    expect(roundTrip('flow A write x.y(1) { on transient retry for 24h backoff fixed 1m then fail }\non error retry for 90m\nlet for = 1')).toBe(
      'flow A\n  write x.y(1) { on transient retry for 24h backoff fixed 1m then fail }\n  on error retry for 90m\n  let for = 1\n');
    const ast = parseClean('flow A on transient retry for 2h');
    expect((ast.flows[0]!.items[0] as { retry?: unknown }).retry).toMatchObject({ budget: { text: '2h', ms: 7_200_000 } });
    expect(parse('flow A on transient retry for 5 then fail', 'x.flow').issues.map((i) => i.args[1])).toContain('a duration');
  });

  test('a name key of a table is parenthesised (it would read as a lambda)', () => {
    expect(roundTrip('flow A table t: string -> int { (k) => 1, k.x => 2 }')).toBe('flow A\n  table t: string -> int { (k) => 1, k.x => 2 }\n');
  });

  test('keywords used as field names print as written', () => {
    expect(expr('{ default = group.key; when = x.map }')).toBe('{ default = group.key; when = x.map }');
  });

  test('an empty file prints as empty text', () => {
    expect(print(parseClean(''))).toBe('');
  });

  test('recovered holes print as comments and never throw', () => {
    const r = parse('flow A\n  let x = \n  let y = (1 +\n', 'bad.flow');
    expect(r.issues.length).toBeGreaterThan(0);
    expect(() => print(r.ast)).not.toThrow();
  });
});
