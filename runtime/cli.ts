/**
 * flowd: the runtime's command line.
 *   flowd sandbox [--xcart-port P] [--read-token T] [--write-token T] [--state-dir DIR] [--sagepro-db FILE]
 * Later subcommands (serve, demo, dlq, status) belong to the runtime issue.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import fs from 'node:fs';

const USAGE = `usage:
  flowd sandbox [--xcart-port <port>] [--read-token T] [--write-token T] [--state-dir DIR] [--sagepro-db FILE]
`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'sandbox': return await sandbox(rest);
      case undefined: case '-h': case '--help':
        process.stdout.write(USAGE); return cmd ? 0 : 2;
      default:
        process.stderr.write(`flowd: unknown command '${cmd}'\n${USAGE}`); return 2;
    }
  } catch (err) {
    process.stderr.write(`flowd: ${(err as Error).message}\n`);
    return 2;
  }
}

async function sandbox(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'xcart-port': { type: 'string', default: '8089' },
      'read-token': { type: 'string' },
      'write-token': { type: 'string' },
      'state-dir': { type: 'string', default: '.state/sandbox' },
      'sagepro-db': { type: 'string' },
    },
    strict: true,
  });
  const stateDir = path.resolve(values['state-dir']!);
  fs.mkdirSync(stateDir, { recursive: true });
  const { startXcartSandbox } = await import('./sandbox/xcart/server.js');
  const { createSageProSandbox } = await import('./sandbox/sagepro/database.js');
  const sage = await createSageProSandbox({ dbPath: path.resolve(values['sagepro-db'] ?? path.join(stateDir, 'sagepro.db')) });
  const xc = await startXcartSandbox({
    port: Number(values['xcart-port']),
    readToken: values['read-token'],
    writeToken: values['write-token'],
    stateDir,
  });
  process.stdout.write(
    `X-Cart sandbox:   ${xc.url}\n` +
    `  read token:     ${xc.readToken}\n` +
    `  write token:    ${xc.writeToken}\n` +
    `Sage Pro sandbox: ${sage.dsn}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => { xc.close().then(() => resolve()); };
    process.once('SIGINT', stop); process.once('SIGTERM', stop);
  });
  return 0;
}
