// The changes between two JSON values, field by field (path, before, after).
import type { DiffEntry } from '../types';

export function jsonDiff(before: unknown, after: unknown, path = ''): DiffEntry[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObj(before) && isObj(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => {
      const p = Array.isArray(before) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      if (!(k in before)) return [{ path: p, after: after[k] }];
      if (!(k in after)) return [{ path: p, before: before[k] }];
      return jsonDiff(before[k], after[k], p);
    });
  }
  return [{ path: path || '(whole payload)', before, after }];
}

const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));

export function DiffView({ entries, caption }: { entries: DiffEntry[]; caption: string }) {
  if (!entries.length) return <p className="muted">{caption}: no changes.</p>;
  return (
    <table className="diff">
      <caption>{caption}</caption>
      <thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
      <tbody>
        {entries.map((d) => (
          <tr key={d.path}>
            <th scope="row"><code>{d.path}</code></th>
            <td className="del"><code>{show(d.before)}</code></td>
            <td className="ins"><code>{show(d.after)}</code></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
