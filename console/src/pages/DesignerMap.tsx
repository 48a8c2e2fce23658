// The designer's field mapper (#/designer/map?file=<path>&map=<name>): the map's source entity as a
// tree on the left, its target on the right, a line per assignment. Drag a source field onto a target
// field (or select both and press Enter) to map it; click a line to edit its expression. Every edit is
// a text edit the API computes on the current `.flow` text (compiler/designer/), shown in the text
// pane; the compiler's diagnostics mark the targets, with its quick fixes; the preview runs the flow's
// fixtures as the user edits. Save writes the file (admins; refused when it changed on disk).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, post } from '../api';
import { useLoad } from '../load';
import { href } from '../router';
import { can, useSession } from '../session';
import { EntityTree, type RowMark } from '../designer/mapper/EntityTree';
import { ExprEditor } from '../designer/mapper/ExprEditor';
import { Lines, rowY } from '../designer/mapper/Lines';
import { Preview } from '../designer/mapper/Preview';
import { Problems } from '../designer/mapper/Problems';
import { TextPane } from '../designer/mapper/TextPane';
import { allPaths, rowIndexOf, visibleRows } from '../designer/mapper/tree';
import { changedLines } from '../designer/mapper/diff';
import type { DiagView, EditResult, MapperEdit, MapperOpen, MapView, PreviewResult, SuggestionView } from '../designer/mapper/types';

const PREVIEW_DELAY_MS = 400;

export function DesignerMapPage({ query }: { query: URLSearchParams }) {
  const file = query.get('file') ?? '';
  const mapName = query.get('map') ?? '';
  const session = useSession();
  const editor = can(session, 'operator');
  const { data, error } = useLoad<MapperOpen>(file ? `/designer/mapper?file=${encodeURIComponent(file)}${mapName ? `&map=${encodeURIComponent(mapName)}` : ''}` : null);
  if (!file) return <p role="alert" className="error">No flow file given: open the mapper from a map in the <a href={href('/designer')}>designer</a> (#/designer/map?file=&lt;path&gt;&amp;map=&lt;name&gt;).</p>;
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!data) return <p className="loading" role="status">Loading the map…</p>;
  return <Mapper key={`${data.file}#${data.map.name}`} opened={data} editor={editor} admin={can(session, 'admin')} />;
}

