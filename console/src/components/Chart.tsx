// Stacked bars of done / retry / dead_letter per bucket, in plain SVG. The numbers are also in the
// <title> of each bar (a tooltip and what a screen reader reads) and in a summary line.
import type { SeriesPoint } from '../types';

const KINDS = [['done', 'var(--ok)'], ['retry', 'var(--warn)'], ['dead_letter', 'var(--bad)']] as const;

export function RunChart({ points, label, unit }: { points: SeriesPoint[]; label: string; unit: 'hour' | 'day' }) {
  const W = 360; const H = 90; const pad = 14;
  const max = Math.max(1, ...points.map((p) => p.done + p.retry + p.dead_letter));
  const bw = points.length ? (W - 4) / points.length : W;
  const total = (k: 'done' | 'retry' | 'dead_letter') => points.reduce((s, p) => s + p[k], 0);
  const fmt = (t: string) => (unit === 'hour' ? t.slice(11, 16) : t.slice(5, 10));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H + pad}`} role="img" aria-label={`${label}: ${total('done')} done, ${total('retry')} retries, ${total('dead_letter')} dead letters`}>
        <line x1="0" x2={W} y1={H} y2={H} className="axis" />
        {points.map((p, i) => {
          let y = H;
          return (
            <g key={p.t}>
              <title>{`${fmt(p.t)}: ${p.done} done, ${p.retry} retry, ${p.dead_letter} dead letter`}</title>
              {KINDS.map(([k, color]) => {
                const h = (p[k] / max) * (H - 4);
                y -= h;
                return h > 0 ? <rect key={k} x={2 + i * bw + 1} y={y} width={Math.max(1, bw - 2)} height={h} fill={color} /> : null;
              })}
            </g>
          );
        })}
        {points.length > 0 && <text x="2" y={H + pad - 2} className="tick">{fmt(points[0]!.t)}</text>}
        {points.length > 1 && <text x={W - 2} y={H + pad - 2} textAnchor="end" className="tick">{fmt(points[points.length - 1]!.t)}</text>}
        <text x="4" y="10" className="tick">max {max}</text>
      </svg>
      <figcaption>{label}: <span className="ok">{total('done')} done</span>, <span className="warn">{total('retry')} retries</span>, <span className="bad">{total('dead_letter')} dead letters</span></figcaption>
    </figure>
  );
}
