/**
 * `flowd demo [--once] [--state-dir DIR] [--sagepro-profile NAME]`: the command line of the demo
 * (examples/demo/demo.ts). bin/flowd.js runs this instead of runtime/cli.ts when its first argument is
 * `demo`: the demo compiles the shipped flows, so it imports the compiler, which the runtime never does
 * (test/runtime-imports.test.ts). Same flags, output and exit codes as before the move.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import fs from 'node:fs';

const DEFAULT_DEMO_DIR = '.state/demo';

/** @param argv the arguments after the program name: `demo` first. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd !== 'demo') { process.stderr.write(`flowd demo: expected the 'demo' command, got '${cmd ?? ''}'\n`); return 2; }
  try {
    const { values } = parseArgs({ args: rest, options: { once: { type: 'boolean', default: false }, 'state-dir': { type: 'string', default: DEFAULT_DEMO_DIR },
      'sagepro-profile': { type: 'string', default: 'standard' } }, strict: true });
    const { PROFILE_NAMES } = await import('../../runtime/sandbox/sagepro/profiles.js');
    const profile = values['sagepro-profile']!;
    if (!(PROFILE_NAMES as readonly string[]).includes(profile)) {
      process.stderr.write(`flowd: --sagepro-profile: unknown profile '${profile}' (profiles: ${PROFILE_NAMES.join(', ')})\n`);
      return 2;
    }
    const { runDemo } = await import('./demo.js');
    return await runDemo({ once: values.once!, stateDir: values['state-dir']!, sageproProfile: profile, mappingsDir: path.join(checkoutRoot(), 'mappings') });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.name === 'ConfigError' || e.code?.startsWith('ERR_PARSE_ARGS')) { process.stderr.write(`flowd: ${e.message}\n`); return 2; }
    process.stderr.write(`flowd: ${e.message}\n`);
    return 1;
  }
}

/**
 * The checkout flowd runs from (the first folder above this file with a package.json), for the
 * demo's shipped flows: the same from the sources and from the compiled dist/examples/demo/cli.js.
 */
function checkoutRoot(): string {
  let dir = import.meta.dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
