// Which clients a silence belongs to, for tenancy: a silence is a client's when one of its matchers
// is `client=<that client>` (all matchers must match, so it can mute nothing of another client).
// A silence without one, or with only a regex on client, may reach every client: admins' business.
import type { Matcher, Silence } from '../alerting/silence.js';
import { HttpError } from '../http/api-error.js';
import { canSee, ForbiddenError, type Principal } from './principal.js';

/** The distinct clients named by `client=` matchers; empty when the silence is not pinned to a client. */
export function silenceClients(matchers: readonly Matcher[]): string[] {
  return [...new Set(matchers.filter((m) => m.label === 'client' && m.op === '=').map((m) => m.value))];
}

/**
 * Whether the principal may see (and, with the role, expire) this silence: an unlimited one sees
 * all; a limited one only silences pinned to clients that are all its own, so a silence whose
 * matchers name another client never shows that client's name, author or reason to it.
 */
export function canSeeSilence(principal: Principal, silence: Pick<Silence, 'matchers'>): boolean {
  if (principal.clients === null) return true;
  const pinned = silenceClients(silence.matchers);
  return pinned.length > 0 && pinned.every((client) => canSee(principal, client));
}

/** The clients of each host named by a `host=` matcher (every agent with that hostname). */
export type HostClients = ReadonlyMap<string, readonly string[]>;

/** The hostnames a `host=` matcher names: the route looks up their clients for `checkSilenceScope`. */
export function silenceHosts(matchers: readonly Matcher[]): string[] {
  return [...new Set(matchers.filter((m) => m.label === 'host' && m.op === '=').map((m) => m.value))];
}

/**
 * Throws unless the principal may create a silence with these matchers. Two different `client=`
 * values can never both match (400, for everyone). A principal limited to some clients must pin the
 * silence to one of them (403 otherwise); naming another client, or a host that is not one of the
 * pinned clients' hosts, answers 404 exactly as a client or host that does not exist.
 */
export function checkSilenceScope(principal: Principal, matchers: readonly Matcher[], hosts: HostClients): void {
  const pinned = silenceClients(matchers);
  if (pinned.length > 1) {
    throw new HttpError(
      400,
      'invalid_body',
      `matchers: client=${pinned[0]} and client=${pinned[1]} can never both match (an alert has one client)`,
    );
  }
  if (principal.clients === null) return;
  const own = principal.clients;
  const client = pinned[0];
  if (client === undefined) {
    if (own.length === 0)
      throw new ForbiddenError(`${principal.name} is limited to no client at all, so it cannot silence anything`);
    throw new ForbiddenError(
      `${principal.name} is limited to the clients ${own.join(', ')}: a silence must include a matcher ` +
        `client=<one of them>, e.g. client=${own[0]}`,
    );
  }
  if (!canSee(principal, client)) throw new HttpError(404, 'not_found', `no client ${client}`);
  for (const host of silenceHosts(matchers)) {
    if (!(hosts.get(host) ?? []).includes(client))
      throw new HttpError(404, 'not_found', `no host ${host} in client ${client}`);
  }
}
