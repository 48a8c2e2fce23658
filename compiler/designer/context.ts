import type { DesignContext, DesignContextOptions } from './api.js';
export function designContextImpl(_flowPath: string, _options: DesignContextOptions): DesignContext { throw new Error('not yet'); }
