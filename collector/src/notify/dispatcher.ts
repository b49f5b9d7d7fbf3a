// Delivers the outbox: claims due rows under a lease, renders and sends each through its channel,
// marks it delivered, retried with backoff, or failed; keeps each channel's run of failures and,
// when one keeps failing, tells the other channels once per episode (and again when it recovers).
import type { Logger } from 'pino';
import type { NewNotification, NotificationRecord } from '../alerting/types.js';
import type { ChannelHealth, SqliteOutbox } from '../store/sqlite-outbox.js';
import { nextAttemptAt } from './backoff.js';
import type { Channel, SendOutcome } from './channel.js';
import type { RetryPolicy } from './config.js';
import { humanDuration, type RenderOptions, renderMessage } from './message.js';

export interface DispatcherOptions {
  outbox: SqliteOutbox;
  channels: Channel[];
  logger: Logger;
  retry: RetryPolicy;
  /** Consecutive failed sends before a channel counts as failing. */
  failingAfter: number;
  renderOptions?: RenderOptions;
  now?: () => number;
  /** Jitter source, [0, 1). */
  random?: () => number;
  /** Pause between runs when nothing was due; 0 = no timer, the caller calls runOnce(). Default 1 s. */
  intervalMs?: number;
  /** Rows claimed per run (default 20). */
  batchSize?: number;
  /**
   * How long a claim lasts before another dispatcher may take the row (default 60 s); renewed
   * before each send, so it only has to cover one send. After a crash, rows wait this long.
   */
  leaseMs?: number;
  /** Queue a notice on the other channels when a failing channel works again (default true). */
  recoveryNotice?: boolean;
  onChannelFailing?: (health: ChannelHealth, channel: Channel) => void;
}

export interface Dispatcher {
  /** One claim-and-send pass; resolves with the number of rows claimed. Passes never overlap. */
  runOnce(): Promise<number>;
  /** Stops the timer and waits for the pass in flight. Channels stay open (their owner closes them). */
  stop(): Promise<void>;
}

/** Why a failing channel's notice is keyed by its episode: one notice per run of failures, ever. */
function noticeKey(kind: 'failing' | 'recovered', channel: string, failingSince: number, to: string): string {
  return `channel-${kind}.${channel}.${failingSince}.${to}`;
}

