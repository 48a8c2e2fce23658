/**
 * Names and what they are bound to. The flow's root scope holds `event` and every step's name; a
 * lambda or an `each` opens an inner scope for its parameter or item. A binding's type is narrowed in
 * place by `skip when x == null` / `require x != null` (rules/condition.ts).
 */
import type * as A from '../../grammar/ast.js';
import type { Type } from '../schema/types.js';
import type { Resolution } from './model.js';

export interface Binding {
  type: Type;
  readonly decl: Extract<Resolution, { kind: 'local' }>['decl'];
  readonly node?: A.Node;
  used: boolean;
  /** Position among the flow-level names (`event` is 0); undefined for lambda parameters and `each` items. */
  readonly order?: number;
}

export class Scope {
  private readonly names = new Map<string, Binding>();
  constructor(readonly parent?: Scope) {}
  declare(name: string, b: Binding): void { this.names.set(name, b); }
  lookup(name: string): Binding | undefined { return this.names.get(name) ?? this.parent?.lookup(name); }
  allNames(): string[] { return [...this.names.keys(), ...(this.parent?.allNames() ?? [])]; }
}
