// `agents` and `agent retire`: the enrolled agents with their status, and retiring one (its
// secret stops working at once).
import { agentStatus } from '../agent-status.js';
import { type ConfigFlags, loadCollectorConfig } from '../config.js';
import { withStore } from './open-store.js';
import { formatTable, isoTime } from './table.js';

export async function agentsList(flags: ConfigFlags & { json?: boolean }, now = Date.now()): Promise<number> {
  const { silentAfterMs } = loadCollectorConfig(flags);
  const agents = await withStore(flags, { create: false }, ({ store }) => store.listAgents());
  const rows = agents.map((a) => ({
    client: a.client,
    site: a.site,
    hostname: a.hostname,
    agent_id: a.id,
    status: agentStatus(a, now, silentAfterMs),
    last_seen: isoTime(a.last_seen),
    buffer_depth: a.buffer_depth,
    dropped_total: a.dropped_total,
    last_seq: a.last_seq,
    last_boot_id: a.last_boot_id,
    enrolled_at: isoTime(a.enrolled_at),
    retired_at: isoTime(a.retired_at),
    facts: a.facts,
  }));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['CLIENT', 'SITE', 'HOSTNAME', 'AGENT', 'STATUS', 'LAST SEEN', 'BUFFERED', 'DROPPED'],
      rows.map((r) => [
        r.client,
        r.site,
        r.hostname,
        r.agent_id,
        r.status,
        r.last_seen ?? '',
        String(r.buffer_depth),
        String(r.dropped_total),
      ]),
    ),
  );
  return 0;
}

export async function agentRetire(
  id: string,
  flags: ConfigFlags & { json?: boolean },
  now = Date.now(),
): Promise<number> {
  const retired = await withStore(flags, { create: false }, ({ store }) => store.retireAgent(id, now));
  if (flags.json) process.stdout.write(`${JSON.stringify({ agent_id: id, retired })}\n`);
  else if (retired) process.stdout.write(`retired ${id}; its secret no longer works\n`);
  if (!retired) {
    process.stderr.write(`vitals-collector: no active agent ${id} (see \`agents\`)\n`);
    return 1;
  }
  return 0;
}
