// Ships buffered reports to the collector, oldest first, in gzip JSON batches; deletes only what
// the collector acknowledged. Retries with exponential backoff and jitter, and logs only when the
// connection state changes ("collector unreachable since …", "delivering again, N reports behind").
import { gzipSync } from 'node:zlib';
import { API_PATHS, type IngestRequest, type IngestResponse } from '@vitals/shared';
import type { Logger } from 'pino';
import type { ResultBuffer } from '../buffer/buffer.js';
import type { Identity } from '../identity.js';
import { createTransport, describeTransportError, type Transport, type TransportOptions } from './transport.js';

export interface ShipperOptions {
  buffer: ResultBuffer;
  identity: () => Identity | undefined;
  transport: Omit<TransportOptions, 'url'> & { url?: string };
  batchSize: number;
  bootId: string;
  version: string;
  log: Logger;
  now?: () => number;
  random?: () => number;
  backoff?: { baseMs: number; maxMs: number };
  /**
   * After new results wake an idle shipper, wait this long for the rest of the check cycle's
   * results, so a cycle goes to the collector in one request instead of one per check (0: at once).
   */
  gatherMs?: number;
}

type Outcome =
  | { kind: 'empty' }
  | { kind: 'sent'; count: number; behind: number }
  | { kind: 'failed'; reason: string; retryAfterMs?: number };

