// `serve`: opens the store, starts the HTTP API and maintenance, logs the bound address as a
// "listening" line, and on SIGINT/SIGTERM stops accepting, commits queued writes and closes.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '@vitals/shared';
import { AlertEngine } from '../alerting/engine.js';
import { siteZones } from '../alerting/routing-config.js';
import { type ConfigFlags, loadCollectorConfig } from '../config.js';
import { buildServer } from '../http/server.js';
import { createLogger } from '../log.js';
import { startMaintenance } from '../maintenance.js';
import { resolveNotifications } from '../notify/config.js';
import { startDispatcher } from '../notify/dispatcher.js';
import { SqliteStore } from '../store/sqlite.js';
import { SqliteAccessStore } from '../store/sqlite-access.js';
import { SqliteAlertStore } from '../store/sqlite-alerts.js';
import { SqliteOutbox } from '../store/sqlite-outbox.js';
import { VERSION } from '../version.js';

function readTls(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(file, [{ path: key, message: `cannot read: ${(error as Error).message}` }]);
  }
}

export async function serveCommand(flags: ConfigFlags): Promise<number> {
  const config = loadCollectorConfig(flags);
  const https = config.tls
    ? { cert: readTls(config.tls.certFile, 'tls.cert_file'), key: readTls(config.tls.keyFile, 'tls.key_file') }
    : undefined;
  // Secret files (password_file, secret_file) are relative to the config file, like data_dir.
  const base = flags.config ? dirname(resolve(flags.config)) : process.cwd();
  const notifications = resolveNotifications(
    config.notifications,
    process.env,
    (p) => readFileSync(resolve(base, p), 'utf8'),
    { file: flags.config },
  );
  const logger = createLogger();
  const store = SqliteStore.open(config.dataDir);
  const outbox = new SqliteOutbox(store.db);
  const alerts = new SqliteAlertStore(store.db);
  const engine = new AlertEngine({
    db: store.db,
    alerts,
    outbox,
    config: config.alerting,
    logger,
  });
  store.setIngestHook((agentId, reports, receivedAt) => engine.onIngest(agentId, reports, receivedAt));
  const access = new SqliteAccessStore(store.db);
  const alerting = { alerts, access, routing: config.alerting.routing };
  const dashboard = { silentAfterMs: config.silentAfterMs };
  const { publicUrl, downloads } = config;
  const app = await buildServer({
    store,
    logger,
    limits: config.limits,
    https,
    alerting,
    dashboard,
    publicUrl,
    downloads,
  });
  let url: string;
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port, listenTextResolver: () => 'server bound' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.listen.port;
    const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
    url = `${https ? 'https' : 'http'}://${host}:${port}`;
  } catch (error) {
    await store.close();
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot listen on ${config.listen.host}:${config.listen.port}: ${code}`);
  }
  logger.info({ url, port: Number(new URL(url).port), data_dir: config.dataDir, version: VERSION }, 'listening');
  const maintenance = startMaintenance({
    store,
    retention: config.retention,
    logger,
    // Alert history is small and is what an MSP looks back on: it lives as long as the rollups;
    // delivered and failed notifications as long as the raw reports.
    extraPrune: (now, retention) => ({
      alerts: alerts.pruneResolved(now - retention.rollupsMs),
      notifications: outbox.prune(now - retention.rawMs),
    }),
  });
  void maintenance.runOnce();
  engine.start();
  const dispatcher = startDispatcher({
    outbox,
    channels: notifications.channels,
    logger,
    retry: notifications.retry,
    failingAfter: notifications.failingAfter,
    renderOptions: {
      dashboardUrl: notifications.dashboardUrl ?? publicUrl,
      timeZone: siteZones(config.alerting.routing),
    },
  });

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  // In-flight requests finish (their batches are committed), then the queue is flushed.
  await app.close();
  engine.stop();
  await dispatcher.stop();
  for (const channel of notifications.channels) channel.close?.();
  await maintenance.stop();
  await store.close();
  logger.info('stopped');
  return 0;
}
