// `notify test` sends a test message through one configured channel and prints what the server
// answered; `notify status` shows, per channel, what waits in the outbox and whether it is failing.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DeliveryStatus, NotificationRecord } from '../alerting/types.js';
import { type ConfigFlags, loadCollectorConfig, UsageError } from '../config.js';
import { DEFAULT_FAILING_AFTER, type NotificationsFile, resolveNotifications } from '../notify/config.js';
import { renderMessage } from '../notify/message.js';
import { newNotificationId, SqliteOutbox } from '../store/sqlite-outbox.js';
import { withStore } from './open-store.js';
import { formatTable, isoTime } from './table.js';

export interface NotifyTestFlags extends ConfigFlags {
  channel: string;
  json?: boolean;
}

function testRecord(channel: string, now: number): NotificationRecord {
  return {
    id: newNotificationId(),
    idempotency_key: `test.${channel}.${now}`,
    channel,
    kind: 'test',
    client: '',
    site: '',
    host: '',
    agent_id: '',
    severity: 'warning',
    alerts: [],
    created_at: now,
    status: 'sending',
    attempts: 1,
    next_attempt_at: now,
    claimed_until: null,
    last_error: null,
    delivered_at: null,
    channel_issue: null,
  };
}

export async function notifyTest(flags: NotifyTestFlags, now = Date.now()): Promise<number> {
  if (!flags.config)
    throw new UsageError('notify test needs --config: channels are defined under notifications.channels');
  const config = loadCollectorConfig(flags);
  // Secret files are relative to the config file, as `serve` reads them.
  const base = dirname(resolve(flags.config));
  const settings = resolveNotifications(
    config.notifications,
    process.env,
    (p) => readFileSync(resolve(base, p), 'utf8'),
    {
      file: flags.config,
    },
  );
  const channel = settings.channels.find((c) => c.name === flags.channel);
  if (!channel) {
    const known = settings.channels.map((c) => c.name).join(', ') || 'none';
    throw new UsageError(
      `no channel "${flags.channel}" in notifications.channels of ${flags.config} (known: ${known})`,
    );
  }
  const record = testRecord(channel.name, now);
  try {
    const outcome = await channel.send(record, renderMessage(record, { dashboardUrl: settings.dashboardUrl }));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ channel: channel.name, type: channel.type, ...outcome })}\n`);
    } else if (outcome.ok) {
      process.stdout.write(`${channel.name} (${channel.type}): delivered; the server answered: ${outcome.response}\n`);
    } else {
      const what = outcome.permanent ? 'refused (a retry would not help)' : 'failed (would be retried)';
      process.stdout.write(`${channel.name} (${channel.type}): ${what}: ${outcome.error}\n`);
    }
    return outcome.ok ? 0 : 1;
  } finally {
    for (const c of settings.channels) c.close?.();
  }
}

export interface NotifyStatusFlags extends ConfigFlags {
  json?: boolean;
}

/** One channel as `notify status --json` prints it. */
export interface ChannelStatus extends Record<DeliveryStatus, number> {
  channel: string;
  type: string | null;
  /** False for a channel that has rows or a history but is no longer in the config. */
  configured: boolean;
  failing: boolean;
  consecutive_failures: number;
  failing_since: string | null;
  last_error: string | null;
  last_success_at: string | null;
}

export async function notifyStatus(flags: NotifyStatusFlags): Promise<number> {
  const config = loadCollectorConfig(flags);
  // No secret is read here: the status must work from a shell that lacks the service's environment.
  const section = (config.notifications ?? {}) as NotificationsFile;
  const failingAfter = section.failing_after ?? DEFAULT_FAILING_AFTER;
  const configured = new Map(Object.entries(section.channels ?? {}).map(([name, c]) => [name, String(c.type)]));
  const { stats, health } = await withStore(flags, { create: false }, async ({ store }) => {
    const outbox = new SqliteOutbox(store.db);
    return { stats: outbox.statsByChannel(), health: outbox.channelHealth() };
  });
  const names = [...new Set([...configured.keys(), ...stats.map((s) => s.channel), ...health.map((h) => h.channel)])];
  const rows = names.sort().map((channel): ChannelStatus => {
    const counts = stats.find((s) => s.channel === channel);
    const h = health.find((x) => x.channel === channel);
    const failing = (h?.consecutive_failures ?? 0) >= failingAfter;
    return {
      channel,
      type: configured.get(channel) ?? null,
      configured: configured.has(channel),
      queued: counts?.queued ?? 0,
      sending: counts?.sending ?? 0,
      delivered: counts?.delivered ?? 0,
      failed: counts?.failed ?? 0,
      failing,
      consecutive_failures: h?.consecutive_failures ?? 0,
      failing_since: failing ? isoTime(h?.failing_since) : null,
      last_error: h?.last_error ?? null,
      last_success_at: isoTime(h?.last_success_at),
    };
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write('no notification channels configured and nothing in the outbox\n');
    return 0;
  }
  const state = (r: ChannelStatus) => {
    if (r.failing) return `FAILING since ${r.failing_since} (${r.consecutive_failures} failed sends): ${r.last_error}`;
    if (!r.configured) return 'not configured';
    return r.consecutive_failures > 0 ? `ok (${r.consecutive_failures} failed send(s) in a row)` : 'ok';
  };
  process.stdout.write(
    formatTable(
      ['CHANNEL', 'TYPE', 'QUEUED', 'SENDING', 'FAILED', 'DELIVERED', 'STATE'],
      rows.map((r) => [
        r.channel,
        r.type ?? '-',
        String(r.queued),
        String(r.sending),
        String(r.failed),
        String(r.delivered),
        state(r),
      ]),
    ),
  );
  return 0;
}
