// The properties of the selected node: the trigger's kind and interval, a step's own fields as
// inputs (a let's expression, a skip's condition and reason, each argument of a fetch / lookup /
// write, a write's when, a table's file and missing policy: each with its Apply, one setField edit),
// remove and move up / down, a policy's retry, backoff and then. Every change is one visual edit;
// the text the file says stays readable beside it ("Show in text").
import { useEffect, useState, type FormEvent } from 'react';
import { policyKey, type DesignModel, type DesignPolicy, type DesignStepField, type GraphNode } from './model';
import { moveStep, removeStep, setField, setPolicy, setTrigger, type VisualEdit } from './edits';

interface Props {
  model: DesignModel;
  node: GraphNode | undefined;
  disabled: boolean;
  onEdit: (edit: VisualEdit, what: string) => void;
  onShowLine: (line: number) => void;
}

const SKIP = new Set(['key', 'kind', 'word', 'label', 'span', 'deps', 'text', 'children', 'policies', 'conditionSpan', 'fields']);

function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function Properties({ model, node, disabled, onEdit, onShowLine }: Props) {
  if (!node) return <section className="props" aria-labelledby="h-props"><h2 id="h-props">Properties</h2><p className="muted">Select a step in the graph or the list.</p></section>;
  return (
    <section className="props" aria-labelledby="h-props">
      <h2 id="h-props">Properties: {node.word} {node.kind === 'trigger' || node.kind === 'policy' ? '' : node.id}</h2>
      {node.line !== undefined && <button type="button" className="linkish" onClick={() => onShowLine(node.line!)}>Show line {node.line} in the text</button>}
      {node.kind === 'trigger' && <TriggerForm model={model} disabled={disabled} onEdit={onEdit} />}
      {node.kind === 'policy' && <PolicyForm policy={policyOf(model, node.id)} id={node.id} disabled={disabled} onEdit={onEdit} />}
      {node.index >= 0 && <StepFields model={model} node={node} disabled={disabled} onEdit={onEdit} />}
    </section>
  );
}

function policyOf(model: DesignModel, id: string): DesignPolicy | undefined {
  return (model.policies ?? []).find((p, i) => policyKey(p, i) === id);
}

const TRIGGER_KINDS = ['event', 'poll', 'schedule'] as const;

/** The trigger's text (after `on`) for a kind, keeping what the current one already says. */
function triggerText(kind: string, t: DesignModel['trigger'], interval: string, what: string): string {
  const iv = interval || t?.interval || '5m';
  if (kind === 'event') return what || (t?.system && t.event ? `${t.system}.${t.event}` : 'xcart.order.created');
  if (kind === 'poll') return `every ${iv} poll ${what || t?.entity || 'sagepro.InventoryLevel'} changed`;
  return `schedule every ${iv}`;
}

