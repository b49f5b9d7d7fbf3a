// The soak's notification receivers: a real SMTP server (smtp-server + mailparser) that can be shut
// and brought back on the same port, and a node:http webhook receiver. Both keep everything received.
import { createServer } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** Every mail received over the whole run: the outage only closes the listener. */
export async function startMailbox() {
  const mails = [];
  let server;
  let port = 0;
  const open = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // An outage, not a polite shutdown: sessions still open get 421 almost at once.
      closeTimeout: 200,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            mails.push({
              at: Date.now(),
              key: String(parsed.headers.get('x-vitals-idempotency-key') ?? ''),
              kind: String(parsed.headers.get('x-vitals-kind') ?? ''),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
            });
            callback();
          })
          .catch(callback);
      },
    });
    server.on('error', () => {});
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = server.server.address().port;
        resolve();
      });
    });
  };
  await open();
  return {
    mails,
    get port() {
      return port;
    },
    /** Stops listening and drops open sessions, so the collector's sends fail until reopen(). */
    close: () => new Promise((resolve) => server.close(() => resolve())),
    reopen: open,
  };
}

export async function startHookReceiver() {
  const hooks = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      let payload = null;
      try {
        payload = JSON.parse(body);
      } catch {}
      hooks.push({ at: Date.now(), key: String(req.headers['x-vitals-idempotency-key'] ?? ''), payload });
      res.writeHead(200).end('stored');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    hooks,
    url: `http://127.0.0.1:${server.address().port}/hooks/vitals`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
