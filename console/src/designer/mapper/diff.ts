// Which lines of the map an edit changed (for the text pane's highlight): the lines between the
// common first and last lines of the map's text before and after.
import type { MapView } from './types';

export function changedLines(before: MapView, after: MapView): Set<number> {
  const a = before.text.split(/\r?\n/), b = after.text.split(/\r?\n/);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head] && before.firstLine === after.firstLine) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const out = new Set<number>();
  for (let i = head; i < b.length - tail; i++) out.add(after.firstLine + i);
  return out;
}
