/**
 * flowc: the .flow compiler's command line. Names, flags, exit codes and output formats are an
 * interface that scripts and CI depend on:
 *   flowc check <paths...> [--format pretty|json|baseline]   exit 0 clean, 1 errors, 2 usage/internal
 *   flowc build <paths...> --out <dir>
 *   flowc test <paths...>                                    last line: `N passed, N failed`
 *   flowc introspect --dsn <dsn> --out <dir>
 *   flowc fmt <paths...> [--check]                           exit 0 formatted, 1 would change / syntax errors
 *   flowc lsp                                                the language server on stdio
 *   flowc suggest --from <system.Entity> --to <system.Entity> [--samples FILE] [--format json] [--flow FILE --map NAME]
 *                                                            mapping suggestions (compiler/suggest/); exit 0, 2 usage
 * Common options: --schemas <dir> (default <folder>/schemas), --lookups <dir> (default <folder>/lookups).
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { createProgram, UsageError, type Program } from './program.js';
import { renderPretty } from './diagnostics/render-pretty.js';
import { renderJson } from './diagnostics/render-json.js';
import { renderBaseline } from './diagnostics/render-baseline.js';
// The emitter (the TypeScript compiler, for the type-check) and the flow-test runner (which builds) are
// imported only by the commands that need them: `flowc check` never loads TypeScript.

const USAGE = `usage:
  flowc check <paths...> [--format pretty|json|baseline] [--schemas DIR] [--lookups DIR]
  flowc build <paths...> --out <dir> [--schemas DIR] [--lookups DIR]
  flowc test <paths...> [--schemas DIR] [--lookups DIR]
  flowc introspect --dsn <dsn> --out <dir> [--tables T1,T2]
  flowc fmt <paths...> [--check]
  flowc lsp [--stdio]
  flowc suggest --from <system.Entity> --to <system.Entity> [--samples FILE] [--format json] [--flow FILE --map NAME] [--schemas DIR] [--lookups DIR]
`;

const common = {
  schemas: { type: 'string' },
  lookups: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  color: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  dsn: { type: 'string' },
  tables: { type: 'string' },
  check: { type: 'boolean' },
  stdio: { type: 'boolean' },
  from: { type: 'string' },
  to: { type: 'string' },
  samples: { type: 'string' },
  flow: { type: 'string' },
  map: { type: 'string' },
} as const;

function write(s: string): void { process.stdout.write(s.endsWith('\n') || s === '' ? s : s + '\n'); }

function printDiagnostics(program: Program, format: string, toStderr = false): void {
  const text = format === 'json' ? renderJson(program.diagnostics)
    : format === 'baseline' ? renderBaseline(program.diagnostics, (f) => program.source(f))
    : renderPretty(program.diagnostics, (f) => program.source(f), { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR });
  (toStderr ? process.stderr : process.stdout).write(text.endsWith('\n') || text === '' ? text : text + '\n');
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') { write(USAGE); return cmd ? 0 : 2; }
    const { values, positionals } = parseArgs({ args: rest, options: common, allowPositionals: true, strict: true });
    if (values.help) { write(USAGE); return 0; }
    const programOptions = { schemasDir: values.schemas, lookupsDir: values.lookups };
    switch (cmd) {
      case 'check': {
        const format = values.format ?? 'pretty';
        if (!['pretty', 'json', 'baseline'].includes(format)) throw new UsageError(`unknown format '${format}' (expected pretty, json or baseline)`);
        if (positionals.length === 0) throw new UsageError('flowc check needs at least one .flow file or folder');
        const program = createProgram(positionals, programOptions);
        printDiagnostics(program, format);
        return program.hasErrors ? 1 : 0;
      }
      case 'build': {
        if (!values.out) throw new UsageError('flowc build needs --out <dir>');
        if (positionals.length === 0) throw new UsageError('flowc build needs at least one .flow file or folder');
        const program = createProgram(positionals, programOptions);
        if (program.diagnostics.length) printDiagnostics(program, values.format ?? 'pretty', true);
        if (program.hasErrors) return 1;
        const { buildProgram, writeBuild } = await import('./emitter/build.js');
        const out = buildProgram(program);
        if (out.typeErrors.length) {
          process.stderr.write(`flowc: internal error: the generated code does not type-check:\n${out.typeErrors.join('\n')}\n`);
          return 2;
        }
        writeBuild(out, values.out);
        write(`built ${out.flows.length} flow${out.flows.length === 1 ? '' : 's'} into ${values.out}: ${out.flows.map((f) => `${f.name}@${f.version.slice(0, 8)}`).join(', ')}`);
        return 0;
      }
      case 'test': {
        if (positionals.length === 0) throw new UsageError('flowc test needs at least one .flow file or folder');
        const program = createProgram(positionals, programOptions);
        if (program.diagnostics.length) printDiagnostics(program, 'pretty', true);
        if (program.hasErrors) { write('0 passed, 0 failed'); return 1; }
        const { findTestFiles, runFlowTests } = await import('./flow-test.js');
        const results = await runFlowTests(program, findTestFiles(positionals));
        for (const r of results) {
          write(`${r.passed ? 'ok  ' : 'FAIL'} ${r.flow}: ${r.name} (${r.file})`);
          for (const f of r.failures) write(`       ${f}`);
        }
        const passed = results.filter((r) => r.passed).length;
        write(`${passed} passed, ${results.length - passed} failed`);
        return results.length - passed > 0 ? 1 : 0;
      }
      case 'introspect': {
        if (!values.dsn || !values.out) throw new UsageError('flowc introspect needs --dsn <dsn> and --out <dir>');
        const { introspect, IntrospectUsageError } = await import('./introspect/introspect.js');
        try {
          const r = await introspect({ dsn: values.dsn, outDir: path.resolve(values.out), tables: values.tables?.split(',').map((t) => t.trim()).filter(Boolean) });
          write(r.report);
        } catch (err) {
          if (err instanceof IntrospectUsageError) { process.stderr.write(`flowc introspect: ${err.message}\n`); return 2; }
          throw err;
        }
        return 0;
      }
      case 'fmt': {
        if (positionals.length === 0) throw new UsageError('flowc fmt needs at least one .flow file or folder');
        const { runFmt } = await import('./format/fmt-command.js');
        return runFmt(positionals, { check: values.check ?? false, color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR });
      }
      case 'suggest': {
        const { runSuggest } = await import('./suggest/command.js');
        return await runSuggest({ from: values.from, to: values.to, samples: values.samples, format: values.format, flow: values.flow, map: values.map,
          schemas: values.schemas, lookups: values.lookups, positionals }, write);
      }
      case 'lsp': {
        const { startStdioServer } = await import('./lsp/server.js');
        startStdioServer();
        return await new Promise<number>(() => { /* runs until the client ends the session (exit) */ });
      }
      default:
        throw new UsageError(`unknown command '${cmd}'`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith?.('ERR_PARSE_ARGS')) {
      process.stderr.write(`flowc: ${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`flowc: internal error: ${(err as Error).stack ?? err}\n`);
    return 2;
  }
}
