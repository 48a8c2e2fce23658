/**
 * `flowc suggest`: the command around suggestMappings (index.ts). Flags are an interface:
 *   --from <system.Entity> --to <system.Entity>   the pair (with --flow they default to the map's)
 *   --samples FILE                                real records, JSON or YAML (samples.ts)
 *   --format json                                 the targets as a JSON array (default: text)
 *   --flow FILE --map NAME                        the unmapped targets of that map, in its flow, run on its fixtures
 *   --schemas DIR --lookups DIR                   as for the other commands
 * Exit 0 with suggestions printed (also when none reach the threshold), 2 for a usage error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError, defaultSchemasDir } from '../program.js';
import { loadSchemas } from '../schema/load-schemas.js';
import { checkOnFixtures, readSamplesFile, SamplesError, suggestMappings, SuggestUsageError } from './index.js';
import { renderJson, renderText } from './render.js';

export interface SuggestArgs {
  readonly from?: string; readonly to?: string; readonly samples?: string; readonly format?: string;
  readonly flow?: string; readonly map?: string; readonly schemas?: string; readonly lookups?: string;
  readonly positionals: readonly string[];
}

export async function runSuggest(a: SuggestArgs, write: (s: string) => void): Promise<number> {
  const format = a.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`unknown format '${format}' for flowc suggest (expected text or json)`);
  if (a.positionals.length) throw new UsageError(`flowc suggest takes no file arguments (got ${a.positionals.join(' ')}); use --flow FILE --map NAME`);
  if ((a.flow === undefined) !== (a.map === undefined)) throw new UsageError('flowc suggest: --flow FILE and --map NAME go together');
  if (!a.flow && (!a.from || !a.to)) throw new UsageError('flowc suggest needs --from <system.Entity> and --to <system.Entity> (or --flow FILE --map NAME)');
  for (const [flag, v] of [['--from', a.from], ['--to', a.to]] as const) {
    if (v !== undefined && !/^(xcart|sagepro)\.[A-Za-z][\w.]*$/.test(v)) throw new UsageError(`flowc suggest ${flag} '${v}': write system.Entity, e.g. xcart.Order or sagepro.SalesOrder`);
  }
  if (a.flow && !fs.existsSync(a.flow)) throw new UsageError(`flowc suggest --flow: no such file: ${a.flow}`);
  const schemasDir = path.resolve(a.schemas ?? defaultSchemasDir(a.flow ? [a.flow] : ['.']));
  if (!fs.existsSync(schemasDir)) throw new UsageError(`flowc suggest: no schemas folder ${schemasDir} (pass --schemas DIR)`);
  const lookupsDir = path.resolve(a.lookups ?? path.join(path.dirname(schemasDir), 'lookups'));
  const schemas = loadSchemas(schemasDir);
  try {
    const samples = a.samples ? readSamplesFile(a.samples, schemas) : undefined;
    const req = { from: a.from, to: a.to, schemas, schemasDir, lookupsDir, samples, ...(a.flow ? { flow: { file: a.flow, map: a.map! } } : {}) };
    const result = a.flow ? await checkOnFixtures(req) : suggestMappings(req);
    write(format === 'json' ? renderJson(result) : renderText(result));
    return 0;
  } catch (e) {
    if (e instanceof SuggestUsageError || e instanceof SamplesError) throw new UsageError(e.message);
    throw e;
  }
}
