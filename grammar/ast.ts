/**
 * The .flow syntax tree. Nodes are plain readonly objects with a string `kind`; the checker keeps
 * what it computes (symbols, types) in side tables, never on the tree. Recovery turns pieces the
 * parser could not read into `Missing` nodes, so later phases always get a whole tree.
 */
import type { Span } from './span.js';

interface NodeBase { readonly span: Span }

export interface Name extends NodeBase { readonly kind: 'Name'; readonly text: string }

/** A type as written: `sagepro.SalesOrder`, `string?`, `xcart.OrderItem[]`. */
export interface TypeRef extends NodeBase {
  readonly kind: 'TypeRef';
  readonly parts: readonly Name[];
  readonly list: boolean;
  readonly nullable: boolean;
}

export interface FlowFile extends NodeBase {
  readonly kind: 'FlowFile';
  readonly flows: readonly Flow[];
}

export interface Flow extends NodeBase {
  readonly kind: 'Flow';
  readonly name: Name;
  readonly description?: string;
  readonly items: readonly FlowItem[];
}

export type FlowItem =
  | Trigger | Fetch | Lookup | Let | Idempotency | Require | SkipWhen | Warn | TableDecl | MapDecl | Write | Policy | HoldWhenAnomaly | Missing;

// ---------- triggers ----------
/** `on xcart.order.created` */
export interface EventTrigger extends NodeBase { readonly kind: 'EventTrigger'; readonly system: Name; readonly event: readonly Name[] }
/** `on every 5m poll sagepro.InventoryLevel changed key item, location` */
export interface PollTrigger extends NodeBase {
  readonly kind: 'PollTrigger';
  readonly every: Duration;
  readonly entity: TypeRef;
  readonly changed: boolean;
  readonly key: readonly Name[];
}
/** `on schedule every 1h` or `on schedule "0 2 * * *"` */
export interface ScheduleTrigger extends NodeBase { readonly kind: 'ScheduleTrigger'; readonly every?: Duration; readonly cron?: StringLit }
export type Trigger = EventTrigger | PollTrigger | ScheduleTrigger;

// ---------- steps ----------
/** `fetch order: xcart.Order = xcart.orders.get(event.order_id) { on transient retry 3 }` */
export interface Fetch extends NodeBase { readonly kind: 'Fetch'; readonly name: Name; readonly type?: TypeRef; readonly value: Expr; readonly policies: readonly Policy[] }
/** `lookup customer: sagepro.Customer? = sagepro.customers.find_by_email(order.email)` */
export interface Lookup extends NodeBase { readonly kind: 'Lookup'; readonly name: Name; readonly type?: TypeRef; readonly value: Expr; readonly policies: readonly Policy[] }
/** `let total = sum(order.items, i => i.total)` */
export interface Let extends NodeBase { readonly kind: 'Let'; readonly name: Name; readonly type?: TypeRef; readonly value: Expr }
/** `idempotency "xc-order-" + order.order_id keep 90d` */
export interface Idempotency extends NodeBase { readonly kind: 'Idempotency'; readonly key: Expr; readonly keep?: Duration }
/** `require count(order.items) > 0 else "order has no lines"` */
export interface Require extends NodeBase { readonly kind: 'Require'; readonly condition: Expr; readonly reason: Expr }
/** `skip when order.order_number == null because "carts are not orders"` */
export interface SkipWhen extends NodeBase { readonly kind: 'SkipWhen'; readonly condition: Expr; readonly reason?: StringLit }
/** `warn "lines on the catch-all item: " + join(skus, ", ") when count(skus) > 0`: a run-log warning. */
export interface Warn extends NodeBase { readonly kind: 'Warn'; readonly message: Expr; readonly when?: Expr }

/** `table gl_by_gateway: string -> string { "Stripe" => "1010-00" } on missing reject "..."` or `... from "gl.yaml"` */
export interface TableDecl extends NodeBase {
  readonly kind: 'TableDecl';
  readonly name: Name;
  readonly keyType: TypeRef;
  readonly valueType: TypeRef;
  readonly entries: readonly TableEntry[];
  readonly from?: StringLit;
  readonly missing?: MissingPolicy;
}
export interface TableEntry extends NodeBase { readonly kind: 'TableEntry'; readonly key: Expr; readonly value: Expr }
export interface MissingPolicy extends NodeBase {
  readonly kind: 'MissingPolicy';
  readonly action: 'reject' | 'default' | 'null';
  readonly value?: Expr;
}

