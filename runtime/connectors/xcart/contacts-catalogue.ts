/**
 * The X-Cart writes of issue 13 (Sage Pro -> X-Cart customers and products), as plain functions the
 * connector's methods call: profile look-ups (by id, by phone), the address book, product and
 * variant updates, and product creation. What the real 5.5.0.29 API lets a client write, read in
 * its source (the public copy iidevv/xc55):
 * - addresses: classes/XLite/API/Endpoint/ProfileAddress/DTO/ProfileAddressInput.php (type R|C,
 *   title, firstname, lastname, phone, street, zipcode <= 32, city, country_code 2 letters, state,
 *   state_name, custom_fields[{name, value}]); the input transformer pre-fills the DTO from the
 *   stored address (Transformer/InputTransformer.php `initialize`), so a PUT is partial, except
 *   `custom_fields`: every additional field not in the list given is removed (`updateCustomFields`).
 *   So a company (no core field: an additional field of the store) is written by sending every
 *   custom field the address has, with the company's value replaced.
 * - products: classes/XLite/API/Endpoint/Product/DTO/Input.php (sku 1..32 and name 1..255 required,
 *   price >= 0, enabled, description ...; `amount` defaults to 1000 when creating, so a create
 *   sends amount 0: stock comes from Sage Pro through InventoryToXCart).
 * - variants: modules/XC/ProductVariants/src/API/Endpoint/ProductVariant/DTO/ProductVariantUpdate.php
 *   (price with default_price, amount with default_amount, weight, sku).
 * - profiles: the collection filters are login (partial), searchFakeField, added, first_login: there
 *   is no phone filter, so profiles.find_by_phone pages every profile and reads its addresses (one
 *   request per profile: use it on small stores or put phone last in lookups/customer-match.yaml).
 */
import { ConnectorError } from '../errors.js';
import type { XcartClient } from './client.js';

type Json = Record<string, unknown>;

export interface XcartIo {
  client: XcartClient;
  valid(entity: string, value: unknown, operation: string): Json;
  validList(entity: string, value: unknown, operation: string): Json[];
}

/** The address fields a flow may change (null or absent: kept as the store has it). */
export interface AddressChange {
  street?: string | null; city?: string | null; zipcode?: string | null; state_name?: string | null;
  country_code?: string | null; phone?: string | null; firstname?: string | null; lastname?: string | null;
  company?: string | null;
  /** The service name of the store's additional address field holding the company (default `company`). */
  company_field?: string | null;
}

function bad(operation: string, field: string, why: string): ConnectorError {
  return new ConnectorError(`X-Cart ${operation}: ${field} ${why}`, { errorClass: 'invalid', system: 'xcart', operation, field });
}

export function intArg(v: unknown, operation: string, field: string): number {
  if (!Number.isInteger(v)) throw bad(operation, field, 'must be an integer');
  return v as number;
}

/** Only the digits of a phone number (`+1 (555) 010-0001` and `15550100001` are the same). */
export function phoneDigits(s: string | null | undefined): string {
  return String(s ?? '').replace(/\D+/g, '');
}

export async function getProfile(io: XcartIo, profileId: number): Promise<Json | null> {
  const op = 'profiles.get';
  const id = intArg(profileId, op, 'profile_id');
  if (id <= 0) return null;
  try {
    return io.valid('Profile', await io.client.get(`/api/profiles/${id}`, undefined, op), op);
  } catch (e) {
    if (e instanceof ConnectorError && e.errorClass === 'not_found') return null;
    throw e;
  }
}

/** The first customer profile (lowest id) one of whose addresses has this phone, digits compared; null for a blank phone. */
export async function findProfileByPhone(io: XcartIo, phone: string): Promise<Json | null> {
  const op = 'profiles.find_by_phone';
  const want = phoneDigits(phone);
  if (want.length < 5) return null; // too short to identify anyone
  for await (const page of io.client.pages<unknown>('/api/profiles', {}, { operation: op })) {
    for (const p of io.validList('Profile', page, op)) {
      if (p.access_level !== 0) continue;
      const addrs = io.validList('Address', await io.client.getAll<unknown>(`/api/profiles/${p.id as number}/addresses`, {}, { operation: op }), op);
      if (addrs.some((a) => phoneDigits(a.phone as string) === want)) return p;
    }
  }
  return null;
}

export async function listAddresses(io: XcartIo, profileId: number): Promise<Json[]> {
  const op = 'addresses.list';
  const id = intArg(profileId, op, 'profile_id');
  if (id <= 0) return []; // no profile (a flow's `profile?.id ?? 0`): no request
  return io.validList('Address', await io.client.getAll<unknown>(`/api/profiles/${id}/addresses`, {}, { operation: op }), op);
}

const ADDRESS_TEXT = ['street', 'city', 'zipcode', 'state_name', 'country_code', 'phone', 'firstname', 'lastname'] as const;

