import type { GenerateOptions } from './api.js';
export function generateFlowImpl(_steps: number, _seed: number, _options: GenerateOptions): string { throw new Error('not yet'); }
