/**
 * Loads the compiled flows that `flowc build` wrote (manifest.json + one JS module per flow) and
 * refuses modules built against another runtime contract.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTRACT_VERSION, type FlowModule } from '../contract.js';

export interface LoadedFlow {
  readonly name: string;
  readonly version: string;
  readonly module: FlowModule;
}

export class FlowLoadError extends Error {
  override readonly name = 'FlowLoadError';
}

interface ManifestEntry { name: string; module: string; version: string }

/** manifest.json, checked: every problem names the file (and the entry) and says what is wrong. */
function readManifest(manifestPath: string): { contractVersion: unknown; flows: ManifestEntry[] } {
  const rebuild = `; rebuild the flows with flowc build <flows> --out ${path.dirname(manifestPath)}`;
  let text: string;
  try {
    text = fs.readFileSync(manifestPath, 'utf8');
  } catch (err) {
    throw new FlowLoadError(`${manifestPath}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FlowLoadError(`${manifestPath}: not valid JSON (${(err as Error).message}; ${text.length} bytes, truncated?)${rebuild}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new FlowLoadError(`${manifestPath}: must be a JSON object with contractVersion and flows${rebuild}`);
  const m = json as { contractVersion?: unknown; flows?: unknown };
  if (!Array.isArray(m.flows)) throw new FlowLoadError(`${manifestPath}: flows must be a list of { name, module, version }${rebuild}`);
  const problems: string[] = [];
  m.flows.forEach((f: unknown, i) => {
    const e = (f ?? {}) as Record<string, unknown>;
    const label = `flows[${i}]${typeof e.name === 'string' ? ` (${e.name})` : ''}`;
    for (const k of ['name', 'module', 'version'] as const) {
      if (typeof e[k] !== 'string' || e[k] === '') problems.push(`${manifestPath}: ${label}: ${k} ${e[k] === undefined ? 'is missing' : 'must be a non-empty string'}`);
    }
  });
  if (problems.length) throw new FlowLoadError(problems.join('\n') + rebuild);
  return { contractVersion: m.contractVersion, flows: m.flows as ManifestEntry[] };
}

export async function loadFlows(dir: string, only?: readonly string[]): Promise<Map<string, LoadedFlow>> {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) throw new FlowLoadError(`no compiled flows in ${dir} (manifest.json missing; run flowc build <flows> --out ${dir})`);
  const manifest = readManifest(manifestPath);
  if (manifest.contractVersion !== CONTRACT_VERSION) {
    throw new FlowLoadError(`${manifestPath}: flows were built for runtime contract ${String(manifest.contractVersion)}, this runtime has ${CONTRACT_VERSION}; rebuild them with this version's flowc`);
  }
  const flows = new Map<string, LoadedFlow>();
  for (const f of manifest.flows) {
    if (only && !only.includes(f.name)) continue;
    const file = path.resolve(dir, f.module);
    if (!fs.existsSync(file)) throw new FlowLoadError(`${manifestPath}: flow '${f.name}' names module ${file}, which does not exist; rebuild the flows with flowc build <flows> --out ${dir}`);
    // The version in the URL makes a rebuilt module load fresh (replays use the deployed version).
    const url = `${pathToFileURL(file).href}?v=${f.version}`;
    let module: FlowModule;
    try {
      module = (await import(url)) as FlowModule;
    } catch (err) {
      throw new FlowLoadError(`${file}: flow '${f.name}' (from ${manifestPath}) cannot be loaded: ${(err as Error).message.split('\n')[0]}`);
    }
    if (module.meta?.contractVersion !== CONTRACT_VERSION) throw new FlowLoadError(`${file}: flow '${f.name}' built for contract ${String(module.meta?.contractVersion)}, this runtime has ${CONTRACT_VERSION}`);
    flows.set(f.name, { name: f.name, version: module.meta.version, module });
  }
  if (only) for (const n of only) if (!flows.has(n)) throw new FlowLoadError(`flow '${n}' is not in ${manifestPath} (has: ${manifest.flows.map((f) => f.name).join(', ')})`);
  return flows;
}
