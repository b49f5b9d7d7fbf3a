// `vitals run`: the long-running agent. Schedules checks, writes every result to the buffer
// first, ships to the collector, and stops cleanly on SIGINT/SIGTERM (and SIGBREAK on Windows).
import { randomUUID } from 'node:crypto';
import { ResultBuffer } from '../buffer/buffer.js';
import { loadAgentConfig } from '../config.js';
import { Shipper } from '../delivery/shipper.js';
import { checkCollectorUrl } from '../delivery/transport.js';
import { readIdentity } from '../identity.js';
import { createLogger } from '../log.js';
import { releasePersistentPowerShell, startPersistentPowerShell } from '../platform/powershell.js';
import { Scheduler } from '../scheduler.js';
import { VERSION } from '../version.js';

export async function runCommand(options: { config?: string }): Promise<number> {
  const config = loadAgentConfig(options.config);
  const log = createLogger(config.logLevel);
  const bootId = randomUUID();
  if (config.collector.url) checkCollectorUrl(config.collector.url, config.collector.insecureHttp);
  const buffer = new ResultBuffer(config.stateDir, {
    maxBytes: config.buffer.maxBytes,
    maxAgeMs: config.buffer.maxAgeMs,
  });
  if (buffer.replaced) {
    const { kept_as, reason, salvaged, lost } = buffer.replaced;
    log.error(
      { event: 'buffer_replaced', kept_as, reason, salvaged, lost },
      `the buffer was damaged (${reason}) and was replaced; the old file is kept as ${kept_as}; ` +
        `${salvaged} unsent results recovered, ${lost === null ? 'an unknown number' : lost} lost`,
    );
  }
  await startPersistentPowerShell();

  let identity = readIdentity(config.stateDir);
  let warnedUnenrolled = false;
  const shipper = new Shipper({
    buffer,
    // Picks up an enrollment done while the agent runs, without a restart.
    identity: () => {
      identity ??= readIdentity(config.stateDir);
      if (!identity && !warnedUnenrolled) {
        warnedUnenrolled = true;
        log.warn('not enrolled: results are buffered until `vitals enroll` is run');
      }
      return identity;
    },
    transport: {
      url: config.collector.url,
      caFile: config.collector.caFile,
      pinSha256: config.collector.pinSha256,
      insecureHttp: config.collector.insecureHttp,
      timeoutMs: config.collector.timeoutMs,
    },
    batchSize: config.buffer.batchSize,
    gatherMs: config.collector.gatherMs,
    backoff: { baseMs: Math.min(1000, config.collector.retryMaxMs), maxMs: config.collector.retryMaxMs },
    bootId,
    version: VERSION,
    log,
  });
  const scheduler = new Scheduler({
    checks: config.checks,
    log,
    onResults: (results) => {
      buffer.append(bootId, results);
      const stats = buffer.stats();
      if (stats.lastWriteError)
        log.warn({ event: 'buffer_write_failed', queued: stats.memoryQueued }, stats.lastWriteError);
      shipper.notify();
    },
  });
  const ageTimer = setInterval(() => buffer.enforceAge(), 10 * 60_000);
  log.info(
    {
      event: 'started',
      boot_id: bootId,
      version: VERSION,
      checks: config.checks.filter((c) => c.enabled).map((c) => c.id),
      state_dir: config.stateDir,
    },
    `vitals agent ${VERSION} started with ${config.checks.length} checks`,
  );
  buffer.enforceAge();
  scheduler.start();
  shipper.start();

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info({ event: 'stopping', signal }, `received ${signal}, stopping`);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Ctrl-Break in a Windows console (a service wrapper may send it instead of Ctrl-C).
    process.once('SIGBREAK', stop);
  });
  clearInterval(ageTimer);
  await scheduler.stop();
  await shipper.stop();
  buffer.close();
  releasePersistentPowerShell();
  log.info({ event: 'stopped' }, 'stopped cleanly');
  log.flush();
  return 0;
}
