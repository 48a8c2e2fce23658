/**
 * The kitchen sink (test/fixtures/kitchen-sink.flow) uses every syntax form. This checks:
 *  - the printer round trip: parse → print → parse gives the same tree (spans stripped), and printing
 *    again gives the same text;
 *  - the sink checks cleanly against mappings/schemas (lookup files from test/fixtures/lookups);
 *  - the file builds, and the generated TypeScript type-checks;
 *  - every AST node kind (and every operator, policy and trigger form) occurs in it, so a new
 *    construct must be added here.
 *
 * Each flow is also checked on its own (the file text with the other flows' lines blanked, so line
 * numbers stay those of the whole file), so a failure names the flow it is in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse, walk, type FlowFile, type Node } from '../grammar/index.js';
import { print } from '../grammar/print.js';
import { compileSource, type Program } from '../compiler/program.js';
import { DiagnosticBag } from '../compiler/diagnostics/diagnostic.js';
import { renderBaseline } from '../compiler/diagnostics/render-baseline.js';
import { loadSchemas } from '../compiler/schema/load-schemas.js';
import { buildProgram } from '../compiler/emitter/build.js';

const FILE = 'test/fixtures/kitchen-sink.flow';
const SCHEMAS = path.resolve('mappings/schemas');
const LOOKUPS = path.resolve('test/fixtures/lookups');
const text = fs.readFileSync(FILE, 'utf8');
const schemas = loadSchemas(SCHEMAS, process.cwd());

function stripSpans(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripSpans);
  if (!x || typeof x !== 'object') return x;
  return Object.fromEntries(Object.entries(x)
    .filter(([k, v]) => k !== 'span' && k !== 'opSpan' && k !== 'elseSpan' && v !== undefined)
    .map(([k, v]) => [k, stripSpans(v)]));
}

/** Each flow's text: the whole file with the other flows' lines (and comments between) blanked. */
function flowChunks(src: string): { name: string; text: string }[] {
  const lines = src.split('\n');
  const starts = lines.flatMap((l, i) => (/^flow /.test(l) ? [i] : []));
  return starts.map((s, k) => {
    const e = starts[k + 1] ?? lines.length;
    return { name: /^flow (\w+)/.exec(lines[s]!)![1]!, text: lines.map((l, i) => (i >= s && i < e ? l : '')).join('\n') };
  });
}

function compile(src: string): Program {
  const bag = new DiagnosticBag();
  bag.addAll(schemas.diagnostics);
  const unit = compileSource(src, FILE, path.resolve(FILE), schemas, LOOKUPS, process.cwd(), bag);
  return {
    units: [unit], schemas, schemasDir: SCHEMAS, lookupsDir: LOOKUPS, diagnostics: bag.sorted(), hasErrors: bag.hasErrors,
    source: (f) => (f === FILE ? src : schemas.sources.get(f)),
  };
}

function parseClean(src: string): FlowFile {
  const r = parse(src, FILE);
  expect(r.issues.map((i) => `${i.span.line}:${i.span.column} ${i.args.join(' / ')}`)).toEqual([]);
  return r.ast;
}

function expectRoundTrip(src: string): void {
  const ast = parseClean(src);
  const printed = print(ast);
  const again = parseClean(printed);
  expect(stripSpans(again)).toEqual(stripSpans(ast));
  expect(print(again)).toBe(printed);
}

const chunks = flowChunks(text);

test('the sink has several flows', () => {
  expect(chunks.map((c) => c.name)).toEqual(['OrderToSalesOrder', 'StockToXcart', 'ShipChangedOrders', 'NightlyCoupon']);
});

describe.each(chunks)('flow $name', ({ text: src }) => {
  test('round trip through print', () => { expectRoundTrip(src); });

  test('checks clean', () => {
    const p = compile(src);
    expect(renderBaseline(p.diagnostics, p.source)).toBe('');
    expect(p.units[0]!.models).toHaveLength(1);
  });

});

