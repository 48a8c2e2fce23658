// The visual edits the graph page sends to the designer API (POST /api/designer/edit), built in
// one place: their shapes are the core's VisualEdit (compiler/designer/api.ts).

export interface ParamValue { name: string; expr: string }

export type VisualEdit = Record<string, unknown> & { kind: string };

export const addFetch = (name: string, operation: string, args: ParamValue[], after?: string): VisualEdit =>
  ({ kind: 'addStep', step: { kind: 'fetch', name, operation, args: Object.fromEntries(args.map((a) => [a.name, a.expr])) }, ...(after ? { after } : {}) });

export const addTable = (name: string, file: string, after?: string): VisualEdit =>
  ({ kind: 'addStep', step: { kind: 'table', name, file }, ...(after ? { after } : {}) });

export const addLet = (name: string, expr: string, after?: string): VisualEdit =>
  ({ kind: 'addStep', step: { kind: 'let', name, expr }, ...(after ? { after } : {}) });

export const addWrite = (operation: string, args: ParamValue[], when?: string, after?: string): VisualEdit =>
  ({ kind: 'addStep', step: { kind: 'write', operation, args: Object.fromEntries(args.map((a) => [a.name, a.expr])), ...(when ? { when } : {}) }, ...(after ? { after } : {}) });

export const removeStep = (key: string): VisualEdit => ({ kind: 'removeStep', key });

export const moveStep = (key: string, to: number): VisualEdit => ({ kind: 'moveStep', key, to });

/** Only the part named changes: the interval, the event, the polled entity, or the whole trigger after `on`. */
export const setTrigger = (change: { interval?: string; event?: string; entity?: string; trigger?: string }): VisualEdit => ({ kind: 'setTrigger', ...change });

export const setPolicy = (key: string, policy: { retry?: number | string | null; backoff?: string | null; alert?: string | null; then?: string | null }): VisualEdit => ({ kind: 'setPolicy', key, ...policy });

/** One field of a step (DesignStep.fields): an expression text, a plain string (a reason, a file) or a missing policy; null removes an optional one. */
export const setField = (step: string, field: string, value: string | null): VisualEdit => ({ kind: 'setField', step, field, value });
