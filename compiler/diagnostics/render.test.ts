import { describe, expect, test } from 'vitest';
import { LineMap, type Span } from '../../grammar/span.js';
import { createDiagnostic, type Diagnostic } from './diagnostic.js';
import { Diagnostics } from './messages.js';
import { renderBaseline } from './render-baseline.js';
import { renderJson } from './render-json.js';
import { renderPretty } from './render-pretty.js';

const FILE = 'mappings/order.flow';
const SCHEMA = 'sagepro/schemas/order.yaml';
// Line 3 is indented with a tab; line 6 has a tab before the span; the text ends with a newline, so
// the end-of-file position is line 9, column 1.
const SOURCE = [
  'flow OrderToInvoice {',
  '  on xcart.order.created',
  '\tlet amount = order.totl * 1.2',
  '  write xcart.orders.update({',
  '    amount: amount',
  '  })\t# ok',
  '  let amount = 1',
  '',
].join('\n') + '\n';
const map = new LineMap(SOURCE);
const sources = (file: string): string | undefined => (file === FILE ? SOURCE : undefined);

/** The span of the n-th (0-based) occurrence of `needle`, extended by `extra` characters. */
function at(needle: string, n = 0, extra = 0): Span {
  let i = -1;
  for (let k = 0; k <= n; k++) i = SOURCE.indexOf(needle, i + 1);
  if (i < 0) throw new Error(`no ${needle}`);
  return map.span(FILE, i, i + needle.length + extra);
}
const schemaSpan: Span = { file: SCHEMA, start: 20, end: 25, line: 3, column: 3, endLine: 3, endColumn: 8 };

const unknownField = createDiagnostic(Diagnostics.Type_0_has_no_field_1, at('totl'), ['Order', 'totl'], {
  hint: "Did you mean 'total'?", label: 'unknown field',
  related: [{ span: schemaSpan, message: "'Order' is declared here." }],
});
const loop = createDiagnostic(Diagnostics.Write_target_system_0_trigger_loop,
  map.span(FILE, SOURCE.indexOf('xcart.orders'), SOURCE.indexOf('})') + 2), ['xcart']);
const duplicate = createDiagnostic(Diagnostics._0_is_declared_more_than_once, at('amount', 3), ['amount'], {
  label: 'declared again',
  related: [{ span: at('amount'), message: "'amount' was first declared here." }],
});
const eof = createDiagnostic(Diagnostics.Unexpected_0_expected_1, map.span(FILE, SOURCE.length, SOURCE.length), ['end of file', "'}'"]);
const config = createDiagnostic(Diagnostics.Catalog_0_is_invalid_1, undefined, ['sagepro/operations.yaml', "'create' has no 'method'"]);

// Input order is deliberately not position order.
const all: Diagnostic[] = [eof, duplicate, unknownField, config, loop];

describe('fixture', () => {
  test('spans are where the tests assume', () => {
    expect(unknownField.span).toMatchObject({ line: 3, column: 21, endLine: 3, endColumn: 25 });
    expect(loop.span).toMatchObject({ line: 4, column: 9, endLine: 6, endColumn: 5 });
    expect(duplicate.span).toMatchObject({ line: 7, column: 7, endLine: 7, endColumn: 13 });
    expect(eof.span).toMatchObject({ line: 9, column: 1, endLine: 9, endColumn: 1, start: SOURCE.length });
  });
});

