// The agent's logger: pino JSON, one line per event, to stdout; never a secret in it.
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { app: 'vitals' },
      redact: { paths: ['secret', 'token', '*.secret', '*.token', 'headers.authorization'], censor: '[redacted]' },
    },
    pino.destination({ dest: 1, sync: false }),
  );
}
