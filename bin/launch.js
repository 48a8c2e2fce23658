// Shared by bin/flowc.js and bin/flowd.js: runs a command's `main` from the compiled JavaScript in
// dist/ (built by scripts/setup.sh) when dist/ was built from the sources there are now; otherwise
// (or with CONNECT_FROM_SOURCES=1) from the TypeScript sources through tsx. See bin/README.md.
import { distIsCurrent } from '../scripts/source-hash.mjs';

/**
 * @param {string} command the module path below the package root without extension, e.g. 'compiler/cli'
 * @param {Record<string, string>} [extras] name -> module path (same form) whose `create()` gives a
 *   value handed to `main` as `extras[name]` (flowd serve gets the designer's core this way: the
 *   runtime never imports the compiler itself)
 */
export async function launch(command, extras = {}) {
  let load;
  if (process.env.CONNECT_FROM_SOURCES !== '1' && distIsCurrent()) {
    load = (m) => import(`../dist/${m}.js`);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    load = (m) => import(`../${m}.ts`);
  }
  const { main } = await load(command);
  const given = {};
  for (const [name, m] of Object.entries(extras)) given[name] = (await load(m)).create();
  process.exitCode = await main(process.argv.slice(2), given);
}
