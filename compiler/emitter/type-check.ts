/**
 * Type-checks generated code with the TypeScript compiler (one in-memory program of the whole
 * build: every module, the runtime files and entities.ts) and produces its JavaScript.
 *
 * Speed (`npm run bench:compile`, part b): the TypeScript API directly (no ts-morph project and
 * wrappers); the standard library's declaration files (lib.es2022 and what it references) are parsed
 * once per process and shared by every build; the JavaScript of a checked file comes from the
 * checked program, of any other file from `ts.transpileModule` (the same output: the generated
 * modules need no type information to become JS), and is remembered by a hash of the file's name
 * and text, TypeScript's version and the options (`js-<key>.js`). The type-check itself is the full
 * `getPreEmitDiagnostics` of the program, as before.
 *
 * Clean modules are remembered (flowc's cache folder, grammar/cache-dir.ts; `CONNECT_CACHE=0` turns it
 * off): a module whose type-check was clean is not checked again while its text, the text of every
 * file it imports (transitively: the runtime files, entities.ts), TypeScript's version and the
 * options are the same; the key is a hash of all of them, so an entry is exactly right or absent. The
 * outcome of a check is a function of those inputs alone (an ES module sees nothing but its imports),
 * so this skips only checks whose result is known. Only a build without any type error is
 * remembered; a module with an error is checked and reported every time.
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { cacheDir } from '../../grammar/cache-dir.js';
import fs from 'node:fs';

// TypeScript is CommonJS: `require` it (an ESM import of its 9 MB would first be scanned for export names).
const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');

export const COMPILER_OPTIONS: import('typescript').CompilerOptions = {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true, skipLibCheck: true, noEmitOnError: false, declaration: false, sourceMap: false, types: [] as string[], lib: ['lib.es2022.d.ts'],
};

export interface CheckResult {
  /** `file:line:col: TSnnnn: message` for every type error. */
  readonly typeErrors: string[];
  /** Emitted JavaScript by output file name (empty unless asked for). */
  readonly js: Map<string, string>;
  /** Modules whose clean type-check was remembered and not redone (see above); 0 without typeCheck. */
  readonly cachedModules: number;
  /** Files of the TypeScript program that was checked (0 when every module was remembered). */
  readonly checkedFiles: number;
}

const ROOT = '/out/';
const LIB_DIR = path.dirname(createRequire(import.meta.url).resolve('typescript/lib/lib.d.ts'));
/** Parsed lib*.d.ts by file name, for every build of this process (they never change). */
const libFiles = new Map<string, import('typescript').SourceFile>();

function libFile(fileName: string, languageVersion: import('typescript').ScriptTarget | import('typescript').CreateSourceFileOptions): import('typescript').SourceFile | undefined {
  let sf = libFiles.get(fileName);
  if (!sf) {
    const text = ts.sys.readFile(fileName);
    if (text === undefined) return undefined;
    sf = ts.createSourceFile(fileName, text, languageVersion, false);
    libFiles.set(fileName, sf);
  }
  return sf;
}

/** A compiler host over the build's files (under /out/) and the TypeScript package's lib folder. */
function memoryHost(files: ReadonlyMap<string, string>): import('typescript').CompilerHost {
  const inOut = (f: string) => f.startsWith(ROOT);
  const rel = (f: string) => f.slice(ROOT.length);
  const dirs = new Set<string>(['/out']);
  for (const name of files.keys()) for (let d = path.posix.dirname(ROOT + name); d !== '/' && !dirs.has(d); d = path.posix.dirname(d)) dirs.add(d);
  return {
    getSourceFile: (fileName, languageVersion) => {
      if (inOut(fileName)) {
        const text = files.get(rel(fileName));
        return text === undefined ? undefined : ts.createSourceFile(fileName, text, languageVersion, false);
      }
      return fileName.startsWith(LIB_DIR) ? libFile(fileName, languageVersion) : undefined;
    },
    getDefaultLibFileName: (o) => path.join(LIB_DIR, ts.getDefaultLibFileName(o)),
    getDefaultLibLocation: () => LIB_DIR,
    writeFile: () => { /* the program is only checked */ },
    getCurrentDirectory: () => ROOT,
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (f) => (inOut(f) ? files.has(rel(f)) || rel(f) === 'package.json' : f.startsWith(LIB_DIR) && ts.sys.fileExists(f)),
    readFile: (f) => (inOut(f) ? (rel(f) === 'package.json' ? '{"type":"module"}' : files.get(rel(f))) : f.startsWith(LIB_DIR) ? ts.sys.readFile(f) : undefined),
    directoryExists: (d) => dirs.has(d.replace(/\/$/, '')) || d.startsWith(LIB_DIR),
    getDirectories: () => [],
  };
}