function TriggerForm({ model, disabled, onEdit }: { model: DesignModel; disabled: boolean; onEdit: Props['onEdit'] }) {
  const t = model.trigger;
  const [interval, setInterval] = useState(t?.interval ?? '');
  const [kind, setKind] = useState<string>(t?.kind ?? 'event');
  const [what, setWhat] = useState('');
  useEffect(() => { setInterval(t?.interval ?? ''); setKind(t?.kind ?? 'event'); setWhat(''); }, [t?.interval, t?.kind, t?.text]);
  const hasInterval = t?.interval !== undefined;
  const submitInterval = (e: FormEvent) => { e.preventDefault(); onEdit(setTrigger({ interval: interval.trim() }), `trigger interval ${interval.trim()}`); };
  const submitKind = (e: FormEvent) => { e.preventDefault(); const text = triggerText(kind, t, interval.trim(), what.trim()); onEdit(setTrigger({ trigger: text }), `trigger: on ${text}`); };
  return (
    <>
      <dl className="facts"><dt>Kind</dt><dd>{t?.kind ?? '—'}</dd>{t?.system && <><dt>System</dt><dd>{t.system}</dd></>}
        {(t?.event ?? t?.entity) && <><dt>{t?.event ? 'Event' : 'Entity'}</dt><dd><code>{t?.event ?? t?.entity}</code></dd></>}</dl>
      {hasInterval ? (
        <form onSubmit={submitInterval} className="props-form">
          <label htmlFor="prop-interval">Interval</label>
          <input id="prop-interval" value={interval} onChange={(e) => setInterval(e.target.value)} placeholder="5m" autoComplete="off" />
          <button type="submit" disabled={disabled || !/^\d+(ms|s|m|h|d)$/.test(interval.trim()) || interval.trim() === t?.interval}>Set interval</button>
        </form>
      ) : <p className="muted">An event trigger has no interval.</p>}
      <form onSubmit={submitKind} className="props-form">
        <label htmlFor="prop-trigger-kind">Trigger kind</label>
        <select id="prop-trigger-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          {TRIGGER_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
        </select>
        {kind !== 'schedule' && <>
          <label htmlFor="prop-trigger-what">{kind === 'event' ? 'Event' : 'Polled entity'}</label>
          <input id="prop-trigger-what" value={what} onChange={(e) => setWhat(e.target.value)} autoComplete="off"
            placeholder={kind === 'event' ? (t?.system && t.event ? `${t.system}.${t.event}` : 'xcart.order.created') : (t?.entity ?? 'sagepro.InventoryLevel')} />
        </>}
        <p className="muted small">Becomes: <code>on {triggerText(kind, t, interval.trim(), what.trim())}</code></p>
        <button type="submit" disabled={disabled || (kind === t?.kind && !what.trim())}>Change the trigger</button>
      </form>
    </>
  );
}

/** A policy's backoff as the file writes it: `exponential 2s..5m`, `fixed 30s`. */
function backoffOf(p: DesignPolicy | undefined): string {
  const r = p?.retry;
  if (!r?.backoff) return '';
  return [r.backoff, r.initial ? `${r.initial}${r.maxDelay ? `..${r.maxDelay}` : ''}` : ''].filter(Boolean).join(' ');
}

function PolicyForm({ policy, id, disabled, onEdit }: { policy: DesignPolicy | undefined; id: string; disabled: boolean; onEdit: Props['onEdit'] }) {
  const was = policy?.retry?.for ?? (policy?.retry?.max !== undefined ? String(policy.retry.max) : '');
  const wasBackoff = backoffOf(policy);
  const wasThen = policy?.then ?? '';
  const [retry, setRetry] = useState(was);
  const [backoff, setBackoff] = useState(wasBackoff);
  const [then, setThen] = useState(wasThen);
  useEffect(() => { setRetry(was); setBackoff(wasBackoff); setThen(wasThen); }, [id, was, wasBackoff, wasThen]);  // not on the policy object: a model refresh (the text pane's, after another edit) gives a new object with the same values, and must not throw away what the user is typing
  const r = retry.trim(), b = backoff.trim();
  const changed = r !== was || b !== wasBackoff || then !== wasThen;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Only what changed is sent: the rest of the policy stays as the file writes it.
    onEdit(setPolicy(id, {
      ...(r !== was ? { retry: r === '' ? null : /^\d+$/.test(r) ? Number(r) : r } : {}),
      ...(b !== wasBackoff && r !== '' ? { backoff: b || null } : {}),
      ...(then !== wasThen ? { then: then || null } : {}),
    }), `policy on ${policy?.class ?? id}`);
  };
  return (
    <form onSubmit={submit} className="props-form">
      <dl className="facts"><dt>On</dt><dd>{policy?.class ?? id}</dd>{policy?.text && <><dt>Text</dt><dd><code>{policy.text}</code></dd></>}</dl>
      <label htmlFor="prop-retry">Retry (a count, or for how long: 24h; empty: no retry)</label>
      <input id="prop-retry" value={retry} onChange={(e) => setRetry(e.target.value)} placeholder="24h" autoComplete="off" />
      <label htmlFor="prop-backoff">Backoff</label>
      <input id="prop-backoff" value={backoff} onChange={(e) => setBackoff(e.target.value)} placeholder="exponential 2s..5m" autoComplete="off" />
      <label htmlFor="prop-then">Then</label>
      <select id="prop-then" value={then} onChange={(e) => setThen(e.target.value)}>
        {!wasThen && <option value="">(none)</option>}
        {['dead_letter', 'skip', 'fail'].map((v) => <option key={v} value={v}>{v}</option>)}
      </select>
      <button type="submit" disabled={disabled || !changed}>Set policy</button>
    </form>
  );
}

