import type { DesignContext, PreviewResult } from './api.js';
export async function previewImpl(_text: string, _file: string, _ctx: DesignContext): Promise<PreviewResult> { throw new Error('not yet'); }
