/**
 * The `.flow` source lines around a site, for a run's attempts: the file is looked up in the
 * configured source folders (the folder flowc compiled, e.g. mappings/), only `.flow` files inside
 * them, never a path that climbs out.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface SourceSnippet { readonly file: string; readonly firstLine: number; readonly lines: readonly string[] }
export interface SiteRef { readonly file: string; readonly line: number; readonly column: number }

/** `file.flow:12:5` → { file, line, column }; undefined when it is not one. */
export function parseSite(text: string | null | undefined): SiteRef | undefined {
  if (!text) return undefined;
  const m = /^(.*):(\d+):(\d+)$/.exec(text);
  return m ? { file: m[1]!, line: Number(m[2]), column: Number(m[3]) } : undefined;
}

export class FlowSources {
  private readonly cache = new Map<string, string[] | null>();
  constructor(private readonly dirs: readonly string[]) {}

  /** `context` lines either side of `site.line`, or undefined when the file is not found. */
  around(site: SiteRef, context = 3): SourceSnippet | undefined {
    const lines = this.read(site.file);
    if (!lines) return undefined;
    const first = Math.max(1, site.line - context);
    const last = Math.min(lines.length, site.line + context);
    return { file: site.file, firstLine: first, lines: lines.slice(first - 1, last) };
  }

  /** The whole source of a flow file, or undefined. */
  text(file: string): string | undefined {
    return this.read(file)?.join('\n');
  }

  private read(file: string): string[] | undefined {
    if (!file.endsWith('.flow')) return undefined;
    if (this.cache.has(file)) return this.cache.get(file) ?? undefined;
    let found: string[] | null = null;
    for (const dir of this.dirs) {
      const root = path.resolve(dir);
      const full = path.resolve(root, file);
      if (full !== root && !full.startsWith(root + path.sep)) continue;
      try { found = fs.readFileSync(full, 'utf8').split(/\r?\n/); break; } catch { /* next folder */ }
    }
    if (this.cache.size > 500) this.cache.clear();
    this.cache.set(file, found);
    return found ?? undefined;
  }
}
