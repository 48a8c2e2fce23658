import type { DesignContext, Palette } from './api.js';
export function paletteImpl(_ctx: DesignContext): Palette { throw new Error('not yet'); }
