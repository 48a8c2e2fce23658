// The visual designer's flow graph (issue 16): a flow's steps as a graph (elkjs layout, React Flow),
// a palette and a properties panel whose every change is a visual edit the designer API turns into
// a minimal text edit (a step's own fields too: setField), and the .flow text beside it: typing updates the picture (debounced), a
// picture edit updates the text and highlights the lines it changed. Moving a node writes only the
// sidecar `<file>.layout.json`. Save writes the .flow (admins), refused when the file changed on
// disk since it was opened. The text is the one source of truth: the picture is drawn from it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, get, post } from '../api';
import { useLoad } from '../load';
import { href, navigate } from '../router';
import { can, useSession } from '../session';
import { ErrorText } from '../components/Notice';
import { GraphView } from '../designer/graph/GraphView';
import { layoutGraph, type Positioned } from '../designer/graph/layout';
import { graphOf, type DesignModel } from '../designer/graph/model';
import { Palette, type PaletteData } from '../designer/graph/Palette';
import { Properties } from '../designer/graph/Properties';
import type { VisualEdit } from '../designer/graph/edits';
import { changedLines } from '../designer/text/changed';
import { TextPane, type Diagnostic, type TextPaneHandle } from '../designer/text/TextPane';

interface FileEntry { path: string; flow?: string; bytes: number; modifiedAt: string }
interface Opened { path: string; text: string; version: string; model: DesignModel; diagnostics: Diagnostic[]; layout: { version: 1; positions: Record<string, { x: number; y: number }> } }
interface Analysis { model: DesignModel; diagnostics: Diagnostic[] }
interface Applied extends Analysis { text: string; edits: unknown[]; inverse: unknown[] }

/** How long typing pauses before the picture follows. */
export const TYPING_DEBOUNCE_MS = 300;
const LAYOUT_SAVE_DEBOUNCE_MS = 250;

export function DesignerPage({ query }: { query: URLSearchParams }) {
  const file = query.get('file') ?? '';
  const files = useLoad<{ root: string; files: FileEntry[] }>('/designer/files');
  return (
    <section aria-labelledby="h-designer" className="designer">
      <h1 id="h-designer">Designer</h1>
      <ErrorText error={files.error} />
      <div className="designer-files">
        <label htmlFor="designer-file">Flow file</label>
        <select id="designer-file" value={file} onChange={(e) => navigate('/designer', { file: e.target.value })}>
          <option value="">{files.data ? `choose one of ${files.data.files.length} in ${files.data.root}/` : 'loading…'}</option>
          {(files.data?.files ?? []).map((f) => <option key={f.path} value={f.path}>{f.path}{f.flow ? ` (${f.flow})` : ''}</option>)}
        </select>
      </div>
      {file && <Editor key={file} file={file} />}
    </section>
  );
}

