/**
 * What the checker hands the emitter: per flow, its steps in source order, the resolved meaning of
 * every name and call, and the type of every expression. Kept in side tables (WeakMaps keyed by AST
 * nodes); the AST itself is never modified.
 */
import type * as A from '../../grammar/ast.js';
import type { Operation } from '../schema/load-schemas.js';
import type { Type } from '../schema/types.js';
import { loadVocabulary } from '../../runtime/vocabulary/vocabulary.js';

export type Resolution =
  | { readonly kind: 'local'; readonly name: string; readonly decl: 'fetch' | 'lookup' | 'let' | 'map' | 'write' | 'event' | 'param' | 'item' }
  | { readonly kind: 'table'; readonly name: string }
  | { readonly kind: 'builtin'; readonly name: string }
  /** `args` are ordered as the operation's params; undefined for an omitted nullable param. */
  | { readonly kind: 'operation'; readonly op: Operation; readonly args: readonly (A.Expr | undefined)[] }
  | { readonly kind: 'list-index' };

export interface TableInfo {
  readonly name: string;
  readonly decl: A.TableDecl;
  readonly keyType: Type;
  readonly valueType: Type;
  /** Entries as plain values (keys as strings or numbers). */
  readonly entries: readonly (readonly [string | number | boolean, unknown])[];
  readonly missing: 'reject' | 'default' | 'null';
  readonly defaultValue?: A.Expr;
  /** The lookup file it came from (path relative to the lookups folder), for the version hash. */
  readonly file?: string;
}

export interface MapInput { readonly name: string; readonly decl: Extract<Resolution, { kind: 'local' }>['decl']; readonly type: Type }

export type Step = A.Fetch | A.Lookup | A.Let | A.Idempotency | A.Require | A.SkipWhen | A.Warn | A.MapDecl | A.Write;

export interface FlowModel {
  readonly flow: A.Flow;
  /** Path of the .flow file as given to flowc. */
  readonly file: string;
  readonly trigger: A.Trigger | undefined;
  readonly steps: readonly Step[];
  readonly tables: ReadonlyMap<string, TableInfo>;
  readonly policies: readonly A.Policy[];
  /** The flow's `hold when anomaly` clause, when it declares one (meta.holdOnAnomaly). */
  readonly holdOnAnomaly?: A.HoldWhenAnomaly;
  readonly typeOf: WeakMap<A.Node, Type>;
  readonly resolution: WeakMap<A.Node, Resolution>;
  /**
   * The flow-level names (and `event`) each `map` body reads, in declaration order, with the type
   * each has at that point (narrowed by earlier `skip when` / `require`): the map function's
   * parameters. Recorded while the checker resolves the body's names; the emitter reads it.
   */
  readonly mapInputs: WeakMap<A.MapDecl, readonly MapInput[]>;
  /** The entity or object type an object literal or `each` body is built into. */
  readonly objectTarget: WeakMap<A.Node, Type>;
  /** The type of `event` (its `data` follows the trigger: an event payload or a polled entity). */
  readonly eventType: Type;
  /** Hash input: lookup file contents used. */
  readonly lookupTexts: readonly string[];
}

/** Default policies when a flow says nothing: retry transient errors, dead-letter everything else. */
/** The values: mappings/schemas/policy.yaml `default_retry` (runtime/engine/policy.ts reads the same). */
export const DEFAULT_TRANSIENT_RETRY = loadVocabulary().defaultRetry;
