// The host page's data: the host's record and status, every latest result (worst first) and its
// open and past alerts, as one JSON answer.
import { agentStatus } from '../agent-status.js';
import type { Silence } from '../alerting/silence.js';
import type { AlertRecord } from '../alerting/types.js';
import { alertJson, silencedBy, worstFirst as worstAlertFirst } from '../cli/alerts-command.js';
import { isoTime } from '../cli/table.js';
import type { HostResult } from '../store/sqlite-dashboard.js';
import type { AgentRecord } from '../store/store.js';
import { compareNames, hostLevel, levelOfStatus, worstLevel } from './level.js';

const iso = isoTime;

const STATUS_RANK: Record<string, number> = { CRITICAL: 0, WARNING: 1, UNKNOWN: 2, OK: 3 };

/** Worst status first, then by check and target. */
function worstResultFirst(a: HostResult, b: HostResult): number {
  return (
    (STATUS_RANK[a.status] ?? 2) - (STATUS_RANK[b.status] ?? 2) ||
    compareNames(a.check, b.check) ||
    compareNames(a.target, b.target)
  );
}

export interface HostPageInput {
  agent: AgentRecord;
  results: readonly HostResult[];
  open: readonly AlertRecord[];
  resolved: readonly AlertRecord[];
  silences: readonly Silence[];
  now: number;
  silentAfterMs: number;
}

export function hostPage(input: HostPageInput) {
  const { agent, now } = input;
  const status = agentStatus(agent, now, input.silentAfterMs);
  const results = [...input.results].sort(worstResultFirst);
  return {
    now: iso(now),
    host: {
      agent_id: agent.id,
      hostname: agent.hostname,
      client: agent.client,
      site: agent.site,
      status,
      level: hostLevel(
        status,
        input.open.filter((a) => a.state === 'firing').map((a) => a.severity),
        results.map((r) => r.status),
      ),
      /** The worst latest result alone, for a badge next to the name. */
      worst_check_level: worstLevel(results.map((r) => levelOfStatus(r.status))),
      last_seen: iso(agent.last_seen),
      enrolled_at: iso(agent.enrolled_at),
      retired_at: iso(agent.retired_at),
      facts: agent.facts,
      agent: {
        state: agent.state,
        boot_id: agent.last_boot_id,
        buffer_depth: agent.buffer_depth,
        dropped_total: agent.dropped_total,
        last_seq: agent.last_seq,
      },
    },
    results: results.map((r) => ({
      check: r.check,
      kind: r.kind,
      target: r.target,
      status: r.status,
      message: r.message,
      values: r.values,
      ts: iso(r.ts),
    })),
    alerts: {
      open: [...input.open].sort(worstAlertFirst).map((a) => alertJson(a, silencedBy(a, input.silences, now))),
      resolved: input.resolved.map((a) => alertJson(a)),
    },
  };
}
