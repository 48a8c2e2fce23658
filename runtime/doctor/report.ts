/**
 * The doctor's two output formats: a human report grouped by flow and operation, and JSON (an
 * array of findings with the fields flow, operation, check, severity, message, fix).
 */
import type { Finding } from './findings.js';

export function renderJson(findings: readonly Finding[]): string {
  return JSON.stringify(findings.map((f) => ({ flow: f.flow, operation: f.operation, check: f.check, severity: f.severity, message: f.message, fix: f.fix })), null, 2) + '\n';
}

const LABEL = { error: 'error', warning: 'warn ', info: 'info ', ok: 'ok   ' } as const;

export function renderHuman(findings: readonly Finding[], sources: ReadonlyMap<string, string> = new Map()): string {
  const lines: string[] = [];
  const groups = new Map<string, Map<string, Finding[]>>();
  for (const f of findings) {
    const g = groups.get(f.flow) ?? new Map<string, Finding[]>();
    const list = g.get(f.operation) ?? [];
    list.push(f); g.set(f.operation, list); groups.set(f.flow, g);
  }
  for (const [flow, ops] of groups) {
    lines.push(flow === '*' ? 'install' : `${flow}${sources.get(flow) ? ` (${sources.get(flow)})` : ''}`);
    for (const [op, list] of ops) {
      lines.push(`  ${op}`);
      for (const f of list) {
        lines.push(`    ${LABEL[f.severity]} ${f.check === 'operation' ? f.message : `${f.check}: ${f.message}`}`);
        if (f.fix) lines.push(`          fix: ${f.fix}`);
      }
    }
  }
  const n = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  const errors = n('error'), warnings = n('warning');
  lines.push('');
  lines.push(errors === 0
    ? `everything will work on this install (${warnings} warning${warnings === 1 ? '' : 's'})`
    : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}: some flows will not work on this install`);
  return lines.join('\n') + '\n';
}

/** Exit code: 0 when everything will work, 1 otherwise. */
export function exitCode(findings: readonly Finding[]): 0 | 1 {
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}
