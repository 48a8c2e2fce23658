import type { DesignContext, DesignModel } from './api.js';
export function analyzeDesignImpl(_text: string, _file: string, _ctx: DesignContext): DesignModel { throw new Error('not yet'); }