function Mapper({ opened, editor, admin }: { opened: MapperOpen; editor: boolean; admin: boolean }) {
  const [text, setText] = useState(opened.text);
  const [base, setBase] = useState(opened.base);
  const [map, setMap] = useState<MapView>(opened.map);
  const [changed, setChanged] = useState<Set<number>>(new Set());
  const [fail, setFail] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [qs, setQs] = useState({ source: '', target: '' });
  const [open, setOpen] = useState(() => ({ source: new Set(allPaths(opened.source.fields)), target: new Set(allPaths(opened.target.fields)) }));
  const [scroll, setScroll] = useState({ source: 0, target: 0 });
  const [sel, setSel] = useState<{ source?: string; target?: string }>({});
  const [editing, setEditing] = useState<string>();
  const [suggestions, setSuggestions] = useState<SuggestionView[]>([]);
  const [preview, setPreview] = useState<PreviewResult>();
  const [previewing, setPreviewing] = useState(false);
  const [previewError, setPreviewError] = useState<string>();
  const saved = useRef(opened.text);

  const srcRows = useMemo(() => visibleRows(opened.source.fields, open.source, qs.source), [opened.source, open.source, qs.source]);
  const tgtRows = useMemo(() => visibleRows(opened.target.fields, open.target, qs.target), [opened.target, open.target, qs.target]);
  const srcIndex = useMemo(() => new Map(srcRows.map((r, i) => [r.node.path, i])), [srcRows]);
  const tgtIndex = useMemo(() => new Map(tgtRows.map((r, i) => [r.node.path, i])), [tgtRows]);

  const marks = useMemo(() => {
    const t = new Map<string, RowMark>();
    const s = new Map<string, RowMark>();
    const get = (m: Map<string, RowMark>, k: string) => { let v = m.get(k); if (!v) { v = {}; m.set(k, v); } return v; };
    for (const a of map.assignments) { get(t, a.target).mapped = true; for (const p of a.sources) get(s, p).mapped = true; }
    for (const r of map.unmappedRequired) get(t, r).required = true;
    for (const d of map.diagnostics) if (d.target) { const m = get(t, d.target); m.problems = [...new Set([...(m.problems ?? []), d.code])]; }
    for (const g of suggestions) get(t, g.target).suggested = true;
    return { source: s, target: t };
  }, [map, suggestions]);

  // The preview: the fixtures on the current text, shortly after the last edit.
  useEffect(() => {
    let live = true;
    setPreviewing(true);
    const t = setTimeout(() => {
      post<PreviewResult>('/designer/mapper/preview', { file: opened.file, text })
        .then((r) => { if (live) { setPreview(r); setPreviewError(undefined); } }, (e: Error) => { if (live) setPreviewError(e.message); })
        .finally(() => { if (live) setPreviewing(false); });
    }, PREVIEW_DELAY_MS);
    return () => { live = false; clearTimeout(t); };
  }, [text, opened.file]);

  // The mapping assistant's suggestions for the unmapped targets (compiler/suggest/), asked for with a
  // button and refreshed after each edit while shown; applied only when the user accepts one.
  const [suggesting, setSuggesting] = useState(false);
  const [suggestError, setSuggestError] = useState<string>();
  useEffect(() => {
    if (!suggesting) { setSuggestions([]); return; }
    let live = true;
    post<{ available: boolean; suggestions: SuggestionView[]; reason?: string }>('/designer/mapper/suggest', { file: opened.file, map: map.name, text })
      .then((r) => { if (live) { setSuggestions(r.available ? r.suggestions : []); setSuggestError(r.available ? undefined : r.reason); } },
        (e: Error) => { if (live) { setSuggestions([]); setSuggestError(e.message); } });
    return () => { live = false; };
  }, [suggesting, text, opened.file, map.name]);

  const apply = useCallback(async (edit: MapperEdit, what: string) => {
    if (!editor) { setFail('Editing a map needs the operator role.'); return; }
    setBusy(true); setFail(undefined); setStatus(undefined);
    try {
      const r = await post<EditResult>('/designer/mapper/edit', { file: opened.file, map: map.name, text, edit });
      setChanged(changedLines(map, r.map));
      setText(r.text); setMap(r.map); setStatus(what);
      return true;
    } catch (e) { setFail((e as Error).message); return false; } finally { setBusy(false); }
  }, [editor, opened.file, map, text]);

  const mapTo = (target: string, source?: string) => {
    const src = source ?? sel.source;
    if (!src) { setFail(`Select a source field first, then ${target}, and press Enter.`); return; }
    void apply({ kind: 'map', target, source: src }, `Mapped ${src} to ${target}.`);
  };
  // Save through the designer's own route (PUT /api/designer/file, D2's: unchanged-on-disk check, admin,
  // audited); a flowd without it saves through the mapper's route with the same rules.
  const save = async () => {
    setFail(undefined); setStatus(undefined);
    try {
      let version: string;
      try {
        version = (await api<{ version: string }>('PUT', '/designer/file', { path: opened.file, text, version: base })).version;
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404 && /no API endpoint/.test(e.message))) throw e;
        version = (await api<{ base: string }>('PUT', '/designer/mapper/file', { file: opened.file, text, base })).base;
      }
      setBase(version); saved.current = text; setStatus(`Saved ${opened.file}.`);
    } catch (e) { setFail((e as Error).message); }
  };
  const showDiag = (d: DiagView) => {
    if (d.target) { setSel((s) => ({ ...s, target: d.target })); const i = rowIndexOf(tgtRows, tgtIndex, d.target); if (i !== undefined) setScroll((s) => ({ ...s, target: Math.max(0, i * 28 - 200) })); }
  };

  const editingA = map.assignments.find((a) => a.id === editing);
  const y = (rows: typeof srcRows, index: Map<string, number>, top: number) => (p: string) => { const i = rowIndexOf(rows, index, p); return i === undefined ? undefined : rowY(i, top); };
  const dirty = text !== saved.current;
  // Unsaved edits are not lost by closing or reloading the page without a warning.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => { e.preventDefault(); e.returnValue = ''; };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  return (
    <section className="mapper" aria-labelledby="h-mapper">
      <h1 id="h-mapper">Map <code>{map.name}</code>: {map.sourceEntity} → {map.targetEntity}</h1>
      <p className="muted">
        <a href={href('/designer', { file: opened.file })}>{opened.file}</a>, lines {map.firstLine}–{map.firstLine + map.text.split('\n').length - 1}.
        {' '}Drag a source field onto a target field, or select a source field, then a target field, and press Enter. Click a line to edit its expression.
      </p>
      <div className="actions">
        {admin && <button type="button" onClick={() => void save()} disabled={!dirty}>Save</button>}
        {dirty ? <span className="warn">Unsaved changes</span> : <span className="muted">Saved</span>}
        {editor && <button type="button" aria-pressed={suggesting} onClick={() => setSuggesting((x) => !x)}>{suggesting ? 'Hide suggestions' : 'Suggest mappings'}</button>}
        {busy && <span className="muted">Applying…</span>}
      </div>
      {fail && <p role="alert" className="error">{fail}</p>}
      {status && <p role="status" className="done">{status}</p>}
      <div className="mapper-grid">
        <div className="mapper-side">
          <h2 id="h-src">{map.source}: {opened.source.entity}</h2>
          <label htmlFor="mapper-search-source" className="sr">Search the source fields</label>
          <input id="mapper-search-source" type="search" placeholder="Search source fields" value={qs.source} onChange={(e) => { setQs({ ...qs, source: e.target.value }); setScroll({ ...scroll, source: 0 }); }} />
          <EntityTree side="source" label={`Source fields (${opened.source.entity})`} rows={srcRows} scrollTop={scroll.source}
            onScroll={(t) => setScroll((s) => ({ ...s, source: t }))} selected={sel.source} onSelect={(p) => setSel((s) => ({ ...s, source: p }))}
            onToggle={(p) => setOpen((o) => ({ ...o, source: toggle(o.source, p) }))} marks={marks.source} />
        </div>
        <Lines assignments={map.assignments} suggestions={suggestions} editing={editing}
          sourceY={y(srcRows, srcIndex, scroll.source)} targetY={y(tgtRows, tgtIndex, scroll.target)}
          onEdit={(t) => setEditing(t)} onAccept={(s) => void apply({ kind: 'map', target: s.target, expr: s.expr }, `Applied the suggestion for ${s.target}.`)} />
        <div className="mapper-side">
          <h2 id="h-tgt">{map.name}: {opened.target.entity}</h2>
          <label htmlFor="mapper-search-target" className="sr">Search the target fields</label>
          <input id="mapper-search-target" type="search" placeholder="Search target fields (name, table, column)" value={qs.target} onChange={(e) => { setQs({ ...qs, target: e.target.value }); setScroll({ ...scroll, target: 0 }); }} />
          <EntityTree side="target" label={`Target fields (${opened.target.entity})`} rows={tgtRows} scrollTop={scroll.target}
            onScroll={(t) => setScroll((s) => ({ ...s, target: t }))} selected={sel.target} onSelect={(p) => setSel((s) => ({ ...s, target: p }))}
            onToggle={(p) => setOpen((o) => ({ ...o, target: toggle(o.target, p) }))} marks={marks.target} onMap={mapTo} />
        </div>
        <TextPane map={map} changed={changed} />
      </div>
      {editingA && (
        <ExprEditor file={opened.file} text={text} target={editingA.id} exprStart={editingA.exprStart} exprEnd={editingA.exprEnd} initial={editingA.expr}
          onApply={(expr) => void apply({ kind: 'setExpr', target: editingA.id, expr }, `Changed the expression of ${editingA.id}.`).then((ok) => { if (ok) setEditing(undefined); })}
          onUnmap={() => void apply({ kind: 'unmap', target: editingA.id }, `Unmapped ${editingA.id}.`).then((ok) => { if (ok) setEditing(undefined); })}
          onCancel={() => setEditing(undefined)} />
      )}
      {suggesting && (
        <section className="mapper-suggestions" aria-labelledby="h-mapper-suggestions">
          <h2 id="h-mapper-suggestions">Suggestions <span className="muted">(the mapping assistant; dashed lines above)</span></h2>
          {suggestError && <p role="alert" className="error">{suggestError}</p>}
          {suggestions.length === 0 && !suggestError ? <p className="muted">No suggestions for the unmapped targets.</p> : (
            <ul>
              {suggestions.map((g) => (
                <li key={g.target}>
                  <code>{g.target} = {g.expr}</code> <span className="conf">{Math.round(g.confidence * 100)} %</span>
                  {g.reason && <span className="muted"> {g.reason}</span>}
                  <button type="button" onClick={() => void apply({ kind: 'map', target: g.target, expr: g.expr }, `Applied the suggestion for ${g.target}.`)} aria-label={`Accept the suggestion for ${g.target}`}>Accept</button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <Problems diagnostics={map.diagnostics} onFix={(id) => void apply({ kind: 'quickFix', fixId: id }, 'Applied the quick fix.')} onShow={showDiag} />
      <section aria-labelledby="h-assignments">
        <h2 id="h-assignments">Assignments <span className="muted">({map.assignments.length})</span></h2>
        <table className="list mapper-assignments" aria-label="Assignments">
          <thead><tr><th>target</th><th>expression</th><th>line</th><th /></tr></thead>
          <tbody>
            {map.assignments.map((a) => (
              <tr key={a.id} className={a.diagnostics.length ? 'problem' : undefined}>
                <td><code>{a.id}</code></td><td><code>{a.expr}</code></td><td className="num">{a.line}</td>
                <td><button type="button" onClick={() => setEditing(a.id)} aria-label={`Edit ${a.id}`}>Edit</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <Preview result={preview} running={previewing} error={previewError} />
    </section>
  );
}

function toggle(s: ReadonlySet<string>, p: string): Set<string> {
  const n = new Set(s);
  if (n.has(p)) n.delete(p); else n.add(p);
  return n;
}