/** `map order -> so: sagepro.SalesOrder { ... }` */
export interface MapDecl extends NodeBase {
  readonly kind: 'MapDecl';
  readonly source?: Name;
  readonly name: Name;
  readonly type: TypeRef;
  readonly body: ObjectExpr;
}

/** `write sagepro.sales_orders.create(so) as created when cond { on transient retry 6 ... }` */
export interface Write extends NodeBase { readonly kind: 'Write'; readonly call: Expr; readonly as?: Name; readonly when?: Expr; readonly policies: readonly Policy[] }

/** `on transient retry 6 backoff exponential 2s..10m then dead_letter`, `on transient retry for 24h ...` */
export interface Policy extends NodeBase {
  readonly kind: 'Policy';
  readonly errorClass: Name;
  /**
   * `retry N ...` (a count: `max`) or `retry for 24h ...` (a time budget since the job's first
   * failed attempt: `budget`); exactly one of the two is set.
   */
  readonly retry?: { readonly max?: number; readonly budget?: Duration; readonly backoff?: Name; readonly initial?: Duration; readonly max_?: Duration; readonly span: Span };
  readonly alert?: StringLit;
  readonly then?: Name;
}

/**
 * `hold when anomaly`: a flow-level clause (beside the error policies): when the runtime's anomaly
 * detector flags a write of this run, the run is held for a person instead of writing.
 */
export interface HoldWhenAnomaly extends NodeBase { readonly kind: 'HoldWhenAnomaly' }

