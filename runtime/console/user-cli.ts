/**
 * `flowd user add NAME --role viewer|operator|admin`, `flowd user passwd NAME`, `flowd user remove NAME`,
 * `flowd user list`: the console's users, in the store. The password comes from a prompt (typed twice,
 * not echoed) or, with `--password-stdin`, from standard input (one line): never from the command
 * line, where other users and shell history would see it. Exit 0 done, 1 refused, 2 usage.
 */
import { parseArgs } from 'node:util';
import readline from 'node:readline';
import { Writable } from 'node:stream';
import type { ConsoleRole, Store } from '../store/store.js';
import { checkPassword, hashPassword } from './auth.js';

export const USER_USAGE = `usage:
  flowd user add NAME --role viewer|operator|admin [--password-stdin] [--state-dir DIR | --config FILE]
  flowd user passwd NAME [--password-stdin] [--state-dir DIR | --config FILE]
  flowd user remove NAME [--state-dir DIR | --config FILE]
  flowd user list [--json] [--state-dir DIR | --config FILE]
`;

const usage = (message: string) => Object.assign(new Error(`${message}\n${USER_USAGE}`), { name: 'ConfigError' });

/** Where the password is read from (tests give their own). */
export interface UserIo { readonly stdin: AsyncIterable<Buffer | string> & { isTTY?: boolean } }

async function readStdin(io: UserIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function prompt(question: string): Promise<string> {
  let muted = false;
  const out = new Writable({ write(chunk, _enc, cb) { if (!muted) process.stderr.write(chunk); cb(); } });
  const rl = readline.createInterface({ input: process.stdin, output: out, terminal: true });
  try {
    return await new Promise<string>((resolve) => { rl.question(question, (a) => { process.stderr.write('\n'); resolve(a); }); muted = true; });
  } finally { rl.close(); }
}

async function newPassword(fromStdin: boolean, io: UserIo): Promise<string> {
  let pw: string;
  if (fromStdin) pw = await readStdin(io);
  else {
    if (!io.stdin.isTTY || io.stdin !== process.stdin) throw usage('no terminal to ask for the password: pipe it in with --password-stdin');
    pw = await prompt('new password: ');
    if ((await prompt('again: ')) !== pw) throw new Error('the two passwords differ; nothing was changed');
  }
  checkPassword(pw);
  return pw;
}

export async function userCommand(argv: string[], openStore: (values: { 'state-dir'?: string; config?: string }) => Promise<Store>, io: UserIo = { stdin: process.stdin }): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: {
    'state-dir': { type: 'string' }, config: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false }, password: { type: 'string' },
  } });
  if (values.password !== undefined) throw usage('--password is not accepted (the command line is visible to other users and kept in shell history): use the prompt or --password-stdin');
  const name = positionals[0];
  if (sub !== 'list' && (!name || positionals.length !== 1)) throw usage(`user ${sub ?? ''}: give one user NAME`);
  if (sub === 'add' && !['viewer', 'operator', 'admin'].includes(values.role ?? '')) throw usage(`user add: --role viewer|operator|admin is required${values.role ? ` (not '${values.role}')` : ''}`);
  if (!['add', 'passwd', 'remove', 'list'].includes(sub ?? '')) throw usage(`user: unknown subcommand '${sub ?? ''}'`);
  // The password first: a wrong one opens no store.
  const password = sub === 'add' || sub === 'passwd' ? await newPassword(values['password-stdin']!, io) : undefined;
  const store = await openStore(values);
  try {
    switch (sub) {
      case 'add': {
        const ok = await store.console.createUser({ name: name!, role: values.role as ConsoleRole, passwordHash: await hashPassword(password!) });
        if (!ok) { process.stderr.write(`flowd: user '${name}' exists already (flowd user passwd ${name} sets a new password)\n`); return 1; }
        await store.console.appendAudit({ user: `cli:${process.env.USER ?? 'unknown'}`, action: 'user.add', target: `user ${name}`, after: { name, role: values.role } });
        process.stdout.write(`user ${name} added (${values.role})\n`);
        return 0;
      }
      case 'passwd': {
        if (!(await store.console.updateUser(name!, { passwordHash: await hashPassword(password!) }))) { process.stderr.write(`flowd: no user '${name}'\n`); return 1; }
        const ended = await store.console.deleteUserSessions(name!);
        await store.console.appendAudit({ user: `cli:${process.env.USER ?? 'unknown'}`, action: 'user.passwd', target: `user ${name}` });
        process.stdout.write(`password of ${name} changed${ended ? ` (${ended} session${ended === 1 ? '' : 's'} ended)` : ''}\n`);
        return 0;
      }
      case 'remove': {
        const before = await store.console.getUser(name!);
        if (!before || !(await store.console.deleteUser(name!))) { process.stderr.write(`flowd: no user '${name}'\n`); return 1; }
        await store.console.appendAudit({ user: `cli:${process.env.USER ?? 'unknown'}`, action: 'user.remove', target: `user ${name}`, before: { name, role: before.role } });
        process.stdout.write(`user ${name} removed\n`);
        return 0;
      }
      default: {
        const users = await store.console.listUsers();
        if (values.json) { process.stdout.write(JSON.stringify(users.map((u) => ({ name: u.name, role: u.role, createdAt: new Date(u.createdAt).toISOString() })), null, 2) + '\n'); return 0; }
        if (!users.length) { process.stdout.write('no users (flowd user add NAME --role admin)\n'); return 0; }
        for (const u of users) process.stdout.write(`${u.name.padEnd(24)} ${u.role.padEnd(9)} since ${new Date(u.createdAt).toISOString()}\n`);
        return 0;
      }
    }
  } finally { await store.close(); }
}
