import type { DesignContext, EntityTree } from './api.js';
export function entityTreeImpl(_ctx: DesignContext, _entity: string): EntityTree { throw new Error('not yet'); }
