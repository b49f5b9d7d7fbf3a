// `user add | list | disable | passwd`: dashboard logins with a role and optionally some clients.
// A password comes from a file, stdin or is generated (printed once); never from argv, where `ps` shows it.
import { readFileSync } from 'node:fs';
import { cliActor } from '../auth/actor.js';
import { generatePassword, hashPassword, passwordProblem } from '../auth/password.js';
import { checkNewUser, userJson } from '../auth/user.js';
import { type ConfigFlags, UsageError } from '../config.js';
import { audit } from '../store/sqlite-audit.js';
import { SqliteUserStore, UserExistsError } from '../store/sqlite-users.js';
import { withStore } from './open-store.js';
import { formatTable } from './table.js';

export interface PasswordFlags {
  passwordFile?: string;
  generatePassword?: boolean;
}

export interface UserAddFlags extends ConfigFlags, PasswordFlags {
  role: string;
  client?: string[];
  name?: string;
  json?: boolean;
}

/** Where a password is read from when it is neither generated nor in a file: stdin unless a terminal. */
export interface PasswordInput {
  isTTY?: boolean;
  read(): Promise<string>;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export const stdinPassword: PasswordInput = {
  get isTTY() {
    return process.stdin.isTTY === true;
  },
  read: () => readAll(process.stdin),
};

/** The new password and whether it was generated (then it must be printed, once). */
export async function newPassword(
  flags: PasswordFlags,
  input: PasswordInput,
): Promise<{ password: string; generated: boolean }> {
  if (flags.passwordFile !== undefined && flags.generatePassword)
    throw new UsageError('give --password-file or --generate-password, not both');
  if (flags.generatePassword) return { password: generatePassword(), generated: true };
  let text: string;
  let from: string;
  if (flags.passwordFile !== undefined) {
    from = `--password-file ${flags.passwordFile}`;
    try {
      text = readFileSync(flags.passwordFile, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${from}: ${(error as Error).message}`);
    }
  } else {
    if (input.isTTY) {
      throw new UsageError(
        'give --password-file FILE or --generate-password, or pipe the password on stdin ' +
          '(a password is never taken as an argument: `ps` would show it)',
      );
    }
    from = 'stdin';
    text = await input.read();
  }
  // The first line, without its line end: `echo "$PW" |` and files written by editors both work.
  const password = text.split(/\r?\n/)[0] ?? '';
  if (password === '') throw new UsageError(`no password on ${from} (or use --generate-password)`);
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(`${from}: ${problem}`);
  return { password, generated: false };
}

function scope(clients: string[] | null): string {
  return clients === null ? 'every client' : `clients ${clients.join(', ')}`;
}

export async function userAdd(
  email: string,
  flags: UserAddFlags,
  now = Date.now(),
  input: PasswordInput = stdinPassword,
): Promise<number> {
  const checked = checkNewUser({ email, name: flags.name, role: flags.role, clients: flags.client });
  if (Array.isArray(checked)) {
    const [field, message] = checked;
    throw new UsageError(`${field === 'email' ? 'EMAIL' : `--${field === 'clients' ? 'client' : field}`}: ${message}`);
  }
  const { password, generated } = await newPassword(flags, input);
  const passwordHash = await hashPassword(password);
  const user = await withStore(flags, { create: true }, async ({ store }) => {
    let created: ReturnType<SqliteUserStore['create']>;
    try {
      created = new SqliteUserStore(store.db).create({ ...checked, passwordHash, now });
    } catch (error) {
      if (error instanceof UserExistsError) throw new UsageError(error.message);
      throw error;
    }
    const detail = { email: created.email, role: created.role, clients: created.clients };
    audit(store.db, { at: now, actor: cliActor(), action: 'user.add', target: created.id, detail });
    return created;
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...userJson(user), ...(generated ? { password } : {}) })}\n`);
    return 0;
  }
  const who = `user ${user.id} ${user.email} (${user.name}): ${user.role} of ${scope(user.clients)}`;
  if (generated) {
    // The password alone on stdout, so `PW=$(vitals-collector user add … --generate-password)` works.
    process.stdout.write(`${password}\n`);
    process.stderr.write(`${who}; the password is shown only this once\n`);
  } else {
    process.stdout.write(`added ${who}\n`);
  }
  return 0;
}

export async function userList(flags: ConfigFlags & { json?: boolean }): Promise<number> {
  const users = await withStore(flags, { create: false }, async ({ store }) => new SqliteUserStore(store.db).list());
  const rows = users.map(userJson);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write('no users yet (add one with `user add EMAIL --role admin --generate-password`)\n');
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['ID', 'EMAIL', 'NAME', 'ROLE', 'CLIENTS', 'STATUS', 'LAST LOGIN'],
      rows.map((r) => [
        r.id,
        r.email,
        r.name,
        r.role,
        r.clients?.join(', ') ?? '(all)',
        r.status,
        r.last_login_at ?? 'never',
      ]),
    ),
  );
  return 0;
}

export async function userDisable(
  email: string,
  flags: ConfigFlags & { json?: boolean },
  now = Date.now(),
): Promise<number> {
  return withStore(flags, { create: false }, async ({ store }) => {
    const users = new SqliteUserStore(store.db);
    const user = users.findByEmail(email);
    const disabled = user !== undefined && users.disable(user.id, now);
    if (flags.json) process.stdout.write(`${JSON.stringify({ email, id: user?.id ?? null, disabled })}\n`);
    if (!user || !disabled) {
      const why = user ? `user ${user.email} is already disabled` : `no user ${email} (see \`user list\`)`;
      process.stderr.write(`vitals-collector: ${why}\n`);
      return 1;
    }
    audit(store.db, {
      at: now,
      actor: cliActor(),
      action: 'user.disable',
      target: user.id,
      detail: { email: user.email },
    });
    if (!flags.json) process.stdout.write(`disabled ${user.email}; their sessions ended and they cannot log in\n`);
    return 0;
  });
}

export async function userPasswd(
  email: string,
  flags: ConfigFlags & PasswordFlags & { json?: boolean },
  now = Date.now(),
  input: PasswordInput = stdinPassword,
): Promise<number> {
  const { password, generated } = await newPassword(flags, input);
  const passwordHash = await hashPassword(password);
  return withStore(flags, { create: false }, async ({ store }) => {
    const users = new SqliteUserStore(store.db);
    const user = users.findByEmail(email);
    if (!user || !users.setPassword(user.id, passwordHash)) {
      process.stderr.write(`vitals-collector: no user ${email} (see \`user list\`)\n`);
      return 1;
    }
    audit(store.db, {
      at: now,
      actor: cliActor(),
      action: 'user.passwd',
      target: user.id,
      detail: { email: user.email },
    });
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ email: user.email, id: user.id, ...(generated ? { password } : {}) })}\n`,
      );
    } else if (generated) {
      process.stdout.write(`${password}\n`);
      process.stderr.write(`new password of ${user.email}, shown only this once; their sessions ended\n`);
    } else {
      process.stdout.write(`changed the password of ${user.email}; their sessions ended\n`);
    }
    return 0;
  });
}
