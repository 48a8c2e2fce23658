// The palette: add a fetch (an operation of the catalog that reads, with a field per typed
// parameter), a table (a file of lookups/), a let, or a write (an operation that writes, its
// parameters, an optional condition). Each becomes one visual edit; the page sends it.
import { useState, type FormEvent } from 'react';
import { addFetch, addLet, addTable, addWrite, type ParamValue, type VisualEdit } from './edits';

// The palette's data (GET /api/designer/palette: the core's Palette, compiler/designer/api.ts).
export interface PaletteParam { name: string; type: string; nullable: boolean }
export interface PaletteOperation { id: string; system: string; name: string; kind: 'read' | 'write'; params: PaletteParam[]; returns?: string; description?: string }
export interface PaletteLookup { file: string; name: string; entries: number; keyType: string; valueType: string; problem?: string }
export interface PaletteData { operations: PaletteOperation[]; lookups: PaletteLookup[]; entities: string[]; errorClasses: string[] }

export const opId = (o: PaletteOperation): string => o.id;

type Kind = 'fetch' | 'table' | 'let' | 'write';

interface Props {
  palette: PaletteData | undefined;
  /** Where new steps go: after the selected step (undefined: the core's default place). */
  after: string | undefined;
  disabled: boolean;
  onEdit: (edit: VisualEdit, what: string) => void;
}

export function Palette({ palette, after, disabled, onEdit }: Props) {
  const [kind, setKind] = useState<Kind>('fetch');
  const [name, setName] = useState('');
  const [op, setOp] = useState('');
  const [args, setArgs] = useState<Record<string, string>>({});
  const [file, setFile] = useState('');
  const [expr, setExpr] = useState('');
  const [when, setWhen] = useState('');
  const ops = (palette?.operations ?? []).filter((o) => (kind === 'fetch' ? o.kind === 'read' : o.kind === 'write'));
  const chosen = ops.find((o) => opId(o) === op);

  const pick = (k: Kind) => { setKind(k); setOp(''); setArgs({}); };
  const pickFile = (f: string) => { setFile(f); const l = palette?.lookups.find((x) => x.file === f); if (l && !name.trim()) setName(l.name); };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const values: ParamValue[] = (chosen?.params ?? []).filter((p) => (args[p.name] ?? '').trim() !== '').map((p) => ({ name: p.name, expr: args[p.name]!.trim() }));
    if (kind === 'fetch' && chosen) onEdit(addFetch(name.trim(), opId(chosen), values, after), `fetch ${name.trim()}`);
    else if (kind === 'write' && chosen) onEdit(addWrite(opId(chosen), values, when.trim() || undefined, after), `write ${opId(chosen)}`);
    else if (kind === 'table' && file) onEdit(addTable(name.trim(), file, after), `table ${name.trim()}`);
    else if (kind === 'let') onEdit(addLet(name.trim(), expr.trim(), after), `let ${name.trim()}`);
  };
  const needsName = kind !== 'write';
  const ready = !disabled && (!needsName || /^[A-Za-z_][A-Za-z0-9_]*$/.test(name.trim()))
    && (kind === 'fetch' || kind === 'write' ? !!chosen && chosen.params.every((p) => p.nullable || p.type.endsWith('?') || (args[p.name] ?? '').trim() !== '') : kind === 'table' ? !!file : expr.trim() !== '');

  return (
    <section className="palette" aria-labelledby="h-palette">
      <h2 id="h-palette">Add a step</h2>
      <div role="radiogroup" aria-label="Kind of step" className="kinds">
        {(['fetch', 'table', 'let', 'write'] as const).map((k) => (
          <button key={k} type="button" role="radio" aria-checked={kind === k} className={kind === k ? 'on' : ''} onClick={() => pick(k)}>{k}</button>
        ))}
      </div>
      <form onSubmit={submit} className="palette-form">
        {needsName && (
          <div><label htmlFor="pal-name">Name</label>
            <input id="pal-name" value={name} onChange={(e) => setName(e.target.value)} placeholder={kind === 'table' ? 'carrier' : 'customer'} autoComplete="off" /></div>
        )}
        {(kind === 'fetch' || kind === 'write') && (
          <div><label htmlFor="pal-op">Operation</label>
            <select id="pal-op" value={op} onChange={(e) => { setOp(e.target.value); setArgs({}); }}>
              <option value="">{ops.length ? `choose one of ${ops.length}` : 'loading…'}</option>
              {ops.map((o) => <option key={opId(o)} value={opId(o)}>{opId(o)}{o.returns ? ` → ${o.returns}` : ''}</option>)}
            </select>
            {chosen?.description && <p className="muted small">{chosen.description}</p>}
          </div>
        )}
        {chosen && (kind === 'fetch' || kind === 'write') && (
          <fieldset className="params"><legend>Parameters of {opId(chosen)}</legend>
            {chosen.params.length === 0 && <p className="muted">none</p>}
            {chosen.params.map((p) => (
              <div key={p.name}><label htmlFor={`pal-arg-${p.name}`}>{p.name} <span className="muted">({p.type}{p.nullable ? ', may be null' : ''})</span></label>
                <input id={`pal-arg-${p.name}`} value={args[p.name] ?? ''} onChange={(e) => setArgs({ ...args, [p.name]: e.target.value })} autoComplete="off" placeholder="an expression, e.g. event.data.order_id" /></div>
            ))}
          </fieldset>
        )}
        {kind === 'write' && (
          <div><label htmlFor="pal-when">Condition (optional)</label>
            <input id="pal-when" value={when} onChange={(e) => setWhen(e.target.value)} autoComplete="off" placeholder="order.total > 0" /></div>
        )}
        {kind === 'table' && (
          <div><label htmlFor="pal-file">Lookup file</label>
            <select id="pal-file" value={file} onChange={(e) => pickFile(e.target.value)}>
              <option value="">{palette?.lookups.length ? `choose one of ${palette.lookups.length}` : 'loading…'}</option>
              {(palette?.lookups ?? []).map((l) => <option key={l.file} value={l.file}>{l.file} ({l.keyType} -&gt; {l.valueType}, {l.entries} entries){l.problem ? ` — ${l.problem}` : ''}</option>)}
            </select></div>
        )}
        {kind === 'let' && (
          <div><label htmlFor="pal-expr">Expression</label>
            <input id="pal-expr" value={expr} onChange={(e) => setExpr(e.target.value)} autoComplete="off" placeholder='trim(order.email)' /></div>
        )}
        <button type="submit" disabled={!ready}>Add {kind}{after ? ' after the selected step' : ''}</button>
      </form>
    </section>
  );
}
