// `serve`: opens the store, starts the HTTP API and maintenance, logs the bound address as a
// "listening" line, and on SIGINT/SIGTERM stops accepting, commits queued writes and closes.
import { readFileSync } from 'node:fs';
import { ConfigError } from '@vitals/shared';
import { type ConfigFlags, loadCollectorConfig } from '../config.js';
import { buildServer } from '../http/server.js';
import { createLogger } from '../log.js';
import { startMaintenance } from '../maintenance.js';
import { SqliteStore } from '../store/sqlite.js';
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
  const logger = createLogger();
  const store = SqliteStore.open(config.dataDir);
  const app = await buildServer({ store, logger, limits: config.limits, https });
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
  const maintenance = startMaintenance({ store, retention: config.retention, logger });
  void maintenance.runOnce();

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
  await maintenance.stop();
  await store.close();
  logger.info('stopped');
  return 0;
}