function StepFields({ model, node, disabled, onEdit }: { model: DesignModel; node: GraphNode; disabled: boolean; onEdit: Props['onEdit'] }) {
  const step = model.steps[node.index]!;
  const fields = Object.entries(step).filter(([k, v]) => !SKIP.has(k) && v !== undefined && v !== null && v !== '');
  return (
    <>
      <dl className="facts">
        <dt>Key</dt><dd><code>{step.key}</code></dd>
        {fields.map(([k, v]) => <FieldRow key={k} name={k} value={show(v)} />)}
        {step.deps && step.deps.length > 0 && <><dt>Uses</dt><dd>{step.deps.join(', ')}</dd></>}
      </dl>
      {(step.fields ?? []).map((f) => <FieldForm key={`${step.key}/${f.field}`} stepKey={step.key} field={f} disabled={disabled} onEdit={onEdit} />)}
      {step.text && <pre className="steptext">{step.text}</pre>}
      <div className="actions">
        <button type="button" disabled={disabled || node.index === 0} onClick={() => onEdit(moveStep(step.key, node.index - 1), `move ${step.key} up`)}>Move up</button>
        <button type="button" disabled={disabled || node.index >= model.steps.length - 1} onClick={() => onEdit(moveStep(step.key, node.index + 1), `move ${step.key} down`)}>Move down</button>
        <button type="button" className="danger" disabled={disabled} onClick={() => onEdit(removeStep(step.key), `remove ${step.key}`)}>Remove</button>
      </div>
    </>
  );
}

function FieldRow({ name, value }: { name: string; value: string }) {
  return <><dt>{name}</dt><dd><code>{value}</code></dd></>;
}

const FIELD_LABELS: Record<string, string> = {
  expr: 'Expression', condition: 'Condition', reason: 'Reason', key: 'Key expression', when: 'When', file: 'Lookup file', missing: 'On missing',
};

/** What an input for a field is called: `Expression`, `Reason`, `Argument sku (string)`. */
export function fieldLabel(f: DesignStepField): string {
  if (f.field.startsWith('arg:')) return `Argument ${f.field.slice(4)}${f.type ? ` (${f.type})` : ''}`;
  return FIELD_LABELS[f.field] ?? f.field;
}

/** One field of a step: an input and its Apply (one setField edit); emptied, an optional field is removed. */
function FieldForm({ stepKey, field, disabled, onEdit }: { stepKey: string; field: DesignStepField; disabled: boolean; onEdit: Props['onEdit'] }) {
  const [value, setValue] = useState(field.value);
  useEffect(() => { setValue(field.value); }, [field.value, stepKey]);
  const id = `prop-field-${field.field.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const label = fieldLabel(field);
  const v = value.trim();
  const removes = v === '' && field.optional && field.span !== undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onEdit(setField(stepKey, field.field, v === '' ? null : field.kind === 'text' ? value : v), `${removes ? 'remove' : 'set'} ${field.field} of ${stepKey}`);
  };
  const hint = field.kind === 'missing' ? 'reject, null or default <value>' : field.kind === 'text' ? 'plain text (quoted for you)' : field.optional ? 'an expression; empty: left out' : 'an expression';
  return (
    <form onSubmit={submit} className="props-form field-form" data-field={field.field}>
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} onChange={(e) => setValue(e.target.value)} spellCheck={false} autoComplete="off"
        style={field.kind === 'text' ? undefined : { fontFamily: 'ui-monospace, monospace' }} placeholder={field.span ? hint : `(not written) ${hint}`} />
      <button type="submit" aria-label={`Apply ${label}`} disabled={disabled || value === field.value || (v === '' && (!field.optional || !field.span))}>
        {removes ? 'Remove' : 'Apply'}
      </button>
    </form>
  );
}