function addressBody(op: string, change: AddressChange, current: Json | null): Json {
  const body: Json = {};
  for (const k of ADDRESS_TEXT) {
    const v = change[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw bad(op, k, 'must be text');
    body[k] = v;
  }
  if (typeof body.country_code === 'string' && !/^[A-Z]{2}$/.test(body.country_code)) throw bad(op, 'country_code', `must be two capital letters (ISO 3166-1), not '${body.country_code}'`);
  if (typeof body.zipcode === 'string' && body.zipcode.length > 32) throw bad(op, 'zipcode', 'is longer than 32 characters (ProfileAddressInput.php)');
  if (change.company !== undefined && change.company !== null) {
    const name = change.company_field || 'company';
    // custom_fields replaces the whole list (InputTransformer::updateCustomFields removes the others).
    const fields = ((current?.custom_fields as Json[] | undefined) ?? []).filter((f) => f.name !== name).map((f) => ({ name: f.name, value: f.value }));
    fields.push({ name, value: change.company });
    body.custom_fields = fields;
  }
  return body;
}

export async function updateAddress(io: XcartIo, profileId: number, addressId: number, change: AddressChange): Promise<Json> {
  const op = 'addresses.update';
  const path = `/api/profiles/${intArg(profileId, op, 'profile_id')}/addresses/${intArg(addressId, op, 'address_id')}`;
  const current = change.company !== undefined && change.company !== null ? io.valid('Address', await io.client.get(path, undefined, op), op) : null;
  return io.valid('Address', await io.client.put(path, addressBody(op, change, current), op), op);
}

export async function createAddress(io: XcartIo, profileId: number, change: AddressChange & { is_billing?: boolean; is_shipping?: boolean }): Promise<Json> {
  const op = 'addresses.create';
  const body = { ...addressBody(op, change, null), is_billing: change.is_billing ?? true, is_shipping: change.is_shipping ?? true };
  return io.valid('Address', await io.client.post(`/api/profiles/${intArg(profileId, op, 'profile_id')}/addresses`, body, op), op);
}

function price(v: unknown, op: string, field = 'price'): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(op, field, 'must be a number of zero or more (Product/DTO/Input.php: PositiveOrZero)');
  return Math.round(v * 10_000) / 10_000; // decimal(14,4)
}

/** PUT /api/products/{id} with the fields given (a partial update: the input transformer pre-fills the rest). */
export async function updateProduct(io: XcartIo, productId: number, fields: { name?: string | null; description?: string | null; price?: number | null; enabled?: boolean | null }): Promise<Json> {
  const op = 'products.update';
  const id = intArg(productId, op, 'product_id');
  const body: Json = {};
  if (fields.name !== undefined && fields.name !== null) {
    if (typeof fields.name !== 'string' || fields.name.trim().length < 1 || fields.name.length > 255) throw bad(op, 'name', 'must have 1 to 255 characters');
    body.name = fields.name;
  }
  if (fields.description !== undefined && fields.description !== null) body.description = String(fields.description);
  if (fields.price !== undefined && fields.price !== null) body.price = price(fields.price, op);
  if (fields.enabled !== undefined && fields.enabled !== null) body.enabled = Boolean(fields.enabled);
  if (!Object.keys(body).length) throw bad(op, 'name', 'nothing to change: give name, description, price or enabled');
  return io.valid('Product', await io.client.put(`/api/products/${id}`, body, op), op);
}

export async function updateVariant(io: XcartIo, productId: number, variantId: number, fields: { price?: number | null }): Promise<Json> {
  const op = 'variants.update';
  const path = `/api/products/${intArg(productId, op, 'product_id')}/variants/${intArg(variantId, op, 'variant_id')}`;
  if (fields.price === undefined || fields.price === null) throw bad(op, 'price', 'is required');
  return io.valid('ProductVariant', await io.client.put(path, { price: price(fields.price, op), default_price: false }, op), op);
}

export async function listVariants(io: XcartIo, productId: number): Promise<Json[]> {
  const op = 'variants.list';
  return io.validList('ProductVariant', await io.client.getAll<unknown>(`/api/products/${intArg(productId, op, 'product_id')}/variants`, {}, { operation: op }), op);
}

/** POST /api/products: stock 0 (the API's default is 1000), inventory tracked. */
export async function createProduct(io: XcartIo, p: { sku: string; name: string; price: number; enabled: boolean; description?: string | null }): Promise<Json> {
  const op = 'products.create';
  if (typeof p.sku !== 'string' || p.sku.length < 1 || p.sku.length > 32) throw bad(op, 'sku', 'must have 1 to 32 characters (Product/DTO/Input.php)');
  if (typeof p.name !== 'string' || p.name.trim().length < 1 || p.name.length > 255) throw bad(op, 'name', 'must have 1 to 255 characters');
  const body: Json = { sku: p.sku, name: p.name, price: price(p.price, op), enabled: Boolean(p.enabled), amount: 0, inventory_traceable: true };
  if (p.description !== undefined && p.description !== null) body.description = p.description;
  return io.valid('Product', await io.client.post('/api/products', body, op), op);
}
