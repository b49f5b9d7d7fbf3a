// The collector's pino logger: JSON, one line per event, secrets and tokens redacted.
import pino, { type Logger } from 'pino';

export function createLogger(level = process.env.VITALS_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { name: 'vitals-collector', pid: process.pid },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        'authorization',
        'token',
        'secret',
        '*.token',
        '*.secret',
      ],
      censor: '[redacted]',
    },
  });
}
