/**
 * The integration's vocabulary, read from data beside the operation catalogs: the X-Cart events
 * (`<schemas>/xcart/events.yaml`), the Sage Pro polled entities (`<schemas>/sagepro/events.yaml`)
 * and the error classes with the default retry policy (`<schemas>/policy.yaml`). The checker
 * (compiler/) and the runtime's triggers and engine both call `loadVocabulary`; this file imports
 * neither compiler/ nor grammar/. Bad data throws an error naming the file, the key and why.
 *
 * Where it is read from: both sides read the YAML itself (with the `yaml` package), from
 * `mappings/schemas` of the package (`DEFAULT_SCHEMAS_DIR`): the vocabulary is flowd's own (which
 * events its triggers produce), not a deployment's, so `flowc build` does not copy it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

/**
 * `mappings/schemas` of Connect's package (the folder of its package.json): the runtime's own
 * vocabulary, the same whether flowd runs from its sources or from the tsc output in dist/ (which has
 * no package.json of its own), and whatever folder a deployed build was copied to.
 */
function packageSchemasDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'mappings', 'schemas');
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`flowd: no package.json above ${fileURLToPath(import.meta.url)} (the vocabulary lives in <package>/mappings/schemas)`);
    dir = up;
  }
}
export const DEFAULT_SCHEMAS_DIR = packageSchemasDir();

