import type { ApplyResult, DesignContext, VisualEdit } from './api.js';
export function applyEditImpl(_text: string, _edit: VisualEdit, _ctx: DesignContext, _file: string): ApplyResult { throw new Error('not yet'); }