function Editor({ file }: { file: string }) {
  const session = useSession();
  const mayLayout = can(session, 'operator');
  const maySave = can(session, 'admin');
  const [opened, setOpened] = useState<Opened>();
  const [error, setError] = useState<string>();
  const [text, setText] = useState('');
  const [version, setVersion] = useState('');
  const [savedText, setSavedText] = useState('');
  const [analysis, setAnalysis] = useState<Analysis>();
  const [placed, setPlaced] = useState<Record<string, { x: number; y: number }>>({});
  const [positions, setPositions] = useState<Map<string, Positioned>>(new Map());
  const [selected, setSelected] = useState<string>();
  const [focus, setFocus] = useState<{ id: string; seq: number }>();
  const [changed, setChanged] = useState<number[]>([]);
  const [changedSteps, setChangedSteps] = useState<Set<string>>(new Set());
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [palette, setPalette] = useState<PaletteData>();
  const pane = useRef<TextPaneHandle>(null);
  const textRef = useRef('');
  textRef.current = text;
  const selectedRef = useRef<string | undefined>(undefined);
  selectedRef.current = selected;

  useEffect(() => {
    let live = true;
    get<Opened>(`/designer/file?path=${encodeURIComponent(file)}`).then((o) => {
      if (!live) return;
      setOpened(o); setText(o.text); setSavedText(o.text); setVersion(o.version);
      setAnalysis({ model: o.model, diagnostics: o.diagnostics }); setPlaced(o.layout.positions);
    }, (e: Error) => { if (live) setError(e.message); });
    get<PaletteData>('/designer/palette').then((p) => { if (live) setPalette(p); }, () => undefined);
    return () => { live = false; };
  }, [file]);

  // Typing: the model follows the text after a pause (the newest text wins).
  useEffect(() => {
    if (!opened || !analysis) return;
    const t = setTimeout(() => {
      const sent = text;
      post<Analysis>('/designer/model', { path: file, text: sent }).then((a) => {
        if (textRef.current === sent) setAnalysis(a);
      }, (e: Error) => setError(e.message));
    }, TYPING_DEBOUNCE_MS);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  const graph = useMemo(() => (analysis ? graphOf(analysis.model) : undefined), [analysis]);
  useEffect(() => {
    if (!graph) return;
    let live = true;
    layoutGraph(graph, placed).then((p) => { if (live) setPositions(p); }, (e: Error) => setError(`layout: ${e.message}`));
    return () => { live = false; };
    // the user's own moves are already where React Flow drew them: lay out again only when the graph changes
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [graph]);

  const applyEdit = useCallback(async (edit: VisualEdit, what: string) => {
    setBusy(true); setError(undefined);
    const before = textRef.current;
    try {
      const r = await post<Applied>('/designer/edit', { path: file, text: before, edits: [edit] });
      const lines = changedLines(before, r.text);
      const oldKeys = new Set((analysis?.model.steps ?? []).map((s) => s.key));
      setText(r.text); textRef.current = r.text;
      setAnalysis({ model: r.model, diagnostics: r.diagnostics });
      setChanged(lines);
      const touched = (from?: number, to?: number) => from !== undefined && lines.some((l) => l >= from && l <= (to ?? from));
      setChangedSteps(new Set(r.model.steps.filter((s) => !oldKeys.has(s.key) || touched(s.span?.line, s.span?.endLine)).map((s) => s.key)));
      // An edited field can change the step's key (a skip is keyed by its text, a write by its first
      // argument): the selection follows the step to its new key, at the same place.
      const wasAt = (analysis?.model.steps ?? []).findIndex((s) => s.key === selectedRef.current);
      if (wasAt >= 0 && !r.model.steps.some((s) => s.key === selectedRef.current) && edit.kind === 'setField' && r.model.steps[wasAt]) setSelected(r.model.steps[wasAt]!.key);
      setStatus(`${what}: ${lines.length} line${lines.length === 1 ? '' : 's'} of the text changed`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally { setBusy(false); }
  }, [file, analysis]);

  const layoutTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const placedRef = useRef(placed);
  placedRef.current = placed;
  const onMoved = useCallback((id: string, x: number, y: number) => {
    const next = { ...placedRef.current, [id]: { x, y } };
    setPlaced(next); placedRef.current = next;
    if (!mayLayout) { setStatus('Positions are kept only for this visit: saving the layout needs the operator role'); return; }
    clearTimeout(layoutTimer.current);
    layoutTimer.current = setTimeout(() => {
      api<{ layout: { positions: Record<string, unknown> } }>('PUT', '/designer/layout', { path: file, positions: placedRef.current })
        .then((r) => setStatus(`Layout saved (${Object.keys(r.layout.positions).length} placed steps); the .flow file is unchanged`), (e: Error) => setError(e.message));
    }, LAYOUT_SAVE_DEBOUNCE_MS);
  }, [file, mayLayout]);

  const save = async () => {
    setBusy(true); setError(undefined);
    try {
      const r = await api<{ version: string; model: DesignModel; diagnostics: Diagnostic[] }>('PUT', '/designer/file', { path: file, text, version });
      setVersion(r.version); setSavedText(text); setAnalysis({ model: r.model, diagnostics: r.diagnostics });
      const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
      setStatus(`Saved ${file}${errors ? ` (${errors} error${errors === 1 ? '' : 's'} remain)` : ''}`);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 409 ? `Not saved: ${e.message}` : (e as Error).message);
    } finally { setBusy(false); }
  };

  if (error && !opened) return <ErrorText error={error} />;
  if (!opened || !analysis || !graph) return <p role="status">Opening {file}…</p>;
  const node = graph.nodes.find((n) => n.id === selected);
  const dirty = text !== savedText;
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error').length;

  return (
    <>
      <div className="designer-bar">
        <span><strong>{analysis.model.name ?? file}</strong> {analysis.model.description && <span className="muted">{analysis.model.description}</span>}</span>
        <span className={dirty ? 'warn' : 'muted'}>{dirty ? 'unsaved changes' : 'saved'}</span>
        <span className={errors ? 'bad' : 'ok'}>{errors ? `${errors} error${errors === 1 ? '' : 's'}` : 'checks'}</span>
        {maySave
          ? <button type="button" onClick={() => void save()} disabled={busy || !dirty}>Save</button>
          : <span className="muted">Saving needs the admin role</span>}
        <a href={href('/flows')}>Deployed flows</a>
      </div>
      <p role="status" className="done">{status}</p>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="designer-grid">
        <div className="designer-side">
          <Palette palette={palette} after={node && node.index >= 0 ? node.id : undefined} disabled={busy} onEdit={(e, w) => void applyEdit(e, w)} />
          <Properties model={analysis.model} node={node} disabled={busy} onEdit={(e, w) => void applyEdit(e, w)} onShowLine={(l) => pane.current?.goTo(l)} />
        </div>
        <div className="designer-main">
          {/* drawn once laid out, so that React Flow fits the view to where the nodes really are */}
          {graph.nodes.every((n) => positions.has(n.id))
            ? <GraphView focus={focus} graph={graph} positions={positions} file={file} selected={selected} changed={changedSteps} onSelect={setSelected} onMoved={onMoved} />
            : <div className="dgraph" role="status">Laying out {graph.nodes.length} steps…</div>}
          <nav aria-label="Steps" className="steplist">
            <ol>
              {graph.nodes.map((n) => (
                <li key={n.id}><button type="button" aria-pressed={n.id === selected} onClick={() => { setSelected(n.id); setFocus({ id: n.id, seq: (focus?.seq ?? 0) + 1 }); }}>
                  <span className="muted">{n.word}</span> {n.label}{n.detail ? <span className="muted"> {n.detail}</span> : null}
                </button></li>
              ))}
            </ol>
          </nav>
        </div>
        <TextPane ref={pane} text={text} onChange={(t) => { setText(t); setChanged([]); setChangedSteps(new Set()); }} changed={changed} diagnostics={analysis.diagnostics} />
      </div>
    </>
  );
}