/** Every trigger kind of runtime/triggers/ that produces events. */
export const TRIGGER_KINDS = ['xcart-poll', 'xcart-push', 'sagepro-poll', 'schedule'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export type Dedupe = 'once' | 'per-update' | 'row-hash';
const DEDUPES: readonly Dedupe[] = ['once', 'per-update', 'row-hash'];
export type PayloadType = 'string' | 'int' | 'decimal' | 'bool' | 'date' | 'datetime';
const PAYLOAD_TYPES: readonly PayloadType[] = ['string', 'int', 'decimal', 'bool', 'date', 'datetime'];

export interface PayloadField { readonly name: string; readonly type: PayloadType; readonly nullable: boolean }

export interface XcartEventSpec {
  readonly name: string;
  readonly entity: string;
  readonly payload: readonly PayloadField[];
  readonly triggers: readonly TriggerKind[];
  readonly dedupe: Dedupe;
}

export interface PolledEntitySpec {
  readonly entity: string;
  /** The entity whose table is streamed (the entity itself unless a view). */
  readonly watch: string;
  /** The read operation (without `sagepro.`) that builds each changed key's payload, if any. */
  readonly read?: string;
  /** The parameter of `read` that takes the changed key. */
  readonly readKey?: string;
}

export interface RetrySpec { readonly max: number; readonly backoff: 'exponential' | 'linear' | 'fixed'; readonly initialMs: number; readonly maxMs: number }

export interface Vocabulary {
  readonly xcartEvents: ReadonlyMap<string, XcartEventSpec>;
  readonly sagepro: { readonly event: string; readonly triggers: readonly TriggerKind[]; readonly dedupe: Dedupe; readonly polled: ReadonlyMap<string, PolledEntitySpec> };
  readonly errorClasses: readonly string[];
  /** The class of an error that names none (or an unknown one). */
  readonly unclassified: string;
  readonly defaultRetry: RetrySpec;
  /** The files read, for messages and flow versions. */
  readonly files: readonly string[];
}

export class VocabularyError extends Error {
  constructor(readonly file: string, readonly key: string, why: string) {
    super(`${file}: ${key}: ${why}`);
    this.name = 'VocabularyError';
  }
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { throw new VocabularyError(file, '(file)', `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`); }
  let doc: unknown;
  try { doc = YAML.parse(text); } catch (e) { throw new VocabularyError(file, '(file)', `is not valid YAML (${(e as Error).message.split('\n')[0]})`); }
  if (!isMap(doc)) throw new VocabularyError(file, '(file)', 'expected a mapping');
  return doc;
}

function triggersOf(file: string, key: string, v: unknown): TriggerKind[] {
  if (!Array.isArray(v) || v.length === 0) throw new VocabularyError(file, key, `expected a list of trigger kinds (${TRIGGER_KINDS.join(', ')})`);
  for (const t of v) if (!(TRIGGER_KINDS as readonly unknown[]).includes(t)) throw new VocabularyError(file, key, `unknown trigger kind ${JSON.stringify(t)} (expected one of ${TRIGGER_KINDS.join(', ')})`);
  return v as TriggerKind[];
}

function dedupeOf(file: string, key: string, v: unknown): Dedupe {
  if (!(DEDUPES as readonly unknown[]).includes(v)) throw new VocabularyError(file, key, `expected one of ${DEDUPES.join(', ')}, found ${JSON.stringify(v)}`);
  return v as Dedupe;
}

function loadXcart(file: string): Map<string, XcartEventSpec> {
  const doc = readYaml(file);
  if (doc.system !== 'xcart') throw new VocabularyError(file, 'system', `expected 'xcart', found ${JSON.stringify(doc.system)}`);
  if (!isMap(doc.events)) throw new VocabularyError(file, 'events', 'expected a mapping of event names');
  const out = new Map<string, XcartEventSpec>();
  for (const [name, raw] of Object.entries(doc.events)) {
    const at = `events.${name}`;
    if (!/^[a-z_]+\.[a-z_]+$/.test(name)) throw new VocabularyError(file, at, 'an event name is <entity>.<change> in lower case (order.created)');
    if (!isMap(raw)) throw new VocabularyError(file, at, 'expected a mapping (entity, payload, triggers, dedupe)');
    if (typeof raw.entity !== 'string' || !raw.entity) throw new VocabularyError(file, `${at}.entity`, 'expected the X-Cart entity name');
    if (!isMap(raw.payload)) throw new VocabularyError(file, `${at}.payload`, 'expected a mapping of field: type');
    const payload = Object.entries(raw.payload).map(([f, t]) => {
      const m = typeof t === 'string' ? /^([a-z]+)(\??)$/.exec(t) : null;
      if (!m || !(PAYLOAD_TYPES as readonly string[]).includes(m[1]!)) throw new VocabularyError(file, `${at}.payload.${f}`, `expected one of ${PAYLOAD_TYPES.join(', ')} (with ? when nullable), found ${JSON.stringify(t)}`);
      return { name: f, type: m[1] as PayloadType, nullable: m[2] === '?' };
    });
    out.set(name, { name, entity: raw.entity, payload, triggers: triggersOf(file, `${at}.triggers`, raw.triggers), dedupe: dedupeOf(file, `${at}.dedupe`, raw.dedupe) });
  }
  return out;
}

function loadSagepro(file: string): Vocabulary['sagepro'] {
  const doc = readYaml(file);
  if (doc.system !== 'sagepro') throw new VocabularyError(file, 'system', `expected 'sagepro', found ${JSON.stringify(doc.system)}`);
  if (typeof doc.event !== 'string' || !doc.event) throw new VocabularyError(file, 'event', 'expected the event name (changed)');
  if (!isMap(doc.polled)) throw new VocabularyError(file, 'polled', 'expected a mapping of entity names');
  const polled = new Map<string, PolledEntitySpec>();
  for (const [entity, raw] of Object.entries(doc.polled)) {
    const spec = raw ?? {};
    if (!isMap(spec)) throw new VocabularyError(file, `polled.${entity}`, 'expected a mapping ({} or watch/read)');
    if (spec.watch !== undefined && typeof spec.watch !== 'string') throw new VocabularyError(file, `polled.${entity}.watch`, 'expected an entity name');
    if (spec.read !== undefined && typeof spec.read !== 'string') throw new VocabularyError(file, `polled.${entity}.read`, 'expected a read operation name');
    if (spec.read !== undefined && typeof spec.read_key !== 'string') throw new VocabularyError(file, `polled.${entity}.read_key`, 'expected the parameter of the read operation that takes the changed key');
    polled.set(entity, { entity, watch: (spec.watch as string | undefined) ?? entity, ...(spec.read ? { read: spec.read as string, readKey: spec.read_key as string } : {}) });
  }
  return { event: doc.event, triggers: triggersOf(file, 'triggers', doc.triggers), dedupe: dedupeOf(file, 'dedupe', doc.dedupe), polled };
}

function loadPolicy(file: string): Pick<Vocabulary, 'errorClasses' | 'unclassified' | 'defaultRetry'> {
  const doc = readYaml(file);
  const classes = doc.error_classes;
  if (!Array.isArray(classes) || classes.length === 0 || classes.some((c) => typeof c !== 'string' || !/^[a-z_]+$/.test(c))) throw new VocabularyError(file, 'error_classes', 'expected a list of lower-case class names');
  if (!classes.includes(doc.unclassified)) throw new VocabularyError(file, 'unclassified', `expected one of error_classes, found ${JSON.stringify(doc.unclassified)}`);
  const r = doc.default_retry;
  if (!isMap(r)) throw new VocabularyError(file, 'default_retry', 'expected a mapping (on, max, backoff, initial_ms, max_delay_ms)');
  if (r.on !== 'transient') throw new VocabularyError(file, 'default_retry.on', `only transient errors retry by default, found ${JSON.stringify(r.on)}`);
  const int = (k: string) => {
    if (!Number.isSafeInteger(r[k]) || (r[k] as number) < 0) throw new VocabularyError(file, `default_retry.${k}`, `expected a whole number >= 0, found ${JSON.stringify(r[k])}`);
    return r[k] as number;
  };
  if (!['exponential', 'linear', 'fixed'].includes(r.backoff as string)) throw new VocabularyError(file, 'default_retry.backoff', `expected exponential, linear or fixed, found ${JSON.stringify(r.backoff)}`);
  return { errorClasses: classes as string[], unclassified: doc.unclassified as string, defaultRetry: { max: int('max'), backoff: r.backoff as RetrySpec['backoff'], initialMs: int('initial_ms'), maxMs: int('max_delay_ms') } };
}

const cache = new Map<string, Vocabulary>();

/** The vocabulary of a schemas folder (default: this checkout's mappings/schemas), read once per folder. */
export function loadVocabulary(schemasDir: string = DEFAULT_SCHEMAS_DIR): Vocabulary {
  const dir = path.resolve(schemasDir);
  const hit = cache.get(dir);
  if (hit) return hit;
  const files = [path.join(dir, 'xcart', 'events.yaml'), path.join(dir, 'sagepro', 'events.yaml'), path.join(dir, 'policy.yaml')];
  const v: Vocabulary = { xcartEvents: loadXcart(files[0]!), sagepro: loadSagepro(files[1]!), ...loadPolicy(files[2]!), files };
  cache.set(dir, v);
  return v;
}

/** True when `schemasDir` holds its own vocabulary files (else a checker falls back to the default). */
export function hasVocabulary(schemasDir: string): boolean {
  return fs.existsSync(path.join(schemasDir, 'xcart', 'events.yaml'));
}

/** The X-Cart events a trigger kind produces, by the vocabulary. */
export function eventsProducedBy(v: Vocabulary, kind: TriggerKind): string[] {
  return [...v.xcartEvents.values()].filter((e) => e.triggers.includes(kind)).map((e) => e.name);
}
