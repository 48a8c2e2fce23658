/**
 * `flowc suggest` output. Text: per target field, its type and column, then the suggestions best first
 * with confidence, the check and the signals behind each; `--format json`: SuggestResult.targets as an
 * array (compiler/README.md, "flowc suggest").
 */
import type { SuggestResult, TargetSuggestions } from './types.js';

function targetLine(t: TargetSuggestions): string {
  return [t.target, t.type, t.column, t.required ? 'required' : undefined, t.via ? `from ${t.via}` : undefined].filter(Boolean).join('  ');
}

export function renderText(r: SuggestResult): string {
  const out: string[] = [];
  const head = r.map ? `${r.from} -> ${r.to}: map ${r.map} in ${r.file}, ${r.targets.length} unmapped target field${r.targets.length === 1 ? '' : 's'}` : `${r.from} -> ${r.to}: ${r.targets.length} target field${r.targets.length === 1 ? '' : 's'}`;
  out.push(head);
  for (const t of r.targets) {
    out.push('', targetLine(t));
    if (t.suggestions.length === 0) { out.push('  no suggestion (no source value reaches the confidence threshold)'); continue; }
    let n = 0;
    for (const s of t.suggestions) {
      const check = s.check === 'ok'
        ? (s.fixtures ? (s.fixtures.reason ? `type-checked, fixtures ${s.fixtures.reason}` : s.fixtures.confirmed ? `type-checked, fixtures: ${s.fixtures.confirmed} of ${s.fixtures.cases} cases agree` : `type-checked, fixtures: ${s.fixtures.cases} cases run, none records the field`) : 'type-checked')
        : s.check === 'unchecked' ? 'not checked' : 'REJECTED';
      const label = s.check === 'failed' ? '  x.' : `  ${++n}.`;
      out.push(`${label} ${t.target.split('.').pop()!.replace('[]', '')} = ${s.expression}`);
      out.push(`       confidence ${s.confidence.toFixed(2)}, ${check}${s.reason ? `: ${s.reason}` : ''}`);
      for (const g of s.signals) out.push(`       ${g.signal.padEnd(12)} ${g.score.toFixed(2)}  ${g.reason}`);
    }
  }
  return out.join('\n') + '\n';
}

export function renderJson(r: SuggestResult): string {
  return JSON.stringify(r.targets, null, 2) + '\n';
}
