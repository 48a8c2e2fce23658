import type { Keys } from '../types';

const LABELS: [keyof Keys, string][] = [['order_number', 'order'], ['order_id', 'order id'], ['sales_order', 'SO'], ['customer', 'customer'], ['email', 'email'], ['sku', 'SKU']];

export function KeyList({ keys }: { keys: Keys | undefined }) {
  const ks = LABELS.filter(([k]) => keys?.[k]);
  if (!ks.length) return <span className="muted">—</span>;
  return <span className="keys">{ks.map(([k, l]) => <span key={k} className="key"><span className="muted">{l}</span> {keys![k]}</span>)}</span>;
}
