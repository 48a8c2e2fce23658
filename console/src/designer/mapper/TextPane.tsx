// The `.flow` text of the map beside the picture, updated on each edit; the lines the last edit
// changed are highlighted.
import type { MapView } from './types';

export function TextPane({ map, changed }: { map: MapView; changed: ReadonlySet<number> }) {
  const lines = map.text.split(/\r?\n/);
  return (
    <section className="mapper-text" aria-labelledby="h-mapper-text">
      <h2 id="h-mapper-text">The map in the <code>.flow</code></h2>
      <pre aria-label={`Text of map ${map.name}`}>
        {lines.map((l, i) => {
          const n = map.firstLine + i;
          return <div key={i} className={changed.has(n) ? 'changed' : undefined}><span className="ln" aria-hidden="true">{n}</span>{l || ' '}</div>;
        })}
      </pre>
    </section>
  );
}