// ---------- expressions ----------
export interface StringLit extends NodeBase { readonly kind: 'StringLit'; readonly value: string }
export interface NumberLit extends NodeBase { readonly kind: 'NumberLit'; readonly text: string; readonly isInt: boolean }
export interface BoolLit extends NodeBase { readonly kind: 'BoolLit'; readonly value: boolean }
export interface NullLit extends NodeBase { readonly kind: 'NullLit' }
export interface Duration extends NodeBase { readonly kind: 'Duration'; readonly text: string; readonly ms: number }
export interface Ident extends NodeBase { readonly kind: 'Ident'; readonly name: string }
/** `a.b` or `a?.b` */
export interface Member extends NodeBase { readonly kind: 'Member'; readonly object: Expr; readonly name: Name; readonly optional: boolean }
/** `a[i]` (list index or table lookup) */
export interface Index extends NodeBase { readonly kind: 'Index'; readonly object: Expr; readonly index: Expr; readonly optional: boolean }
export interface Arg extends NodeBase { readonly kind: 'Arg'; readonly name?: Name; readonly value: Expr }
/** `f(x)`, `xcart.orders.get(order_id: 5)` */
export interface Call extends NodeBase { readonly kind: 'Call'; readonly callee: Expr; readonly args: readonly Arg[] }
export interface Lambda extends NodeBase { readonly kind: 'Lambda'; readonly param: Name; readonly body: Expr }
export type BinaryOp = '??' | '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';
export interface Binary extends NodeBase { readonly kind: 'Binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly opSpan: Span }
export interface Unary extends NodeBase { readonly kind: 'Unary'; readonly op: '!' | '-'; readonly operand: Expr }
export interface If extends NodeBase { readonly kind: 'If'; readonly condition: Expr; readonly then: Expr; readonly else: Expr }
export interface MatchArm extends NodeBase { readonly kind: 'MatchArm'; readonly patterns: readonly Expr[]; readonly value: Expr }
/** `match x { "P" | "A" => "" ; else => reject "..." }` */
export interface Match extends NodeBase { readonly kind: 'Match'; readonly subject: Expr; readonly arms: readonly MatchArm[]; readonly otherwise?: Expr; readonly elseSpan?: Span }
/** `reject "unpaid order"`: an expression of type never. */
export interface Reject extends NodeBase { readonly kind: 'Reject'; readonly reason: Expr }
export interface ListExpr extends NodeBase { readonly kind: 'ListExpr'; readonly items: readonly Expr[] }

/** `{ a = 1; b = { c = 2 } ; when x { d = 3 } else { d = 4 } }` */
export interface ObjectExpr extends NodeBase { readonly kind: 'ObjectExpr'; readonly members: readonly ObjectMember[] }
export interface Assignment extends NodeBase { readonly kind: 'Assignment'; readonly name: Name; readonly value: Expr }
export interface WhenBlock extends NodeBase { readonly kind: 'WhenBlock'; readonly condition: Expr; readonly then: ObjectExpr; readonly else?: ObjectExpr }
export type ObjectMember = Assignment | WhenBlock | Missing;

/** `each order.items as item where item.amount > 0 on invalid skip { ... }`: a list of objects. */
export interface Each extends NodeBase {
  readonly kind: 'Each';
  readonly source: Expr;
  readonly item: Name;
  readonly where?: Expr;
  readonly skipInvalid: boolean;
  readonly body: ObjectExpr;
}

/** Made by recovery where the parser expected something; later phases skip it silently. */
export interface Missing extends NodeBase { readonly kind: 'Missing'; readonly expected: string }

export type Expr =
  | StringLit | NumberLit | BoolLit | NullLit | Duration | Ident | Member | Index | Call | Lambda | Binary | Unary
  | If | Match | Reject | ListExpr | ObjectExpr | Each | Missing;

export type Node =
  | FlowFile | Flow | FlowItem | Trigger | Expr | Name | TypeRef | TableEntry | MissingPolicy | Arg | MatchArm
  | Assignment | WhenBlock;

/** Child properties per kind, in source order: drives `walk` (graphql-js style). */
export const childKeys: Record<Node['kind'], readonly string[]> = {
  FlowFile: ['flows'], Flow: ['name', 'items'],
  EventTrigger: ['system', 'event'], PollTrigger: ['every', 'entity', 'key'], ScheduleTrigger: ['every', 'cron'],
  Fetch: ['name', 'type', 'value', 'policies'], Lookup: ['name', 'type', 'value', 'policies'], Let: ['name', 'type', 'value'],
  Idempotency: ['key', 'keep'], Require: ['condition', 'reason'], SkipWhen: ['condition', 'reason'],
  Warn: ['message', 'when'], HoldWhenAnomaly: [],
  TableDecl: ['name', 'keyType', 'valueType', 'entries', 'from', 'missing'], TableEntry: ['key', 'value'],
  MissingPolicy: ['value'], MapDecl: ['source', 'name', 'type', 'body'], Write: ['call', 'as', 'when', 'policies'],
  Policy: ['errorClass', 'alert', 'then'],
  StringLit: [], NumberLit: [], BoolLit: [], NullLit: [], Duration: [], Ident: [], Name: [], TypeRef: ['parts'],
  Member: ['object', 'name'], Index: ['object', 'index'], Arg: ['name', 'value'], Call: ['callee', 'args'],
  Lambda: ['param', 'body'], Binary: ['left', 'right'], Unary: ['operand'], If: ['condition', 'then', 'else'],
  MatchArm: ['patterns', 'value'], Match: ['subject', 'arms', 'otherwise'], Reject: ['reason'], ListExpr: ['items'],
  ObjectExpr: ['members'], Assignment: ['name', 'value'], WhenBlock: ['condition', 'then', 'else'],
  Each: ['source', 'item', 'where', 'body'], Missing: [],
};

/** Visits every node depth-first; `enter` returning false skips the node's children. */
export function walk(node: Node, enter: (n: Node, parent: Node | undefined) => boolean | void, parent?: Node): void {
  if (enter(node, parent) === false) return;
  for (const key of childKeys[node.kind]) {
    const child = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(child)) { for (const c of child) if (c && typeof c === 'object') walk(c as Node, enter, node); }
    else if (child && typeof child === 'object' && 'kind' in (child as object)) walk(child as Node, enter, node);
  }
}
