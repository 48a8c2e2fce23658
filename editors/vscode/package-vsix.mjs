// `npm run package:vscode`: builds editors/vscode into a .vsix (an OPC zip: [Content_Types].xml,
// extension.vsixmanifest, extension/...) with yazl, offline: the extension's runtime dependencies
// (vscode-languageclient and what it needs) are copied from the repository's node_modules.
//   node editors/vscode/package-vsix.mjs [--out FILE]     default dist/connect-flow-<version>.vsix
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const manifest = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));
const outArg = process.argv.indexOf('--out');
const out = path.resolve(outArg > 0 ? process.argv[outArg + 1] : path.join(root, 'dist', `${manifest.name}-${manifest.version}.vsix`));
const OWN = ['package.json', 'extension.js', 'language-configuration.json', 'README.md', 'syntaxes/flow.tmLanguage.json'];

/** The folder of package `name` as Node would find it from `from` (nested node_modules first). */
function packageDir(name, from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const p = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(p, 'package.json'))) return fs.realpathSync(p);
    if (dir === path.dirname(dir)) throw new Error(`package-vsix: dependency '${name}' not found from ${from} (run the install first)`);
  }
}

/** Every runtime dependency, transitively: name → folder. */
function dependencies(deps, from, found = new Map()) {
  for (const name of Object.keys(deps ?? {})) {
    if (found.has(name)) continue;
    const dir = packageDir(name, from);
    found.set(name, dir);
    dependencies(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies, dir, found);
  }
  return found;
}

function filesUnder(dir) {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? e.path, e.name))
    .filter((f) => !f.split(path.sep).includes('node_modules') || f.startsWith(dir));
}

const entries = new Map(); // zip path -> absolute file
for (const f of OWN) entries.set(`extension/${f}`, path.join(here, f));
for (const [name, dir] of dependencies(manifest.dependencies, here)) {
  for (const f of filesUnder(dir)) {
    const rel = path.relative(dir, f).split(path.sep).join('/');
    if (rel.startsWith('node_modules/') || /\.(ts|map)$/.test(rel) && !rel.endsWith('.d.ts')) continue;
    entries.set(`extension/node_modules/${name}/${rel}`, f);
  }
}

const xml = (s) => String(s).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);
const exts = new Set([...entries.keys()].map((p) => path.extname(p).toLowerCase()).filter(Boolean));
const TYPES = { '.json': 'application/json', '.js': 'application/javascript', '.md': 'text/markdown', '.txt': 'text/plain' };
const contentTypes = `<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension=".vsixmanifest" ContentType="text/xml"/>
${[...exts].sort().map((e) => `<Default Extension="${xml(e)}" ContentType="${TYPES[e] ?? 'application/octet-stream'}"/>`).join('\n')}
</Types>
`;
const vsixManifest = `<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011" xmlns:d="http://schemas.microsoft.com/developer/vsx-schema-design/2011">
  <Metadata>
    <Identity Language="en-US" Id="${xml(manifest.name)}" Version="${xml(manifest.version)}" Publisher="${xml(manifest.publisher)}"/>
    <DisplayName>${xml(manifest.displayName)}</DisplayName>
    <Description xml:space="preserve">${xml(manifest.description)}</Description>
    <Tags>flow,__ext_flow</Tags>
    <Categories>${xml(manifest.categories.join(','))}</Categories>
    <GalleryFlags>Public</GalleryFlags>
    <Properties>
      <Property Id="Microsoft.VisualStudio.Code.Engine" Value="${xml(manifest.engines.vscode)}"/>
      <Property Id="Microsoft.VisualStudio.Code.ExtensionKind" Value="workspace"/>
    </Properties>
  </Metadata>
  <Installation>
    <InstallationTarget Id="Microsoft.VisualStudio.Code"/>
  </Installation>
  <Dependencies/>
  <Assets>
    <Asset Type="Microsoft.VisualStudio.Code.Manifest" Path="extension/package.json" Addressable="true"/>
    <Asset Type="Microsoft.VisualStudio.Services.Content.Details" Path="extension/README.md" Addressable="true"/>
  </Assets>
</PackageManifest>
`;

const zip = new yazl.ZipFile();
const mtime = new Date('2026-01-01T00:00:00Z'); // byte-identical output for identical input
zip.addBuffer(Buffer.from(contentTypes), '[Content_Types].xml', { mtime });
zip.addBuffer(Buffer.from(vsixManifest), 'extension.vsixmanifest', { mtime });
for (const [p, f] of [...entries].sort(([a], [b]) => a.localeCompare(b))) zip.addBuffer(fs.readFileSync(f), p, { mtime });
zip.end();
fs.mkdirSync(path.dirname(out), { recursive: true });
await new Promise((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(out)).on('close', resolve).on('error', reject));
console.log(`packaged ${entries.size + 2} files into ${path.relative(process.cwd(), out) || out}`);
