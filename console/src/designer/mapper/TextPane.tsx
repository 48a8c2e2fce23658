// The `.flow` text of the map beside the picture, updated on each edit; the lines the last edit
// changed are highlighted.
import { useEffect, useRef } from 'react';
import type { MapView } from './types';

export function TextPane({ map, changed }: { map: MapView; changed: ReadonlySet<number> }) {
  const lines = map.text.split(/\r?\n/);
  const pre = useRef<HTMLPreElement>(null);
  // The first changed line scrolled into view (within the pane only).
  useEffect(() => {
    const first = Math.min(...changed);
    const el = Number.isFinite(first) ? pre.current?.querySelector<HTMLElement>(`[data-line="${first}"]`) : undefined;
    if (el && pre.current) pre.current.scrollTop = Math.max(0, el.offsetTop - pre.current.clientHeight / 3);
  }, [changed]);
  return (
    <section className="mapper-text" aria-labelledby="h-mapper-text">
      <h2 id="h-mapper-text">The map in the <code>.flow</code></h2>
      <pre ref={pre} aria-label={`Text of map ${map.name}`}>
        {lines.map((l, i) => {
          const n = map.firstLine + i;
          return <div key={i} data-line={n} className={changed.has(n) ? 'changed' : undefined}><span className="ln" aria-hidden="true">{n}</span>{l || ' '}</div>;
        })}
      </pre>
    </section>
  );
}
