// HTTPS to the collector with Node's own http/https (no undici: its WebAssembly HTTP parser alone
// cost the agent ~10 MB): TLS verified by default, a private CA file, optional certificate
// pinning, and plain http:// only to loopback unless the config says insecure_http.
import { createHash, type X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import type { PeerCertificate } from 'node:tls';

export interface TransportOptions {
  url: string;
  caFile?: string;
  pinSha256?: string[];
  insecureHttp?: boolean;
  timeoutMs: number;
}

export class TransportConfigError extends Error {
  override name = 'TransportConfigError';
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

/** Refuses a URL the security rules forbid; returns the parsed URL otherwise. */
export function checkCollectorUrl(url: string, insecureHttp: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TransportConfigError(`collector URL "${url}" is not a valid URL`);
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol !== 'http:')
    throw new TransportConfigError(`collector URL must be https:// (got ${parsed.protocol})`);
  if (isLoopbackHost(parsed.hostname) || insecureHttp) return parsed;
  throw new TransportConfigError(
    `refusing plain http:// to ${parsed.hostname}: results would travel unencrypted. Use https://, or set collector.insecure_http: true if you really mean it`,
  );
}

function normaliseFingerprint(value: string): string {
  return value.replace(/:/g, '').toLowerCase();
}

/** Accepts a pin of the certificate (SHA-256 hex, colons optional) or of its public key (base64). */
export function certificateMatchesPins(cert: PeerCertificate | X509Certificate, pins: string[]): boolean {
  const fingerprint = normaliseFingerprint(cert.fingerprint256);
  const pubkey =
    'pubkey' in cert && cert.pubkey ? createHash('sha256').update(cert.pubkey).digest('base64') : undefined;
  return pins.some((pin) => normaliseFingerprint(pin) === fingerprint || pin === pubkey);
}

export interface TransportResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Keep-alive connections to one collector; `post` sends one request, `close` ends the connections. */
export interface Transport {
  post(url: URL, headers: Record<string, string>, body: Buffer | string): Promise<TransportResponse>;
  close(): Promise<void>;
}

/** The error a request ends with when the collector does not answer in time. */
export class TransportTimeoutError extends Error {
  override name = 'TransportTimeoutError';
  readonly code = 'ETIMEDOUT';
}

export function createTransport(options: TransportOptions): Transport {
  const url = checkCollectorUrl(options.url, options.insecureHttp ?? false);
  let ca: Buffer | undefined;
  if (options.caFile) {
    try {
      ca = readFileSync(options.caFile);
    } catch (error) {
      throw new TransportConfigError(`cannot read collector.ca_file ${options.caFile}: ${(error as Error).message}`);
    }
  }
  const pins = options.pinSha256 ?? [];
  const secure = url.protocol === 'https:';
  // One connection, kept open between batches of a drain; an idle one is closed after 4 s, before a
  // server's keep-alive timeout (commonly 5 s) can close it under a request being sent.
  const keep = { keepAlive: true, maxSockets: 1, timeout: 4000 };
  const agent = secure
    ? new https.Agent({
        ...keep,
        ...(ca ? { ca } : {}),
        rejectUnauthorized: true,
        ...(pins.length > 0
          ? {
              checkServerIdentity: (host: string, cert: PeerCertificate) => {
                if (!certificateMatchesPins(cert, pins)) {
                  return new Error(`collector certificate for ${host} does not match the pinned fingerprint`);
                }
                return undefined;
              },
            }
          : {}),
      })
    : new http.Agent(keep);
  const send = secure ? https.request : http.request;
  return {
    post(target, headers, body) {
      return new Promise<TransportResponse>((resolve, reject) => {
        const payload = typeof body === 'string' ? Buffer.from(body) : body;
        const req = send(target, {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': String(payload.length) },
        });
        // One deadline for connecting, the answer's headers and its body alike.
        const timer = setTimeout(
          () => req.destroy(new TransportTimeoutError(`no answer from the collector within ${options.timeoutMs} ms`)),
          options.timeoutMs,
        );
        const fail = (error: Error) => {
          clearTimeout(timer);
          reject(error);
        };
        req.once('error', fail);
        req.once('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.once('error', fail);
          res.once('aborted', () => fail(new Error('the collector closed the connection mid-answer')));
          res.once('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
        });
        req.end(payload);
      });
    },
    async close() {
      agent.destroy();
    },
  };
}

/** A TLS/network error in words an MSP engineer can act on. */
export function describeTransportError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code ?? '';
  const message = e.cause?.message ?? e.message ?? String(error);
  if (code === 'ECONNREFUSED') return 'connection refused (is the collector running?)';
  if (code === 'ENOTFOUND') return 'collector host name not found (DNS)';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return 'connection timed out';
  if (
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
  )
    return `the collector's TLS certificate is not trusted (${code}); set collector.ca_file to the CA that signed it`;
  if (code === 'CERT_HAS_EXPIRED') return "the collector's TLS certificate has expired";
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the collector's TLS certificate does not name this host (${message})`;
  return code ? `${code}: ${message}` : message;
}
