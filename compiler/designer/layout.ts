import type { Layout } from './api.js';
export function readLayoutImpl(_flowFile: string): Layout { throw new Error('not yet'); }
export function writeLayoutImpl(_flowFile: string, _layout: Layout, _keys?: readonly string[]): void { throw new Error('not yet'); }
