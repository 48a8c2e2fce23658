/** Document outline: each flow, with its trigger, steps, tables, maps, writes and policies. */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type * as A from '../../grammar/ast.js';
import { printNode } from '../../grammar/print.js';
import type { Analysis } from './documents/workspace.js';
import { rangeOf } from './nodes.js';

export function documentSymbols(a: Analysis): DocumentSymbol[] {
  return a.ast.flows.filter(Boolean).map((f) => ({
    name: f.name.text, detail: f.description ?? '', kind: SymbolKind.Module,
    range: rangeOf(a.doc, f.span), selectionRange: rangeOf(a.doc, f.name.span),
    children: f.items.filter((i) => i && i.kind !== 'Missing').map((i) => itemSymbol(a, i)),
  }));
}

function itemSymbol(a: Analysis, i: A.FlowItem): DocumentSymbol {
  const sym = (name: string, kind: SymbolKind, detail: string, sel: A.Node['span'] = i.span): DocumentSymbol =>
    ({ name, kind, detail, range: rangeOf(a.doc, i.span), selectionRange: rangeOf(a.doc, sel) });
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').slice(0, 80);
  switch (i.kind) {
    case 'EventTrigger': case 'PollTrigger': case 'ScheduleTrigger': return sym(oneLine(printNode(i)), SymbolKind.Event, 'trigger');
    case 'Fetch': case 'Lookup': return sym(i.name.text, SymbolKind.Variable, `${i.kind.toLowerCase()}${i.type ? `: ${printNode(i.type)}` : ''}`, i.name.span);
    case 'Let': return sym(i.name.text, SymbolKind.Variable, 'let', i.name.span);
    case 'TableDecl': return sym(i.name.text, SymbolKind.Constant, `table ${printNode(i.keyType)} -> ${printNode(i.valueType)}${i.from ? ` from ${i.from.value}` : ''}`, i.name.span);
    case 'MapDecl': return sym(i.name.text, SymbolKind.Struct, `map: ${printNode(i.type)}`, i.name.span);
    case 'Write': return sym(i.as?.text ?? oneLine(printNode(i.call)), SymbolKind.Method, 'write', i.as?.span ?? i.span);
    case 'Policy': return sym(oneLine(printNode(i)), SymbolKind.Property, 'policy');
    default: return sym(oneLine(printNode(i)), SymbolKind.Key, i.kind.toLowerCase());
  }
}
