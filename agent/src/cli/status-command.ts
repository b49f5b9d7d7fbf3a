// `vitals status`: who this agent is, where it delivers, and how far behind it is.
import { formatBytes, formatDuration } from '@vitals/shared';
import { readBufferStatus } from '../buffer/buffer.js';
import { loadAgentConfig } from '../config.js';
import { readIdentity } from '../identity.js';

/** Exit 0 when enrolled and the last delivery attempt succeeded; 1 when not enrolled or failing. */
export function statusCommand(
  options: { config?: string; json?: boolean },
  out: NodeJS.WritableStream = process.stdout,
): number {
  const config = loadAgentConfig(options.config);
  const identity = readIdentity(config.stateDir);
  const buffer = readBufferStatus(config.stateDir);
  const lastDelivery = num(buffer.state.last_delivery_at);
  const lastErrorAt = num(buffer.state.last_error_at);
  const failing = lastErrorAt !== undefined && (lastDelivery === undefined || lastErrorAt > lastDelivery);
  const report = {
    enrolled: identity !== undefined,
    agent_id: identity?.agent_id ?? null,
    client: identity?.client ?? null,
    site: identity?.site ?? null,
    collector_url: config.collector.url ?? identity?.collector_url ?? null,
    state_dir: config.stateDir,
    last_delivery_at: lastDelivery !== undefined ? new Date(lastDelivery).toISOString() : null,
    buffer_depth: buffer.depth,
    oldest_unsent_at: buffer.oldestTs !== undefined ? new Date(buffer.oldestTs).toISOString() : null,
    buffer_bytes: buffer.bytes,
    dropped_total: buffer.droppedTotal,
    last_error: failing ? (buffer.state.last_error ?? null) : null,
    last_error_at: failing && lastErrorAt !== undefined ? new Date(lastErrorAt).toISOString() : null,
    /** The buffer file is damaged now; the agent replaces it when it next opens it. */
    buffer_damaged: buffer.damaged ?? null,
    /** The last replacement of a damaged buffer; lost null = unknown. */
    buffer_lost: buffer.loss
      ? {
          at: new Date(buffer.loss.at).toISOString(),
          kept_as: buffer.loss.kept_as,
          reason: buffer.loss.reason,
          salvaged: buffer.loss.salvaged,
          lost: buffer.loss.lost,
          reported_to_collector: buffer.loss.reported,
        }
      : null,
  };
  if (options.json) out.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const ago = (ts: number | undefined) =>
      ts === undefined ? 'never' : `${formatDuration((Date.now() - ts) / 1000)} ago`;
    const lines = [
      `agent        ${identity ? `${identity.agent_id} (${identity.client} / ${identity.site})` : 'not enrolled — run `vitals enroll --url URL --token TOKEN`'}`,
      `collector    ${report.collector_url ?? '(none)'}`,
      `delivered    ${ago(lastDelivery)}`,
      `buffer       ${buffer.depth.toLocaleString('en-US')} results waiting (${formatBytes(buffer.bytes)}), oldest ${ago(buffer.oldestTs)}`,
      `dropped      ${buffer.droppedTotal.toLocaleString('en-US')} results (buffer cap or age)`,
      `last error   ${report.last_error ? `${report.last_error} (${ago(lastErrorAt)})` : 'none'}`,
      `state dir    ${config.stateDir}`,
    ];
    if (buffer.damaged)
      lines.push(
        `buffer file  DAMAGED (${buffer.damaged}); the agent moves it aside and starts a new one at its next start`,
      );
    if (buffer.loss) {
      const l = buffer.loss;
      lines.push(
        `buffer lost  ${new Date(l.at).toISOString()}: the buffer was damaged and replaced; ${l.lost === null ? 'an unknown number of' : l.lost.toLocaleString('en-US')} unsent results lost, ${l.salvaged.toLocaleString('en-US')} recovered; old file kept as ${l.kept_as}${l.reported ? '' : ' (not yet reported to the collector)'}`,
      );
    }
    out.write(`${lines.join('\n')}\n`);
  }
  return identity && !failing ? 0 : 1;
}

function num(value: string | undefined): number | undefined {
  return value === undefined || value === '' ? undefined : Number(value);
}
