// Loading one API resource for a page: data, error, and a reload.
import { useCallback, useEffect, useState } from 'react';
import { get } from './api';

export function useLoad<T>(path: string | null): { data: T | undefined; error: string | undefined; reload: () => void; set: (t: T) => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [n, setN] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    get<T>(path).then((d) => { if (live) { setData(d); setError(undefined); } }, (e: Error) => { if (live) setError(e.message); });
    return () => { live = false; };
  }, [path, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, reload, set: setData };
}
