/**
 * The state of each connection (X-Cart, Sage Pro) for the overview: up, down or unknown, since when,
 * and the last error (scrubbed of secrets by the console before it is shown). flowd's connection
 * watch (service.ts, every second) reports what its pollers saw.
 */
export type ConnectionName = 'xcart' | 'sagepro';
export interface ConnectionState { readonly name: ConnectionName; readonly state: 'up' | 'down' | 'unknown'; readonly since: number | null; readonly lastError?: string }

export class ConnectionWatch {
  private readonly states = new Map<ConnectionName, ConnectionState>();
  constructor(private readonly now: () => number = Date.now) {
    for (const name of ['xcart', 'sagepro'] as const) this.states.set(name, { name, state: 'unknown', since: null });
  }

  observe(name: ConnectionName, up: boolean, lastError?: string): void {
    const prev = this.states.get(name)!;
    const state = up ? 'up' : 'down';
    const since = prev.state === state ? prev.since : this.now();
    this.states.set(name, { name, state, since, ...(!up && lastError ? { lastError } : {}) });
  }

  list(): ConnectionState[] { return [...this.states.values()]; }
}
