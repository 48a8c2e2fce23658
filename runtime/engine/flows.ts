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

export class FlowLoadError extends Error {}

export async function loadFlows(dir: string, only?: readonly string[]): Promise<Map<string, LoadedFlow>> {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) throw new FlowLoadError(`no compiled flows in ${dir} (manifest.json missing; run flowc build <flows> --out ${dir})`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { contractVersion: number; flows: { name: string; module: string; version: string }[] };
  if (manifest.contractVersion !== CONTRACT_VERSION) {
    throw new FlowLoadError(`${manifestPath}: flows were built for runtime contract ${manifest.contractVersion}, this runtime has ${CONTRACT_VERSION}; rebuild them with this version's flowc`);
  }
  const flows = new Map<string, LoadedFlow>();
  for (const f of manifest.flows) {
    if (only && !only.includes(f.name)) continue;
    // The version in the URL makes a rebuilt module load fresh (replays use the deployed version).
    const url = `${pathToFileURL(path.join(dir, f.module)).href}?v=${f.version}`;
    const module = (await import(url)) as FlowModule;
    if (module.meta?.contractVersion !== CONTRACT_VERSION) throw new FlowLoadError(`${f.module}: built for contract ${module.meta?.contractVersion}`);
    flows.set(f.name, { name: f.name, version: module.meta.version, module });
  }
  if (only) for (const n of only) if (!flows.has(n)) throw new FlowLoadError(`flow '${n}' is not in ${manifestPath} (has: ${manifest.flows.map((f) => f.name).join(', ')})`);
  return flows;
}
