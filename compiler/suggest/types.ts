/**
 * The request and the answer of suggestMappings (index.ts). The JSON output of `flowc suggest
 * --format json` is SuggestResult.targets as is (compiler/README.md, "flowc suggest").
 */
import type { SchemaSet } from '../schema/load-schemas.js';
import type { SampleValues } from './samples.js';

export interface SuggestRequest {
  /** The source entity, `xcart.Order` (with `flow`, defaults to the map source's type). */
  readonly from?: string;
  /** The target entity, `sagepro.SalesOrder` (with `flow`, defaults to the map's type). */
  readonly to?: string;
  readonly schemas: SchemaSet;
  readonly schemasDir: string;
  readonly lookupsDir: string;
  /** The project's flows, whose mappings are a signal (default: the folder above `schemasDir`). `null`: none. */
  readonly flowsDir?: string | null;
  /** Flow files (base names) whose mappings are not a signal (leave-one-out). */
  readonly corpusExclude?: readonly string[];
  /** Sample values (samples.ts readSamplesFile). */
  readonly samples?: SampleValues;
  /** Suggest for the unmapped targets of map `map` in this flow (its text: `text`, else read from `file`). */
  readonly flow?: { readonly file: string; readonly text?: string; readonly map: string };
  /** Suggestions per target (default 3). */
  readonly top?: number;
  /** Only these target paths (`po_number`, `lines[].item`, `ship_to.city`). */
  readonly targets?: readonly string[];
  /** Type-check each suggestion with the compiler (default true). */
  readonly typeCheck?: boolean;
  /** Suggestions below this confidence are not shown (default MIN_CONFIDENCE). */
  readonly minConfidence?: number;
}

export type SignalName = 'name' | 'abbreviation' | 'description' | 'type' | 'codes' | 'samples' | 'corpus' | 'lookup' | 'structure';

export interface Signal {
  readonly signal: SignalName;
  /** 0..1 */
  readonly score: number;
  readonly reason: string;
}

export interface FixtureCheck {
  /** Cases run. */
  readonly cases: number;
  /** Cases whose expected write holds this field and that the suggestion reproduces. */
  readonly confirmed: number;
  /** Cases it contradicts or breaks, with the first reason. */
  readonly failed: number;
  readonly reason?: string;
}

export interface Suggestion {
  /** The expression to assign, in the map's context (`truncate(upper(trim(item.sku)), 15)`). */
  readonly expression: string;
  /** 0..1, the weighted signals. */
  readonly confidence: number;
  /** The entity fields it reads (`xcart.OrderItem.sku`). */
  readonly sources: readonly string[];
  readonly signals: readonly Signal[];
  /** `ok`: the compiler accepts it in the flow (and the fixtures agree); `failed`: see reason; `unchecked`: typeCheck false. */
  readonly check: 'ok' | 'failed' | 'unchecked';
  readonly reason?: string;
  readonly fixtures?: FixtureCheck;
}

export interface TargetSuggestions {
  /** `po_number`, `lines[].item`, `ship_to.city` */
  readonly target: string;
  /** The flow type, `string`, `date?`. */
  readonly type: string;
  /** `SOMAST.PONUM C(20)` when stored. */
  readonly column?: string;
  readonly required: boolean;
  /** For a nested target: what it is built from (`each order.items as item`, `order.shipping_address`). */
  readonly via?: string;
  /** Best first; those that failed a check come after the others. */
  readonly suggestions: readonly Suggestion[];
}

export interface SuggestResult {
  readonly from: string;
  readonly to: string;
  /** The map name and flow file, with `flow`. */
  readonly map?: string;
  readonly file?: string;
  readonly targets: readonly TargetSuggestions[];
}
