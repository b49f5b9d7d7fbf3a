// Dashboard users: who they are (email, name), their role and clients, and the principal a
// logged-in user stands for. The same role and client rules as API keys apply to them.
import { randomBytes } from 'node:crypto';
import { type Principal, ROLES, type Role } from './principal.js';

export interface UserRecord {
  id: string;
  /** As typed at creation; unique without regard to case. */
  email: string;
  name: string;
  role: Role;
  /** null: every client. */
  clients: string[] | null;
  created_at: number;
  last_login_at: number | null;
  disabled_at: number | null;
}

export interface NewUserInput {
  email: string;
  name: string;
  role: Role;
  clients: string[] | null;
}

// Prefixed so an id never starts with "-" (commander would read it as an option).
export function newUserId(): string {
  return `us_${randomBytes(6).toString('hex')}`;
}

/** Why an email is not usable as a login, or undefined. Deliberately loose: the address is only a name. */
export function emailProblem(email: string): string | undefined {
  if (email.length > 254) return 'the email must be at most 254 characters long';
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) return `"${email}" is not an email address (name@example.com)`;
  return undefined;
}

/**
 * A new user's fields checked and tidied, or the first problem as `[path, message]` (path is the
 * field name, so the CLI and the API can each say it their way).
 */
export function checkNewUser(input: {
  email: string;
  name?: string;
  role: string;
  clients?: readonly string[] | null;
}): NewUserInput | [string, string] {
  const email = input.email.trim();
  const problem = emailProblem(email);
  if (problem) return ['email', problem];
  if (!(ROLES as readonly string[]).includes(input.role))
    return ['role', `must be one of ${ROLES.join(', ')}, got "${input.role}"`];
  const role = input.role as Role;
  const clients = [...new Set((input.clients ?? []).map((c) => c.trim()))];
  if (clients.includes('')) return ['clients', 'a client must have a name'];
  if (role === 'admin' && clients.length > 0)
    return ['clients', 'an admin sees every client; limit a technician or viewer instead'];
  const name = input.name?.trim() || (email.split('@')[0] as string);
  return { email, name, role, clients: clients.length === 0 ? null : clients };
}

export function userPrincipal(user: UserRecord): Principal {
  return {
    kind: 'user',
    id: user.id,
    name: user.name,
    role: user.role,
    clients: user.clients === null ? null : [...user.clients],
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A user as the API and `user list --json` show it: never the password hash. */
export function userJson(user: UserRecord) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    clients: user.clients,
    status: user.disabled_at === null ? ('active' as const) : ('disabled' as const),
    created_at: iso(user.created_at),
    last_login_at: iso(user.last_login_at),
    disabled_at: iso(user.disabled_at),
  };
}
