/**
 * `flowc fmt <paths...> [--check]`: formats .flow files in place (format.ts).
 *  - stdout: the files that were rewritten (or, with --check, that would be), one per line, as given
 *    relative to the working folder; nothing when every file is already formatted.
 *  - stderr: the syntax diagnostics of files that do not parse (left untouched), and a summary.
 *  - exit: 0 all formatted (or, with --check, nothing would change); 1 a file would change (--check)
 *    or has syntax errors or is not valid UTF-8; 2 usage or internal error (cli.ts).
 * A file is replaced through a temporary file and a rename, so an interrupted run never leaves half a
 * file; a file whose bytes are not valid UTF-8 is never rewritten (decoding would lose them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { findFlowFiles, syntaxDiagnostic } from '../program.js';
import { renderPretty } from '../diagnostics/render-pretty.js';
import { formatSource } from './format.js';

export interface FmtOptions { readonly check: boolean; readonly color?: boolean }
export interface FmtIo { out(s: string): void; err(s: string): void }

const stdio: FmtIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export function runFmt(paths: readonly string[], opts: FmtOptions, io: FmtIo = stdio): number {
  const files = findFlowFiles(paths);
  const changed: string[] = [];
  let broken = 0;
  for (const abs of files) {
    const file = path.relative(process.cwd(), abs) || abs;
    const bytes = fs.readFileSync(abs);
    const text = bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(bytes)) {
      io.err(`flowc fmt: ${file}: not valid UTF-8; left as it is\n`);
      broken++;
      continue;
    }
    const r = formatSource(text, file);
    if (r.issues.length) {
      const source = text.replace(/^\uFEFF/, '');
      io.err(renderPretty(r.issues.map(syntaxDiagnostic), (f) => (f === file ? source : undefined), { color: opts.color }));
      io.err(`flowc fmt: ${file} has syntax errors; left as it is\n`);
      broken++;
      continue;
    }
    if (!r.changed) continue;
    changed.push(file);
    if (!opts.check) {
      const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.fmt-${process.pid}`);
      fs.writeFileSync(tmp, r.text, { mode: fs.statSync(abs).mode });
      fs.renameSync(tmp, abs);
    }
  }
  for (const f of changed) io.out(`${f}\n`);
  const n = (k: number) => `${k} file${k === 1 ? '' : 's'}`;
  if (opts.check) io.err(changed.length ? `${n(changed.length)} would be reformatted (flowc fmt to fix)${broken ? `, ${n(broken)} not formatted` : ''}\n`
    : `${n(files.length - broken)} already formatted${broken ? `, ${n(broken)} not formatted` : ''}\n`);
  else io.err(`${n(changed.length)} reformatted, ${n(files.length - broken - changed.length)} already formatted${broken ? `, ${n(broken)} not formatted` : ''}\n`);
  return broken || (opts.check && changed.length) ? 1 : 0;
}
