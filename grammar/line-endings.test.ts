/**
 * Line endings and positions. An editor (VS Code) breaks lines at "\r\n", "\n" and a lone "\r",
 * and counts columns in UTF-16 code units from the line start. Every line-ending style must
 * tokenise and parse the same, and every span's line and column must be the editor's.
 * The editor model here is written independently of LineMap (a split on /\r\n|\r|\n/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lexer } from 'chevrotain';
import { allTokens } from './tokens.js';
import { parse, walk, type Node } from './index.js';
import { print } from './print.js';

const lexer = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations: true });

const SOURCES = ['test/fixtures/kitchen-sink.flow', 'test/fixtures/fuzz-seed.flow',
  ...fs.readdirSync('mappings').filter((f) => f.endsWith('.flow')).sort().map((f) => path.join('mappings', f))];

type Style = 'lf' | 'crlf' | 'cr' | 'mixed';
function withEndings(text: string, style: Style): string {
  const lines = text.split(/\r\n|\r|\n/);
  if (style === 'mixed') return lines.map((l, i) => l + (i === lines.length - 1 ? '' : ['\r', '\r\n', '\n'][i % 3])).join('');
  return lines.join({ lf: '\n', crlf: '\r\n', cr: '\r' }[style]);
}

/** (line, column) of an offset as VS Code shows it. */
export function editorPosition(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n|\r|\n/);
  // An offset between the "\r" and "\n" of one line break is still on the line the break ends.
  if (before.endsWith('\r') && text[offset] === '\n') return { line: lines.length - 1, column: lines[lines.length - 2]!.length + 2 };
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

function tokens(text: string): string[] {
  return lexer.tokenize(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

describe('line endings', () => {
  for (const file of SOURCES) {
    const lf = withEndings(fs.readFileSync(file, 'utf8'), 'lf');
    it(`${file}: LF, CRLF, CR and mixed line endings give the same tokens and the same tree`, () => {
      const want = tokens(lf);
      const wantTree = print(parse(lf, 'x.flow').ast);
      expect(wantTree).not.toBe('');
      for (const style of ['crlf', 'cr', 'mixed'] as const) {
        const text = withEndings(lf, style);
        expect(tokens(text), style).toEqual(want);
        const { ast, issues } = parse(text, 'x.flow');
        expect(issues, style).toEqual([]);
        expect(print(ast), style).toBe(wantTree);
      }
    });
    it(`${file}: every span's line and column are the editor's, for every line-ending style`, () => {
      for (const style of ['lf', 'crlf', 'cr', 'mixed'] as const) {
        const text = withEndings(lf, style);
        let checked = 0;
        walk(parse(text, 'x.flow').ast as Node, (n) => {
          const s = n.span;
          if (n.kind === 'FlowFile') return;
          expect({ line: s.line, column: s.column }, `${style} ${n.kind} at ${s.start}`).toEqual(editorPosition(text, s.start));
          expect({ line: s.endLine, column: s.endColumn }, `${style} end of ${n.kind} at ${s.end}`).toEqual(editorPosition(text, s.end));
          checked++;
        });
        expect(checked).toBeGreaterThan(20);
      }
    });
  }

  it('a line comment ends at a lone CR: a CR-only file still defines its flow', () => {
    const text = '// a comment\rflow A\r  on xcart.order.created // trailing\r  write xcart.orders.set_payment_status(order_id: 1, code: "P")\r';
    const { ast, issues } = parse(text, 'x.flow');
    expect(issues).toEqual([]);
    expect(ast.flows.map((f) => f.name.text)).toEqual(['A']);
    expect(ast.flows[0]!.items.map((i) => i.kind)).toEqual(['EventTrigger', 'Write']);
  });

  it('a string ends at a lone CR like at LF: FLOW1002 on the line of the quote', () => {
    const text = 'flow A\r  on xcart.order.created\r  let x = "open\r  let y = 1\r';
    const { issues } = parse(text, 'x.flow');
    const unterminated = issues.find((i) => i.code === 1002);
    expect(unterminated?.span).toMatchObject({ line: 3, column: 11, endLine: 3, endColumn: 16 });
  });

  it('positions after invalid UTF-8 (U+FFFD) and astral characters count UTF-16 units, and a lexer error covers whole characters', () => {
    const bytes = Buffer.concat([Buffer.from('flow A\r\n  on xcart.order.created\r  let x = "'), Buffer.from([0xe2, 0x82, 0xff]),
      Buffer.from('😀" @ 😀\n  let y = #\n')]);
    const text = bytes.toString('utf8');
    const { issues } = parse(text, 'x.flow');
    expect(issues.map((i) => i.code)).toEqual([1003, 1003, 1003, 1001]);
    for (const i of issues) {
      expect({ line: i.span.line, column: i.span.column }).toEqual(editorPosition(text, i.span.start));
      expect({ line: i.span.endLine, column: i.span.endColumn }).toEqual(editorPosition(text, i.span.end));
      // Never half a surrogate pair.
      expect(text.charCodeAt(i.span.end) >= 0xdc00 && text.charCodeAt(i.span.end) <= 0xdfff).toBe(false);
    }
    expect(issues[2]!.span).toMatchObject({ line: 4, column: 11 });
  });
});