export function startDispatcher(opts: DispatcherOptions): Dispatcher {
  const { outbox, logger, retry, failingAfter } = opts;
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const intervalMs = opts.intervalMs ?? 1000;
  const batchSize = opts.batchSize ?? 20;
  const leaseMs = opts.leaseMs ?? 60_000;
  const byName = new Map(opts.channels.map((c) => [c.name, c]));
  const log = logger.child({ component: 'notify' });

  function notices(failing: string, health: ChannelHealth, at: number, recoveredAt: number | null): NewNotification[] {
    const since = health.failing_since ?? at;
    return opts.channels
      .filter((c) => c.name !== failing)
      .map((c) => ({
        idempotency_key: noticeKey(recoveredAt === null ? 'failing' : 'recovered', failing, since, c.name),
        channel: c.name,
        kind: 'channel_failing',
        client: '',
        site: '',
        host: '',
        agent_id: '',
        severity: 'critical',
        alerts: [],
        created_at: at,
        channel_issue: {
          channel: failing,
          failing_since: since,
          consecutive_failures: health.consecutive_failures,
          last_error: health.last_error,
          recovered_at: recoveredAt,
        },
      }));
  }

  function channelWorked(channel: Channel, at: number): void {
    const before = outbox.transaction(() => {
      const prior = outbox.recordChannelSuccess(channel.name, at);
      if (prior?.alerted_at != null && opts.recoveryNotice !== false) {
        outbox.insert(notices(channel.name, prior, at, at), at);
      }
      return prior;
    });
    if (before && before.failing_since !== null && before.consecutive_failures >= failingAfter) {
      log.info(
        { channel: channel.name, failed_for: humanDuration(at - before.failing_since) },
        'notification channel works again',
      );
    }
  }

  function channelFailed(channel: Channel, at: number, error: string): void {
    let raised: ChannelHealth | undefined;
    outbox.transaction(() => {
      const health = outbox.recordChannelFailure(channel.name, at, error);
      if (health.consecutive_failures >= failingAfter && health.alerted_at === null) {
        outbox.insert(notices(channel.name, health, at, null), at);
        outbox.markChannelAlerted(channel.name, at);
        raised = { ...health, alerted_at: at };
      }
    });
    if (raised) {
      log.error(
        {
          channel: channel.name,
          consecutive_failures: raised.consecutive_failures,
          failing_since: new Date(raised.failing_since ?? at).toISOString(),
          told_channels: opts.channels.filter((c) => c.name !== channel.name).map((c) => c.name),
        },
        'notification channel is failing',
      );
      opts.onChannelFailing?.(raised, channel);
    }
  }

  async function attempt(channel: Channel, row: NotificationRecord): Promise<SendOutcome> {
    let message: ReturnType<typeof renderMessage>;
    try {
      message = renderMessage(row, opts.renderOptions);
    } catch (error) {
      return { ok: false, permanent: true, error: `cannot render the message: ${(error as Error).message}` };
    }
    try {
      return await channel.send(row, message);
    } catch (error) {
      return { ok: false, permanent: false, error: (error as Error).message ?? String(error) };
    }
  }

  function fields(row: NotificationRecord) {
    return {
      notification: row.id,
      channel: row.channel,
      kind: row.kind,
      attempts: row.attempts,
      idempotency_key: row.idempotency_key,
    };
  }

  /** Marks a failed attempt; returns when the row will be tried again (null: it will not). */
  function failedAttempt(row: NotificationRecord, outcome: Extract<SendOutcome, { ok: false }>, at: number) {
    const next = outcome.permanent
      ? null
      : nextAttemptAt(at, row.created_at, row.attempts, retry, random, outcome.retryAfterMs);
    if (next !== null) {
      outbox.retry(row.id, at, next, outcome.error);
      log.warn({ ...fields(row), error: outcome.error, next_attempt_at: new Date(next).toISOString() }, 'send failed');
      return next;
    }
    const error = outcome.permanent
      ? outcome.error
      : `gave up after ${humanDuration(at - row.created_at)}: ${outcome.error}`;
    outbox.failed(row.id, at, error);
    log.error({ ...fields(row), error, permanent: outcome.permanent }, 'notification failed');
    return null;
  }

  /** One channel's rows in order; a transient failure leaves the rest for the same retry time. */
  async function deliverChannel(name: string, rows: NotificationRecord[]): Promise<void> {
    const channel = byName.get(name);
    for (const [i, row] of rows.entries()) {
      if (!channel) {
        const error = `channel "${name}" is not configured (removed from notifications.channels?)`;
        outbox.failed(row.id, now(), error);
        log.error({ ...fields(row), error }, 'notification failed');
        continue;
      }
      const start = now();
      if (row.claimed_until !== null && !outbox.renew(row.id, row.claimed_until, start + leaseMs)) {
        log.warn(fields(row), 'claim lost to another dispatcher; not sending');
        continue;
      }
      const outcome = await attempt(channel, row);
      const at = now();
      if (outcome.ok) {
        outbox.delivered(row.id, at);
        log.info({ ...fields(row), response: outcome.response }, 'notification delivered');
        channelWorked(channel, at);
        continue;
      }
      const next = failedAttempt(row, outcome, at);
      channelFailed(channel, at, outcome.error);
      if (!outcome.permanent) {
        for (const rest of rows.slice(i + 1)) outbox.postpone(rest.id, next ?? at);
        return;
      }
    }
  }

  async function pass(): Promise<number> {
    const claimed = outbox.claim(now(), batchSize, leaseMs);
    const byChannel = new Map<string, NotificationRecord[]>();
    for (const row of claimed) byChannel.set(row.channel, [...(byChannel.get(row.channel) ?? []), row]);
    await Promise.all([...byChannel].map(([name, rows]) => deliverChannel(name, rows)));
    return claimed.length;
  }

  let chain: Promise<unknown> = Promise.resolve();
  function runOnce(): Promise<number> {
    const run = chain.catch(() => undefined).then(pass);
    chain = run;
    return run;
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  async function tick(): Promise<void> {
    let claimed = 0;
    try {
      claimed = await runOnce();
    } catch (error) {
      log.error({ err: error }, 'notification dispatch pass failed');
    }
    if (!stopped) schedule(claimed >= batchSize ? 0 : intervalMs);
  }
  function schedule(delay: number): void {
    timer = setTimeout(() => void tick(), delay);
    timer.unref();
  }
  if (intervalMs > 0) schedule(0);

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await chain.catch(() => undefined);
    },
  };
}