const IMPORT_RE = /^\s*(?:import|export)\b[^'"]*?\bfrom\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;

/**
 * The remembered-clean key of every module that can have one: a module with an import or export (an
 * ES module) whose relative imports all resolve to files of the build. Others are always checked.
 */
function moduleKeys(files: ReadonlyMap<string, string>): Map<string, string> {
  const base = createHash('sha256').update('connect-typecheck/1\0').update(ts.version).update('\0').update(JSON.stringify(COMPILER_OPTIONS)).digest('hex');
  const imports = new Map<string, string[] | undefined>();
  for (const [name, text] of files) {
    const deps: string[] = [];
    let ok = /^\s*(import|export)\b/m.test(text);
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) { ok = false; break; }
      const dep = path.posix.normalize(path.posix.join(path.posix.dirname(name), spec)).replace(/\.js$/, '.ts');
      if (!files.has(dep)) { ok = false; break; }
      deps.push(dep);
    }
    imports.set(name, ok ? deps : undefined);
  }
  const keys = new Map<string, string>();
  for (const name of files.keys()) {
    const closure = new Set<string>();
    let ok = true;
    const visit = (n: string) => {
      if (closure.has(n)) return;
      const deps = imports.get(n);
      if (!deps) { ok = false; return; }
      closure.add(n);
      for (const d of deps) visit(d);
    };
    visit(name);
    if (!ok) continue;
    const h = createHash('sha256').update(base);
    for (const n of [...closure].sort()) h.update('\0').update(n).update('\0').update(files.get(n)!);
    keys.set(name, h.digest('hex'));
  }
  return keys;
}

const markerFile = (dir: string, key: string) => path.join(dir, `typecheck-${key}`);

export function checkAndEmit(files: ReadonlyMap<string, string>, opts: { typeCheck: boolean; emitJs: boolean; cache?: boolean }): CheckResult {
  const ts_ = new Map<string, string>();
  for (const [name, text] of files) if (name.endsWith('.ts')) ts_.set(name, text);
  const typeErrors: string[] = [];
  let cachedModules = 0;
  let checkedFiles = 0;
  let checked: import('typescript').Program | undefined;
  if (opts.typeCheck) {
    const dir = opts.cache === false ? undefined : cacheDir();
    const keys = dir ? moduleKeys(ts_) : new Map<string, string>();
    const roots = [...ts_.keys()].filter((n) => {
      const k = keys.get(n);
      return !(k && dir && fs.existsSync(markerFile(dir, k)));
    });
    cachedModules = ts_.size - roots.length;
    if (roots.length) {
      const program = ts.createProgram({ rootNames: roots.map((n) => ROOT + n), options: COMPILER_OPTIONS, host: memoryHost(ts_) });
      checked = program;
      checkedFiles = program.getSourceFiles().filter((f) => f.fileName.startsWith(ROOT)).length;
      for (const d of ts.getPreEmitDiagnostics(program)) {
        const sf = d.file;
        const pos = sf && d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start) : undefined;
        typeErrors.push(`${sf ? sf.fileName.replace(ROOT, '') : '?'}${pos ? `:${pos.line + 1}:${pos.character + 1}` : ''}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      }
      if (dir && typeErrors.length === 0) {
        for (const f of program.getSourceFiles()) {
          const k = f.fileName.startsWith(ROOT) ? keys.get(f.fileName.slice(ROOT.length)) : undefined;
          if (k) try { fs.writeFileSync(markerFile(dir, k), '', { mode: 0o600 }); } catch { /* only slower next time */ }
        }
      }
    }
  }
  const js = new Map<string, string>();
  if (opts.emitJs) {
    const dir = opts.cache === false ? undefined : cacheDir();
    const jsKey = (name: string, text: string) => createHash('sha256').update('connect-js/1\0').update(ts.version).update('\0')
      .update(JSON.stringify(COMPILER_OPTIONS)).update('\0').update(name).update('\0').update(text).digest('hex');
    const todo: string[] = [];
    for (const [name, text] of ts_) {
      let cached: string | undefined;
      if (dir) try { cached = fs.readFileSync(path.join(dir, `js-${jsKey(name, text)}.js`), 'utf8'); } catch { /* not cached */ }
      if (cached !== undefined) js.set(name.replace(/\.ts$/, '.js'), cached); else todo.push(name);
    }
    // From the checked program when it holds the file (its syntax trees are already there), else
    // transpileModule (the same output for these modules: they need no type information). The build
    // folder is `"type": "module"` (writeBuild's package.json), so NodeNext emits ES modules;
    // transpileModule sees no package.json and is told so.
    const options = { ...COMPILER_OPTIONS, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
    for (const name of todo) {
      const text = ts_.get(name)!;
      const sf = checked?.getSourceFile(ROOT + name);
      let out: string | undefined;
      if (checked && sf) {
        checked.emit(sf, (fileName, data) => { if (fileName.endsWith('.js')) out = data; });
      }
      out ??= ts.transpileModule(text, { compilerOptions: options, fileName: ROOT + name, reportDiagnostics: false }).outputText;
      js.set(name.replace(/\.ts$/, '.js'), out);
      if (dir) {
        const file = path.join(dir, `js-${jsKey(name, text)}.js`);
        const tmp = `${file}.${process.pid}.tmp`;
        try { fs.writeFileSync(tmp, out, { mode: 0o600 }); fs.renameSync(tmp, file); } catch { try { fs.rmSync(tmp, { force: true }); } catch { /* only slower next time */ } }
      }
    }
  }
  return { typeErrors, js, cachedModules, checkedFiles };
}