test('every syntax form occurs', () => {
  const kinds = new Set<string>();
  const ops = new Set<string>();
  const forms = new Set<string>();
  for (const { text: src } of chunks) {
    for (const flow of parseClean(src).flows) {
      walk(flow, (n: Node) => {
        kinds.add(n.kind);
        if (n.kind === 'Binary' || n.kind === 'Unary') ops.add(n.op);
        if (n.kind === 'ScheduleTrigger') forms.add(n.cron ? 'schedule-cron' : 'schedule-every');
        if (n.kind === 'PollTrigger' && n.changed && n.key.length > 1) forms.add('poll-changed-key');
        if (n.kind === 'TableDecl') forms.add(`table-${n.from ? 'file' : 'inline'}-${n.missing?.action ?? 'none'}`);
        if (n.kind === 'Policy') {
          if (n.retry?.max_) forms.add('retry-backoff-range');
          if (n.alert) forms.add('alert');
          if (n.then) forms.add('then');
        }
        if ((n.kind === 'Fetch' || n.kind === 'Lookup' || n.kind === 'Write') && n.policies.length) forms.add(`${n.kind}-policies`);
        if ((n.kind === 'Let' || n.kind === 'Fetch' || n.kind === 'Lookup') && n.type) forms.add(`${n.kind}-typed`);
        if (n.kind === 'Write' && n.as) forms.add('write-as');
        if (n.kind === 'Idempotency' && n.keep) forms.add('keep');
        if (n.kind === 'SkipWhen' && n.reason) forms.add('because');
        if (n.kind === 'Warn') forms.add(n.when ? 'warn-when' : 'warn');
        if (n.kind === 'Each' && n.where && n.skipInvalid) forms.add('each-where-skip');
        if (n.kind === 'WhenBlock' && n.else) forms.add('when-else');
        if (n.kind === 'Match' && n.otherwise && n.arms.some((a) => a.patterns.length > 1)) forms.add('match-alternatives-else');
        if (n.kind === 'Member' && n.optional) forms.add('optional-member');
        if (n.kind === 'Arg' && n.name) forms.add('named-arg');
        if (n.kind === 'MapDecl' && n.source) forms.add('map-source');
        if (n.kind === 'Flow' && n.description !== undefined) forms.add('description');
      });
    }
  }
  // Every kind of ast.ts except the recovery node.
  expect([...kinds].sort()).toEqual([
    'Arg', 'Assignment', 'Binary', 'BoolLit', 'Call', 'Duration', 'Each', 'EventTrigger', 'Fetch', 'Flow', 'HoldWhenAnomaly', 'Ident', 'Idempotency',
    'If', 'Index', 'Lambda', 'Let', 'ListExpr', 'Lookup', 'MapDecl', 'Match', 'MatchArm', 'Member', 'MissingPolicy', 'Name',
    'NullLit', 'NumberLit', 'ObjectExpr', 'PollTrigger', 'Policy', 'Reject', 'Require', 'ScheduleTrigger', 'SkipWhen', 'StringLit',
    'TableDecl', 'TableEntry', 'TypeRef', 'Unary', 'Warn', 'WhenBlock', 'Write',
  ].sort());
  expect([...ops].sort()).toEqual(['!', '!=', '%', '&&', '*', '+', '-', '/', '<', '<=', '==', '>', '>=', '??', '||'].sort());
  expect([...forms].sort()).toEqual([
    'Fetch-policies', 'Fetch-typed', 'Let-typed', 'Lookup-policies', 'Lookup-typed', 'Write-policies', 'alert', 'because',
    'description', 'each-where-skip', 'keep', 'map-source', 'match-alternatives-else', 'named-arg', 'optional-member',
    'poll-changed-key', 'retry-backoff-range', 'schedule-cron', 'schedule-every', 'table-file-reject', 'table-inline-default',
    'table-inline-null', 'then', 'warn', 'warn-when', 'when-else', 'write-as',
  ].sort());
  // The keyword spellings of the logical operators are in the source too (the AST does not keep them).
  for (const word of [' and ', ' or ', ' not ', '&&', '||', '!(']) expect(text).toContain(word);
});

test('the whole file checks clean', () => {
  const p = compile(text);
  expect(renderBaseline(p.diagnostics, p.source)).toBe('');
  expect(p.units[0]!.models.map((m) => m.flow.name.text)).toEqual(chunks.map((c) => c.name));
});

test('the whole file round-trips through print', () => {
  expectRoundTrip(text);
});

test('the whole file builds; the generated TypeScript type-checks', () => {
  const out = buildProgram(compile(text), { typeCheck: true, emitJs: false });
  expect(out.typeErrors).toEqual([]);
  expect(out.flows.map((f) => f.name).sort()).toEqual(chunks.map((c) => c.name).sort());
});