describe('renderPretty', () => {
  test('code frames, hint, related notes, tabs, multi-line and end-of-file spans, summary', () => {
    expect(renderPretty([unknownField, loop, duplicate, eof, config], sources)).toBe(`\
error FLOW3001: Type 'Order' has no field 'totl'.
  ┌─ mappings/order.flow:3:21
  │
2 │   on xcart.order.created
3 │     let amount = order.totl * 1.2
  │                        ^^^^ unknown field
  │
  = hint: Did you mean 'total'?
  = note: 'Order' is declared here: sagepro/schemas/order.yaml:3:3

warning FLOW4007: This flow is triggered by xcart and writes back to xcart; make sure the write cannot trigger the flow again.
  ┌─ mappings/order.flow:4:9
  │
3 │     let amount = order.totl * 1.2
4 │   write xcart.orders.update({
  │         ^^^^^^^^^^^^^^^^^^^^^

error FLOW2006: 'amount' is declared more than once in this flow.
  ┌─ mappings/order.flow:7:7
  │
6 │   })    # ok
7 │   let amount = 1
  │       ^^^^^^ declared again
  │
  = note: 'amount' was first declared here: mappings/order.flow:3:6

error FLOW1001: Unexpected end of file; expected '}'.
  ┌─ mappings/order.flow:9:1
  │
8 │
9 │
  │ ^

error FLOW5002: Operation catalog 'sagepro/operations.yaml' is invalid: 'create' has no 'method'.

4 errors, 1 warning
`);
  });

  test('gutter widens for two-digit lines; first line has no context line', () => {
    const text = 'x\n'.repeat(9) + 'let y = 1\n';
    const lm = new LineMap(text);
    const d10 = createDiagnostic(Diagnostics.Let_0_is_never_used, lm.span('a.flow', 22, 23), ['y']);
    const d1 = createDiagnostic(Diagnostics.Unknown_name_0, lm.span('a.flow', 0, 1), ['x']);
    expect(renderPretty([d1, d10], () => text)).toBe(`\
error FLOW2001: Unknown name 'x'.
  ┌─ a.flow:1:1
  │
1 │ x
  │ ^

warning FLOW6004: 'y' is never used.
   ┌─ a.flow:10:5
   │
 9 │ x
10 │ let y = 1
   │     ^

1 error, 1 warning
`);
  });

  test('CRLF line ends; wide characters take two columns', () => {
    const text = 'flow A {\r\n  let 日本 = 😀z\r\n}';
    const lm = new LineMap(text);
    const z = createDiagnostic(Diagnostics.Unknown_name_0, lm.span('w.flow', text.indexOf('z'), text.indexOf('z') + 1), ['z']);
    expect(renderPretty([z], () => text)).toBe(`\
error FLOW2001: Unknown name 'z'.
  ┌─ w.flow:2:14
  │
1 │ flow A {
2 │   let 日本 = 😀z
  │                ^

1 error
`);
  });

  test('missing source: location and notes only', () => {
    expect(renderPretty([unknownField], () => undefined)).toBe(`\
error FLOW3001: Type 'Order' has no field 'totl'.
  ┌─ mappings/order.flow:3:21
  = hint: Did you mean 'total'?
  = note: 'Order' is declared here: sagepro/schemas/order.yaml:3:3

1 error
`);
  });

  test('no diagnostics', () => {
    expect(renderPretty([], sources)).toBe('no problems\n');
  });

  test('color only when asked', () => {
    expect(renderPretty(all, sources)).not.toContain('\x1b[');
    const colored = renderPretty([unknownField, loop], sources, { color: true });
    expect(colored).toContain('\x1b[1m\x1b[31merror FLOW3001\x1b[0m');
    expect(colored).toContain('\x1b[1m\x1b[33mwarning FLOW4007\x1b[0m');
    expect(colored).toContain('\x1b[31m^^^^ unknown field\x1b[0m');
    expect(colored.replace(/\x1b\[\d+m/g, '')).toBe(renderPretty([unknownField, loop], sources));
  });
});

describe('renderBaseline', () => {
  const expected = `\
error FLOW5002: Operation catalog 'sagepro/operations.yaml' is invalid: 'create' has no 'method'.
mappings/order.flow(3,21): error FLOW3001: Type 'Order' has no field 'totl'.
mappings/order.flow(4,9): warning FLOW4007: This flow is triggered by xcart and writes back to xcart; make sure the write cannot trigger the flow again.
mappings/order.flow(7,7): error FLOW2006: 'amount' is declared more than once in this flow.
mappings/order.flow(9,1): error FLOW1001: Unexpected end of file; expected '}'.


!!! error FLOW5002: Operation catalog 'sagepro/operations.yaml' is invalid: 'create' has no 'method'.

==== mappings/order.flow (4 errors) ====
    flow OrderToInvoice {
      on xcart.order.created
    \tlet amount = order.totl * 1.2
    \t                   ~~~~
!!! error FLOW3001: Type 'Order' has no field 'totl'.
!!! hint: Did you mean 'total'?
!!! related FLOW9002 sagepro/schemas/order.yaml:3:3: 'Order' is declared here.
      write xcart.orders.update({
            ~~~~~~~~~~~~~~~~~~~~~
        amount: amount
    ~~~~~~~~~~~~~~~~~~
      })\t# ok
    ~~~~
!!! warning FLOW4007: This flow is triggered by xcart and writes back to xcart; make sure the write cannot trigger the flow again.
      let amount = 1
          ~~~~~~
!!! error FLOW2006: 'amount' is declared more than once in this flow.
!!! related FLOW9004 mappings/order.flow:3:6: 'amount' was first declared here.


    ~
!!! error FLOW1001: Unexpected end of file; expected '}'.
`;

  test('list, then per-file sections with squiggles and !!! lines', () => {
    expect(renderBaseline(all, sources)).toBe(expected);
  });

  test('byte-stable: input order does not matter', () => {
    expect(renderBaseline([...all].reverse(), sources)).toBe(expected);
    expect(renderBaseline([loop, config, eof, unknownField, duplicate], sources)).toBe(expected);
  });

  test('same position sorts by code; related without a known code; missing source', () => {
    const a = createDiagnostic(Diagnostics.Unknown_name_0, at('order', 1), ['order']);
    const b = createDiagnostic(Diagnostics.Let_0_is_never_used, at('order', 1), ['order'], {
      related: [{ span: schemaSpan, message: 'Something else.' }],
    });
    expect(renderBaseline([b, a], () => undefined)).toBe(`\
mappings/order.flow(3,15): error FLOW2001: Unknown name 'order'.
mappings/order.flow(3,15): warning FLOW6004: 'order' is never used.


==== mappings/order.flow (2 errors) ====
!!! error FLOW2001: Unknown name 'order'.
!!! warning FLOW6004: 'order' is never used.
!!! related sagepro/schemas/order.yaml:3:3: Something else.
`);
  });

  test('several files are sorted by name and separated by an empty line', () => {
    const other = 'let z = 1';
    const lm = new LineMap(other);
    const z = createDiagnostic(Diagnostics.Let_0_is_never_used, lm.span('a.flow', 4, 5), ['z']);
    const out = renderBaseline([unknownField, z], (f) => (f === 'a.flow' ? other : sources(f)));
    expect(out.split('\n').slice(0, 9)).toEqual([
      "a.flow(1,5): warning FLOW6004: 'z' is never used.",
      "mappings/order.flow(3,21): error FLOW3001: Type 'Order' has no field 'totl'.",
      '',
      '',
      '==== a.flow (1 errors) ====',
      '    let z = 1',
      '        ~',
      "!!! warning FLOW6004: 'z' is never used.",
      '',
    ]);
    expect(out.split('\n')[9]).toBe('==== mappings/order.flow (1 errors) ====');
  });

  test('no diagnostics renders nothing', () => {
    expect(renderBaseline([], sources)).toBe('');
  });
});

describe('renderJson', () => {
  test('exact field set, in CI order', () => {
    const parsed = JSON.parse(renderJson(all)) as Record<string, unknown>[];
    expect(parsed.map((o) => Object.keys(o))).toEqual([
      ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message'],
      ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message'],
      ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message', 'hint'],
      ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message'],
      ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message'],
    ]);
  });

  test('values', () => {
    expect(renderJson([unknownField, config])).toBe(`[
  {
    "file": "mappings/order.flow",
    "line": 3,
    "column": 21,
    "endLine": 3,
    "endColumn": 25,
    "severity": "error",
    "code": "FLOW3001",
    "message": "Type 'Order' has no field 'totl'.",
    "hint": "Did you mean 'total'?"
  },
  {
    "file": null,
    "line": null,
    "column": null,
    "endLine": null,
    "endColumn": null,
    "severity": "error",
    "code": "FLOW5002",
    "message": "Operation catalog 'sagepro/operations.yaml' is invalid: 'create' has no 'method'."
  }
]
`);
    const warning = JSON.parse(renderJson([loop])) as { severity: string; code: string; endLine: number }[];
    expect(warning[0]).toMatchObject({ severity: 'warning', code: 'FLOW4007', line: 4, endLine: 6, endColumn: 5 });
    expect(renderJson([])).toBe('[]\n');
  });
});
