/**
 * One flow → one readable TypeScript module:
 *   meta (name, version, trigger, policies, operations, source map of sites),
 *   one pure synchronous function per `map` (no promises, no interpretation),
 *   tables as Maps, and `run(event, ctx)` doing fetches, lookups, checks and writes in source order.
 * Every statement records its site (`$at`), so a runtime error names `file.flow:line:col`.
 */
import type * as A from '../../grammar/ast.js';
import type { Span } from '../../grammar/span.js';
import type { FlowModel, Step } from '../checker/model.js';
import { resolveRetry } from '../checker/retry-budget.js';
import { ERROR, type Type } from '../schema/types.js';
import { emitExpr, jsName, propKey, type ExprContext } from './emit-expr.js';
import { tsType } from './ts-types.js';

const SITES_PLACEHOLDER = '/*@@SITES@@*/';

export interface EmittedFlow { readonly name: string; readonly moduleName: string; readonly text: string; readonly meta: Record<string, unknown> }

interface SiteRec { file: string; line: number; column: number; endLine: number; endColumn: number }

export function emitFlow(model: FlowModel, version: string, banner: string, contractVersion: number): EmittedFlow {
  const sites: SiteRec[] = [];
  const siteIndex = new Map<string, number>();
  const site = (span: Span): number => {
    const key = `${span.start}:${span.end}`;
    let i = siteIndex.get(key);
    if (i === undefined) {
      i = sites.length;
      sites.push({ file: model.file, line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn });
      siteIndex.set(key, i);
    }
    return i;
  };
  // Site 0 is the flow's name: run() reports errors there until its first step starts.
  site(model.flow.name.span);
  let temps: string[] = [];
  let tempCounter = 0;
  const mkCtx = (track: boolean): ExprContext => ({ model, site, track, temp: () => { const t = `$m${tempCounter++}`; temps.push(t); return t; } });
  const typeOf = (n: A.Node): Type => model.typeOf.get(n) ?? ERROR;

  const body: string[] = [];
  // ---- tables
  for (const t of model.tables.values()) {
    const entries = t.entries.map(([k, v]) => `[${JSON.stringify(k)}, ${JSON.stringify(v)}]`).join(', ');
    body.push(`/** table ${t.name} (${model.file}:${t.decl.span.line})${t.file ? ` from lookups/${t.file}` : ''} */`);
    // The lookup is the runtime builtin `table` (runtime/builtins/lookups.ts) over this table's entries.
    let missing: string;
    if (t.missing === 'null') missing = '"null"';
    else if (t.missing === 'default' && t.defaultValue) {
      temps = [];
      const d = emitExpr(mkCtx(false), t.defaultValue);
      missing = temps.length ? `{ default: () => { let ${temps.join(', ')}: any; return ${d}; } }` : `{ default: () => ${d} }`;
    } else missing = '"reject"';
    body.push(`const $table_${t.name} = $.table(${JSON.stringify(t.name)}, new Map<${tsType(t.keyType)}, ${tsType(t.valueType)}>([${entries}]), ${missing});`, '');
  }

  // ---- one function per map; its parameters are the flow-level names its body reads, with the
  // types they have there, as the checker resolved them (model.mapInputs)
  const mapFns = new Map<A.MapDecl, { fn: string; params: string[] }>();
  for (const step of model.steps) {
    if (step.kind === 'MapDecl') {
      const params = model.mapInputs.get(step) ?? [];
      temps = [];
      const ctx = mkCtx(true);
      const obj = emitExpr(ctx, step.body);
      const fn = `map_${step.name.text}`;
      const sig = [...params.map((p) => `${jsName(p.name)}: ${p.name === 'event' ? 'FlowEvent' : tsType(p.type)}`), '$warn: (message: string, site: number) => void = $.no_warn'];
      const targetType = tsType(typeOf(step.body));
      body.push(`/** map ${step.source ? step.source.text + ' -> ' : ''}${step.name.text}: ${targetType.replace(/^E\./, '')} (${model.file}:${step.span.line}) */`);
      body.push(`export function ${fn}(${sig.join(', ')}): ${targetType} {`);
      body.push(`  let $at = ${site(step.span)};`);
      if (temps.length) body.push(`  let ${temps.join(', ')}: any;`);
      body.push('  try {');
      body.push(`    return ${obj};`);
      body.push('  } catch (err) {');
      body.push('    return $.at(err, $S[$at]!);');
      body.push('  }');
      body.push('}', '');
      mapFns.set(step, { fn, params: params.map((p) => jsName(p.name)) });
    }
  }

  // ---- run()
  temps = [];
  const run: string[] = [];
  const rctx = mkCtx(false);
  const operations: Record<string, unknown>[] = [];
  const policiesOf = (ps: readonly A.Policy[]) => ps.map((p) => policyJson(p));
  for (const step of model.steps) {
    const at = site(step.span);
    switch (step.kind) {
      case 'Fetch': case 'Lookup': case 'Write': {
        const call = step.kind === 'Write' ? step.call : step.value;
        const r = model.resolution.get(call);
        if (r?.kind !== 'operation') break;
        const callSite = site(call.span);
        const args = r.op.params.map((p, i) => `${propKey(p.name)}: ${r.args[i] ? emitExpr(rctx, r.args[i]!) : 'null'}`).join(', ');
        const callText = `await $ctx.call(${JSON.stringify(r.op.system)}, ${JSON.stringify(r.op.name)}, { ${args} }, ${callSite})`;
        operations.push({ system: r.op.system, operation: r.op.name, kind: r.op.kind, idempotent: r.op.idempotent, site: callSite, policies: policiesOf(step.policies) });
        run.push(`    $at = ${at};`);
        const name = step.kind === 'Write' ? step.as?.text : step.name.text;
        const t = stepType(step, model) ?? ERROR;
        if (step.kind === 'Write' && step.when) {
          // `write ... when cond`: the call happens only when the condition holds.
          const cond = emitExpr(rctx, step.when);
          if (name) run.push(`    let ${jsName(name)}: ${tsType(t)} | null = null;`, `    if (${cond}) ${jsName(name)} = (${callText}) as ${tsType(t)};`);
          else run.push(`    if (${cond}) ${callText};`);
          break;
        }
        run.push(name ? `    const ${jsName(name)} = (${callText}) as ${tsType(t)};` : `    ${callText};`);
        break;
      }
      case 'Let': {
        // Builtins are typed `T | null`; where the flow checker proved the value non-null, say so.
        const t = stepType(step, model) ?? ERROR;
        const v = emitExpr(rctx, step.value);
        run.push(`    $at = ${at};`, `    const ${jsName(step.name.text)}: ${tsType(t)} = ${t.nullable || t.kind === 'error' || t.kind === 'any' ? v : `(${v})!`};`);
        break;
      }
      case 'Idempotency': {
        const keep = step.keep?.ms ?? 90 * 86_400_000;
        run.push(`    $at = ${at};`, `    if (!(await $ctx.claim(String(${emitExpr(rctx, step.key)}), ${keep}))) return { outcome: "duplicate" };`);
        break;
      }
      case 'Require':
        run.push(`    $at = ${at};`, `    if (!(${emitExpr(rctx, step.condition)})) $.reject(${emitExpr(rctx, step.reason)}, $S[${at}]);`);
        break;
      case 'SkipWhen':
        run.push(`    $at = ${at};`, `    if (${emitExpr(rctx, step.condition)}) return { outcome: "skipped", reason: ${JSON.stringify(step.reason?.value ?? 'skip when ' + model.file + ':' + step.span.line)} };`);
        break;
      case 'Warn': {
        // `warn <message> [when <condition>]`: a run-log warning at this statement's site; a null condition is false.
        const message = emitExpr(rctx, step.message);
        run.push(`    $at = ${at};`, step.when ? `    if (${emitExpr(rctx, step.when)}) $ctx.warn(${message}, ${at});` : `    $ctx.warn(${message}, ${at});`);
        break;
      }
      case 'MapDecl': {
        const m = mapFns.get(step)!;
        run.push(`    $at = ${at};`, `    const ${jsName(step.name.text)} = map_${step.name.text}(${[...m.params, '(m, s) => $ctx.warn(m, s)'].join(', ')});`);
        break;
      }
    }
  }

  const trigger = triggerJson(model.trigger);
  const idem = model.steps.find((s): s is A.Idempotency => s.kind === 'Idempotency');
  const meta = {
    name: model.flow.name.text,
    description: model.flow.description ?? '',
    version,
    contractVersion,
    source: model.file,
    trigger,
    ...(idem ? { idempotency: { keepMs: idem.keep?.ms ?? 90 * 86_400_000, site: site(idem.span) } } : {}),
    policies: policiesOf(model.policies),
    // `hold when anomaly`: present only when the flow declares it (runtime/anomaly/ reads it).
    ...(model.holdOnAnomaly ? { holdOnAnomaly: { site: site(model.holdOnAnomaly.span) } } : {}),
    operations,
  };

  const out: string[] = [];
  out.push(banner);
  out.push('import { type FlowContext, type FlowMeta, type FlowResult, type Site, type TriggerEvent } from "./runtime/contract.js";');
  out.push('import * as $ from "./runtime/builtins.js";');
  out.push('import type * as E from "./entities.js";');
  out.push('import type { N } from "./entities.js";');
  out.push('');
  out.push('/** Source map: sites in the .flow file ([line, column, endLine, endColumn]), indexed by the numbers below. */');
  out.push(SITES_PLACEHOLDER);
  out.push('');
  out.push(`export const meta: FlowMeta = { ...${JSON.stringify(meta)}, trigger: ${JSON.stringify(trigger)} as FlowMeta["trigger"], sites: $S };`);
  out.push('');
  out.push('/** The trigger event, with the payload this flow\'s trigger delivers. */');
  out.push(`type FlowEvent = Omit<TriggerEvent, "data"> & { readonly data: ${eventDataType(model.eventType)} };`);
  out.push('');
  out.push(...body);
  out.push('export async function run($event: TriggerEvent, $ctx: FlowContext): Promise<FlowResult> {');
  out.push('  const event = $event as unknown as FlowEvent;');
  out.push('  let $at = 0;');
  if (temps.length) out.push(`  let ${temps.join(', ')}: any;`);
  out.push('  try {');
  out.push(...run);
  out.push('    return { outcome: "done" };');
  out.push('  } catch (err) {');
  out.push('    return $.at(err, $S[$at]!);');
  out.push('  }');
  out.push('}');
  out.push('');
  // The module sites are registered while emitting; rebuild the $S block with the final list.
  const siteRows = sites.map((s) => `  [${s.line}, ${s.column}, ${s.endLine}, ${s.endColumn}],`).join('\n');
  const sitesText = `const $S: readonly Site[] = ([\n${siteRows}\n] as const).map(([line, column, endLine, endColumn]) => ({ file: ${JSON.stringify(model.file)}, line, column, endLine, endColumn }));`;
  const text = out.join('\n').replace(SITES_PLACEHOLDER, () => sitesText);
  return { name: model.flow.name.text, moduleName: model.flow.name.text, text, meta: { ...meta, sites } };
}

