/** Spawns a test-support script as a separate Node process (`node --import tsx`). */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Child {
  readonly proc: ChildProcess;
  /** Complete stdout lines so far (a partial last line is not included). */
  readonly lines: string[];
  stderr(): string;
  /** Resolves with the exit code / signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when a line matching `pred` has arrived (rejects if the process exits first). */
  waitFor(pred: (line: string, index: number) => boolean): Promise<void>;
}

export function spawnScript(script: string, args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], {
    cwd: path.resolve(here, '../../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let err = '';
  const waiters: { pred: (l: string, i: number) => boolean; resolve: () => void; reject: (e: Error) => void }[] = [];
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      lines.push(line);
      for (let w = waiters.length - 1; w >= 0; w--) {
        if (waiters[w]!.pred(line, lines.length - 1)) waiters.splice(w, 1)[0]!.resolve();
      }
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`${script} exited (${code ?? signal}) before the awaited line:\n${err}`));
      resolve({ code, signal });
    });
  });
  return {
    proc,
    lines,
    stderr: () => err,
    exited,
    waitFor: (pred) =>
      new Promise<void>((resolve, reject) => {
        if (lines.some(pred)) return resolve();
        waiters.push({ pred, resolve, reject });
      }),
  };
}
