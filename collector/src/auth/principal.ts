// Who is asking: an API key or (with the dashboard) a logged-in user, with a role and the clients
// it may see. Every tenancy decision of the API is made here, so an API key and a session agree.
import { HttpError } from '../http/api-error.js';

export const ROLES = ['admin', 'technician', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  kind: 'api_key' | 'user';
  /** The key's id (ak_…) or the user's id. */
  id: string;
  /** Written as the author of acknowledgements and silences. */
  name: string;
  role: Role;
  /** The clients it may see; null = every client. */
  clients: string[] | null;
}

/** Whether anything of this client (alert, silence, window) exists for the principal. */
export function canSee(principal: Principal, client: string): boolean {
  return principal.clients === null || principal.clients.includes(client);
}

/** Whether it may change things of this client: technicians and admins on their clients, viewers never. */
export function canAct(principal: Principal, client: string): boolean {
  return principal.role !== 'viewer' && canSee(principal, client);
}

/** A principal that is known but not allowed to do this: 403. */
export class ForbiddenError extends HttpError {
  constructor(message: string) {
    super(403, 'forbidden', message);
    this.name = 'ForbiddenError';
  }
}

/** Throws ForbiddenError unless the principal has one of `roles`; `doing` completes "… may not <doing>". */
export function requireRole(principal: Principal, roles: readonly Role[], doing: string): void {
  if (roles.includes(principal.role)) return;
  throw new ForbiddenError(
    `${principal.role} ${principal.name} may not ${doing}; that needs the role ${roles.join(' or ')}`,
  );
}