function eventDataType(t: Type): string {
  const data = t.kind === 'object' ? t.fields.get('data')?.type : undefined;
  return data ? tsType(data) : 'any';
}

function stepType(step: Step, model: FlowModel): Type | undefined {
  switch (step.kind) {
    case 'Fetch': case 'Lookup': return model.typeOf.get(step.value);
    case 'Write': return model.typeOf.get(step.call);
    case 'Let': return model.typeOf.get(step.value);
    case 'MapDecl': return model.typeOf.get(step.body);
    default: return undefined;
  }
}

function policyJson(p: A.Policy): Record<string, unknown> {
  const r = p.retry;
  return {
    on: p.errorClass.text,
    ...(r ? { retry: resolveRetry(r) } : {}),
    ...(p.alert ? { alert: p.alert.value } : {}),
    then: p.then?.text ?? 'dead_letter',
  };
}

function triggerJson(t: A.Trigger | undefined): Record<string, unknown> {
  if (!t) return { kind: 'schedule' };
  switch (t.kind) {
    case 'EventTrigger': return { kind: 'event', system: t.system.text, event: t.event.map((n) => n.text).join('.') };
    case 'PollTrigger': {
      const [system, ...rest] = t.entity.parts.map((p) => p.text);
      return { kind: 'poll', system, entity: rest.join('.'), everyMs: t.every.ms, changed: t.changed, key: t.key.map((k) => k.text) };
    }
    case 'ScheduleTrigger': return t.every ? { kind: 'schedule', everyMs: t.every.ms } : { kind: 'schedule', cron: t.cron?.value };
  }
}
