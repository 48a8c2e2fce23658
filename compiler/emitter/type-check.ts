/**
 * Type-checks generated code with the TypeScript compiler (ts-morph, in memory) and emits its
 * JavaScript from the same program, so the emit reuses the checker's work.
 */
import { Project, ts } from 'ts-morph';

export const COMPILER_OPTIONS = {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true, skipLibCheck: true, noEmitOnError: false, declaration: false, sourceMap: false, types: [] as string[], lib: ['lib.es2022.d.ts'],
};

export interface CheckResult {
  /** `file:line:col: TSnnnn: message` for every type error. */
  readonly typeErrors: string[];
  /** Emitted JavaScript by output file name (empty unless asked for). */
  readonly js: Map<string, string>;
}

export function checkAndEmit(files: ReadonlyMap<string, string>, opts: { typeCheck: boolean; emitJs: boolean }): CheckResult {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: COMPILER_OPTIONS });
  project.getFileSystem().writeFileSync('/out/package.json', '{"type":"module"}');
  for (const [name, text] of files) if (name.endsWith('.ts')) project.createSourceFile(`/out/${name}`, text, { overwrite: true });
  const typeErrors: string[] = [];
  if (opts.typeCheck) {
    const program = project.getProgram().compilerObject;
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const sf = d.file;
      const pos = sf && d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start) : undefined;
      typeErrors.push(`${sf ? sf.fileName.replace('/out/', '') : '?'}${pos ? `:${pos.line + 1}:${pos.character + 1}` : ''}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  const js = new Map<string, string>();
  if (opts.emitJs) for (const f of project.emitToMemory().getFiles()) js.set(f.filePath.replace(/^\/out\//, ''), f.text);
  return { typeErrors, js };
}
