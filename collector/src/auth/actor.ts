// Who did something, as the audit log writes it: a principal of the API (API key or user), the
// command line (with the OS account that ran it), or someone not logged in (a failed login).
import { userInfo } from 'node:os';
import type { Principal } from './principal.js';

export interface Actor {
  kind: 'api_key' | 'user' | 'cli' | 'anonymous';
  /** ak_…, us_…, the OS user name, or the address a failed login came from. */
  id: string;
  name: string;
}

export function actorOf(principal: Principal): Actor {
  return { kind: principal.kind, id: principal.id, name: principal.name };
}

/** The OS account running the CLI: whoever can open the database file can act, so that is who acted. */
export function cliActor(): Actor {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    // A container user without a passwd entry.
    name = process.env.USER ?? process.env.USERNAME ?? `uid ${process.getuid?.() ?? '?'}`;
  }
  return { kind: 'cli', id: name, name };
}