/** Exponential backoff with "equal jitter": half fixed, half random, so a fleet does not retry in step. */
export function backoffDelay(failures: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class Shipper {
  private transport: Transport | undefined;
  private transportUrl: string | undefined;
  private failures = 0;
  private connected: boolean | undefined;
  private downSince: number | undefined;
  private batchSize: number;
  private running = false;
  private wake: (() => void) | undefined;
  private gathering: NodeJS.Timeout | undefined;
  private interrupt: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: ShipperOptions) {
    this.batchSize = options.batchSize;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  private target(): { identity: Identity; url: string } | undefined {
    const identity = this.options.identity();
    if (!identity) return undefined;
    return { identity, url: this.options.transport.url ?? identity.collector_url };
  }

  private transportFor(url: string): Transport {
    if (!this.transport || this.transportUrl !== url) {
      void this.transport?.close();
      this.transport = createTransport({ ...this.options.transport, url });
      this.transportUrl = url;
    }
    return this.transport;
  }

  /** Sends one batch (or, when stopping, an empty goodbye). */
  async deliverOnce(state: 'running' | 'stopping' = 'running'): Promise<Outcome> {
    const { buffer } = this.options;
    buffer.flushMemory();
    const target = this.target();
    if (!target) return { kind: 'failed', reason: 'not enrolled yet (run `vitals enroll`)' };
    const reports = buffer.peek(this.batchSize);
    const loss = buffer.unreportedLoss();
    // A replaced buffer is news even with nothing to send: it goes out on its own.
    if (reports.length === 0 && state === 'running' && !loss) return { kind: 'empty' };
    const body: IngestRequest = {
      agent_id: target.identity.agent_id,
      reports,
      agent: {
        boot_id: this.options.bootId,
        version: this.options.version,
        dropped_total: buffer.droppedTotal(),
        buffer_depth: Math.max(0, buffer.depth() - reports.length),
        state,
        ...(loss ? { buffer_lost: { at: loss.at, lost: loss.lost, salvaged: loss.salvaged } } : {}),
      },
    };
    let status: number;
    let text: string;
    let retryAfter: string | undefined;
    try {
      const res = await this.transportFor(target.url).post(
        new URL(API_PATHS.ingest, target.url),
        {
          authorization: `Bearer ${target.identity.secret}`,
          'content-type': 'application/json',
          'content-encoding': 'gzip',
        },
        gzipSync(JSON.stringify(body)),
      );
      status = res.status;
      text = res.text;
      const ra = res.headers['retry-after'];
      retryAfter = Array.isArray(ra) ? ra[0] : ra;
    } catch (error) {
      return { kind: 'failed', reason: describeTransportError(error) };
    }
    if (status === 200) {
      const answer = JSON.parse(text) as IngestResponse;
      const behind = buffer.depth();
      buffer.ack(answer.acked);
      if (loss) buffer.lossReported(loss.at);
      this.batchSize = Math.min(this.options.batchSize, this.batchSize * 2);
      return { kind: 'sent', count: answer.acked.length, behind };
    }
    const reason = `collector answered ${status}: ${summariseError(text)}`;
    if ((status === 413 || status === 400) && reports.length > 1) {
      // Split the batch until the offending report is alone.
      this.batchSize = Math.max(1, Math.floor(reports.length / 2));
      return { kind: 'failed', reason, retryAfterMs: 0 };
    }
    if ((status === 413 || status === 400) && reports.length === 1) {
      // One report the collector will never accept: keeping it would block every later one.
      buffer.discard(reports.map((r) => r.seq));
      this.options.log.error(
        { seq: reports[0]?.seq, status },
        `collector refused a report for good; dropped it: ${reason}`,
      );
      return { kind: 'failed', reason, retryAfterMs: 0 };
    }
    if (status === 429 && retryAfter !== undefined && Number.isFinite(Number(retryAfter))) {
      return { kind: 'failed', reason, retryAfterMs: Number(retryAfter) * 1000 };
    }
    if (status === 401)
      return { kind: 'failed', reason: `${reason} — this agent's credentials were rejected; enroll it again` };
    return { kind: 'failed', reason };
  }

  /** Delivers until the buffer is empty or a delivery fails; returns the delay before the next try. */
  async drain(): Promise<number | undefined> {
    for (;;) {
      const outcome = await this.deliverOnce();
      this.options.buffer.recordState(
        outcome.kind === 'failed'
          ? { last_error: outcome.reason, last_error_at: String(this.now()) }
          : outcome.kind === 'sent'
            ? { last_delivery_at: String(this.now()), collector_url: this.target()?.url ?? '' }
            : {},
      );
      if (outcome.kind === 'failed') {
        if (outcome.retryAfterMs === 0) continue;
        this.markDown(outcome.reason);
        this.failures++;
        const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 1000, maxMs: 300_000 };
        return outcome.retryAfterMs ?? backoffDelay(this.failures, baseMs, maxMs, this.random);
      }
      if (outcome.kind === 'sent') this.markUp(outcome.behind);
      if (outcome.kind === 'empty') return undefined;
    }
  }

  private markDown(reason: string): void {
    if (this.connected !== false) {
      this.downSince = this.now();
      this.options.log.warn(
        { event: 'collector_unreachable', reason },
        `collector unreachable since ${new Date(this.downSince).toISOString()}: ${reason}`,
      );
    }
    this.connected = false;
  }

  private markUp(behind: number): void {
    if (this.connected === false) {
      this.options.log.info(
        { event: 'collector_reachable', behind, down_ms: this.now() - (this.downSince ?? this.now()) },
        `delivering again, ${behind.toLocaleString('en-US')} reports behind`,
      );
    } else if (this.connected === undefined) {
      this.options.log.info({ event: 'collector_reachable' }, 'delivering to the collector');
    }
    this.connected = true;
    this.failures = 0;
  }

  /** Asks the background loop to deliver now (new results were buffered). */
  notify(): void {
    const gatherMs = this.options.gatherMs ?? 0;
    if (gatherMs <= 0) {
      this.wake?.();
      return;
    }
    // The first result of a cycle starts the wait; the others ride along.
    if (this.gathering || !this.wake) return;
    this.gathering = setTimeout(() => {
      this.gathering = undefined;
      this.wake?.();
    }, gatherMs);
  }

  start(idleMs = 5000): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let delay: number | undefined;
        try {
          delay = await this.drain();
        } catch (error) {
          this.options.log.error({ err: error }, 'delivery loop error');
          delay = 5000;
        }
        if (!this.running) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay ?? idleMs);
          const done = () => {
            clearTimeout(timer);
            resolve();
          };
          // New results wake an idle shipper at once, but never cut a backoff short; stop() always does.
          this.wake = delay === undefined ? done : undefined;
          this.interrupt = done;
        });
        this.wake = undefined;
        this.interrupt = undefined;
      }
    })();
  }

  /** Stops the loop, tries a last delivery and tells the collector this is a clean shutdown. */
  async stop(goodbyeTimeoutMs = 3000): Promise<void> {
    this.running = false;
    clearTimeout(this.gathering);
    this.gathering = undefined;
    this.interrupt?.();
    await this.loop;
    // One last attempt even after failures: the collector may be back, and a clean shutdown
    // should be seen as "offline", not as a silent host.
    const goodbye = (async () => {
      this.failures = 0;
      if ((await this.drain()) !== undefined) return;
      await this.deliverOnce('stopping');
    })();
    await Promise.race([goodbye.catch(() => undefined), new Promise((r) => setTimeout(r, goodbyeTimeoutMs).unref())]);
    await this.transport?.close().catch(() => undefined);
  }
}

function summariseError(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: string; error?: string };
    return body.message ?? body.error ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
