// Hash routing (/console/#/runs/12?flow=X): deep links work whatever the server does with unknown
// paths under /console, and the back button moves between pages and filters.
import { useEffect, useState } from 'react';

export interface Route { path: string; parts: string[]; query: URLSearchParams }

function current(): Route {
  const h = window.location.hash.replace(/^#/, '') || '/';
  const [p, q] = h.split('?', 2) as [string, string | undefined];
  return { path: p, parts: p.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q ?? '') };
}

export function useRoute(): Route {
  const [r, setR] = useState(current);
  useEffect(() => {
    const f = () => setR(current());
    window.addEventListener('hashchange', f);
    return () => window.removeEventListener('hashchange', f);
  }, []);
  return r;
}

export function href(path: string, query?: Record<string, string | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) u.set(k, v);
  const s = u.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function navigate(path: string, query?: Record<string, string | undefined>): void {
  window.location.hash = href(path, query).slice(1);
}
