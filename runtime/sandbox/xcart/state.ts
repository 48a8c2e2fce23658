/**
 * The X-Cart sandbox's state: plain JSON data in the shapes the real 5.5+ API returns, kept in
 * `<stateDir>/xcart-state.json` and rewritten atomically (temp file + rename) after every change.
 */
import fs from 'node:fs';
import path from 'node:path';

export type Json = Record<string, unknown>;

export interface StatusDef { id: number; code: string; name: string; customer_name: string }

export interface SandboxData {
  /** Format version of this file. */
  version: 1;
  /** Next ids per kind. */
  seq: Record<string, number>;
  /** Next human order number. */
  nextOrderNumber: number;
  /** Orders and carts, in the OrderOutput shape (carts have order_number null). */
  orders: Json[];
  /** Payment transactions by order id. */
  transactions: Record<string, Json[]>;
  /** History entries by order id. */
  history: Record<string, Json[]>;
  products: Json[];
  /** Variants by product id. */
  variants: Record<string, Json[]>;
  profiles: Json[];
  /** Addresses by profile id. */
  addresses: Record<string, Json[]>;
  categories: Json[];
  /** Product ids by category id. */
  categoryProducts: Record<string, number[]>;
  coupons: Json[];
  /**
   * Service names of the store's additional address fields (custom_fields); absent: `company`
   * (DEFAULT_ADDITIONAL_ADDRESS_FIELDS). Core X-Cart has no company field: a store adds one.
   */
  additionalAddressFields?: string[];
  /** Ids of anonymous (guest checkout) profiles; the API shows them like any other profile. */
  anonymousProfiles?: number[];
  /** Status definitions, core and custom; codes not listed here are refused (400). */
  paymentStatuses: StatusDef[];
  shippingStatuses: StatusDef[];
}

/** The additional address fields of a sandbox store whose state does not list its own. */
export const DEFAULT_ADDITIONAL_ADDRESS_FIELDS: readonly string[] = ['company'];

export const STATE_FILE = 'xcart-state.json';

/** X-Cart's `DateTime::ISO8601` format, used for order dates: `2024-05-02T10:11:12+0000`. */
export function isoDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + '+0000';
}

/**
 * Product and profile dates are serialised with a `+HH:MM` offset (`2024-05-02T10:11:12+00:00`,
 * RFC 3339), unlike order dates.
 */
export function rfc3339Date(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + '+00:00';
}

/** Parses what the API accepts as a date filter (ISO 8601 with or without colon in the offset, unix seconds). */
export function parseDate(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const norm = s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(norm);
  return Number.isNaN(ms) ? undefined : ms;
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function nextId(data: SandboxData, kind: string): number {
  const id = data.seq[kind] ?? 1;
  data.seq[kind] = id + 1;
  return id;
}

export function loadState(stateDir: string): SandboxData | undefined {
  const file = path.join(stateDir, STATE_FILE);
  if (!fs.existsSync(file)) return undefined;
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxData;
  if (data.version !== 1) throw new Error(`${file}: unsupported sandbox state version ${String(data.version)}`);
  return data;
}

let tmpCounter = 0;

export function saveState(stateDir: string, data: SandboxData): void {
  const file = path.join(stateDir, STATE_FILE);
  const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(data));
  fs.renameSync(tmp, file);
}
