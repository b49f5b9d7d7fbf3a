// What `agents` shows as an agent's status, from its record and the clock: online, silent
// (not heard from for too long), offline (it said it was stopping) or retired.
import type { AgentRecord } from './store/store.js';

export type AgentStatus = 'online' | 'silent' | 'offline' | 'retired';

export function agentStatus(agent: AgentRecord, now: number, silentAfterMs: number): AgentStatus {
  if (agent.retired_at !== null) return 'retired';
  if (agent.state === 'stopping') return 'offline';
  return now - agent.last_seen > silentAfterMs ? 'silent' : 'online';
}
