// Which client a silence belongs to, for tenancy: a silence is a client's when one of its matchers
// is `client=<that client>` (all matchers must match, so it can mute nothing of another client).
// A silence without one, or with only a regex on client, may reach every client: admins' business.
import type { Matcher, Silence } from '../alerting/silence.js';
import { canSee, type Principal } from './principal.js';

/** The clients named by `client=` matchers; empty when the silence is not pinned to a client. */
export function silenceClients(matchers: readonly Matcher[]): string[] {
  return matchers.filter((m) => m.label === 'client' && m.op === '=').map((m) => m.value);
}

/** Whether the principal may see (and, with the role, expire) this silence. */
export function canSeeSilence(principal: Principal, silence: Pick<Silence, 'matchers'>): boolean {
  if (principal.clients === null) return true;
  return silenceClients(silence.matchers).some((client) => canSee(principal, client));
}

/**
 * Why a principal may not create a silence with these matchers, or undefined when it may: one
 * limited to some clients must pin the silence to one of them, so it cannot mute another client.
 */
export function silenceScopeProblem(principal: Principal, matchers: readonly Matcher[]): string | undefined {
  if (principal.clients === null || canSeeSilence(principal, { matchers: [...matchers] })) return undefined;
  const own = principal.clients;
  if (own.length === 0) return `${principal.name} is limited to no client at all, so it cannot silence anything`;
  return (
    `${principal.name} is limited to the clients ${own.join(', ')}: a silence must include a matcher ` +
    `client=<one of them>, e.g. client=${own[0]}`
  );
}
