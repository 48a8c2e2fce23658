/** The grammar itself: Chevrotain's validations (skipped at run time for speed) must pass. */
import { describe, expect, it } from 'vitest';
import { FlowParser } from './parser.js';
import { parse } from './index.js';

describe('FlowParser', () => {
  it('passes Chevrotain grammar validation (no ambiguity, no left recursion)', () => {
    expect(() => new FlowParser(/*validateGrammar*/ true)).not.toThrow();
  });

  it('parses several flows in one file and keeps a policy from swallowing the next statement', () => {
    const { ast, issues } = parse([
      'flow A "a"', '  on xcart.order.created', '  on transient retry 2 then dead_letter', '  on invalid skip', '  skip when event.id == null',
      'flow B', '  on schedule every 1h', '  write sagepro.gl.accounts()',
    ].join('\n'), 'x.flow');
    expect(issues).toEqual([]);
    expect(ast.flows.map((f) => f.name.text)).toEqual(['A', 'B']);
    expect(ast.flows[0]!.items.map((i) => i.kind)).toEqual(['EventTrigger', 'Policy', 'Policy', 'SkipWhen']);
  });

  it('tells a lambda from a name and an assignment from a when-block by lookahead alone', () => {
    const { ast, issues } = parse('flow A\n  on xcart.order.created\n  map x: sagepro.SalesOrder { when = count(xs, x => x.a) ; when true { a = 1 } }', 'x.flow');
    expect(issues).toEqual([]);
    const body = (ast.flows[0]!.items[1] as unknown as { body: { members: { kind: string }[] } }).body;
    expect(body.members.map((m) => m.kind)).toEqual(['Assignment', 'WhenBlock']);
  });
});
