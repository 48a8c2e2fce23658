// Shared by bin/flowc.js and bin/flowd.js: runs a command's `main` from the compiled JavaScript in
// dist/ (built by scripts/setup.sh) when dist/ was built from the sources there are now; otherwise
// (or with CONNECT_FROM_SOURCES=1) from the TypeScript sources through tsx. See bin/README.md.
import { distIsCurrent } from '../scripts/source-hash.mjs';

/** @param {string} command the module path below the package root without extension, e.g. 'compiler/cli' */
export async function launch(command) {
  let main;
  if (process.env.CONNECT_FROM_SOURCES !== '1' && distIsCurrent()) {
    ({ main } = await import(`../dist/${command}.js`));
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import(`../${command}.ts`));
  }
  process.exitCode = await main(process.argv.slice(2));
}
