// Talks to one network endpoint: a TCP connect, or an HTTP(S) request up to the response headers,
// keeping the peer certificate even when it fails verification. Says what happened in plain words.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { VERSION } from '../version.js';

export interface CertInfo {
  /** Expiry, milliseconds since the epoch. */
  validTo: number;
  /** Why the certificate was not accepted, in plain words; undefined when it verified. */
  problem?: string;
}

export type ProbeOutcome =
  | { reached: false; reason: string; cert?: CertInfo }
  | {
      reached: true;
      latencyMs: number;
      /** Absent for TCP, and for HTTPS when a rejected certificate stopped the request. */
      statusCode?: number;
      statusText?: string;
      location?: string;
      cert?: CertInfo;
    };

export interface ProbeTimeouts {
  signal: AbortSignal;
  /** Give up (and say so) after this; shorter than the check's timeout so the verdict is ours. */
  deadlineMs: number;
}

export interface HttpProbeOptions extends ProbeTimeouts {
  url: URL;
  method: 'GET' | 'HEAD';
  /** Extra trusted CA certificates (PEM), added to the built-in roots. */
  ca?: string;
  /** false: send the request even when the certificate is not trusted. */
  tlsVerify: boolean;
}

type Phase = 'connect' | 'tls' | 'response';

/** "[::1]" → "::1": URL keeps the brackets, sockets do not want them. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

export function describeNetError(error: NodeJS.ErrnoException, host: string, phase: Phase): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
      return `host name "${host}" not found (DNS)`;
    case 'EAI_AGAIN':
      return `DNS lookup of "${host}" failed (temporary failure; is a DNS server reachable?)`;
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ECONNRESET':
      return phase === 'tls' ? 'connection reset during the TLS handshake' : 'connection reset by the server';
    case 'EPIPE':
      return 'the server closed the connection';
  }
  if (error.code?.startsWith('HPE_')) return 'the server answered with something that is not HTTP';
  if (phase === 'tls' || error.code?.startsWith('ERR_SSL') || error.code === 'EPROTO') {
    const detail = (error.message.split(':').pop() ?? error.message).trim();
    return `TLS handshake failed (${detail}) — is it really HTTPS on this port?`;
  }
  return error.message;
}

/** The reason Node's verifier gave (a code), as a sentence a technician can act on. */
function certProblem(socket: tls.TLSSocket, host: string, peer: tls.PeerCertificate): string | undefined {
  if (socket.authorized) return undefined;
  const raw = socket.authorizationError as unknown;
  const code = typeof raw === 'string' ? raw : raw instanceof Error ? raw.message : 'unknown reason';
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'it is self-signed and not trusted (set ca_file to trust it, or tls_verify: false)';
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'it was issued by a private CA this machine does not trust (set ca_file to that CA)';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'its issuer is not trusted (a missing intermediate certificate on the server, or a private CA: set ca_file)';
    case 'CERT_HAS_EXPIRED':
      return 'it has expired';
    case 'CERT_NOT_YET_VALID':
      return 'it is not valid yet (check the clocks of this machine and the server)';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `it is not for "${host}" (it names ${peer.subjectaltname || peer.subject?.CN || 'nothing'})`;
    case 'CERT_REVOKED':
      return 'it has been revoked';
    default:
      return `it was not accepted (${code})`;
  }
}

function readCert(socket: tls.TLSSocket, host: string): CertInfo | undefined {
  const peer = socket.getPeerCertificate();
  if (!peer?.valid_to) return undefined;
  const problem = certProblem(socket, host, peer);
  return { validTo: Date.parse(peer.valid_to), ...(problem !== undefined ? { problem } : {}) };
}

/**
 * Runs `body` with a settle-once `finish`, the deadline and the abort signal wired to it, and
 * every socket destroyed when it settles — a server that accepts and never answers is cut off.
 */
function probe(
  timeouts: ProbeTimeouts,
  onDeadline: () => ProbeOutcome,
  body: (finish: (o: ProbeOutcome) => void, track: (s: net.Socket | http.ClientRequest) => void) => void,
): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const held: (net.Socket | http.ClientRequest)[] = [];
    let settled = false;
    const finish = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      timeouts.signal.removeEventListener('abort', onAbort);
      for (const s of held) s.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish(onDeadline()), timeouts.deadlineMs);
    const onAbort = () => finish({ reached: false, reason: 'cut off: the check ran out of time' });
    if (timeouts.signal.aborted) return onAbort();
    timeouts.signal.addEventListener('abort', onAbort, { once: true });
    body(finish, (s) => held.push(s));
  });
}

export function probeTcp(host: string, port: number, timeouts: ProbeTimeouts): Promise<ProbeOutcome> {
  const started = performance.now();
  return probe(
    timeouts,
    () => ({ reached: false, reason: `no connection within ${seconds(timeouts.deadlineMs)}` }),
    (finish, track) => {
      const socket = net.connect({ host, port });
      track(socket);
      socket.once('connect', () => finish({ reached: true, latencyMs: performance.now() - started }));
      socket.once('error', (e) => finish({ reached: false, reason: describeNetError(e, host, 'connect') }));
    },
  );
}

/** One request up to the response headers; the body is never read, and the connection is closed. */
export function probeHttp(options: HttpProbeOptions): Promise<ProbeOutcome> {
  const { url } = options;
  const host = urlHost(url);
  const isHttps = url.protocol === 'https:';
  const port = url.port === '' ? (isHttps ? 443 : 80) : Number(url.port);
  const started = performance.now();
  let phase: Phase = 'connect';
  let cert: CertInfo | undefined;
  const withCert = <T extends object>(o: T) => (cert ? { ...o, cert } : o);
  return probe(
    options,
    () =>
      withCert({
        reached: false as const,
        reason:
          phase === 'connect'
            ? `no connection within ${seconds(options.deadlineMs)}`
            : phase === 'tls'
              ? `connected, but the TLS handshake did not finish within ${seconds(options.deadlineMs)}`
              : `connected, but no answer within ${seconds(options.deadlineMs)}`,
      }),
    (finish, track) => {
      const fail = (e: NodeJS.ErrnoException) =>
        finish(withCert({ reached: false as const, reason: describeNetError(e, host, phase) }));
      const request = (socket: net.Socket) => {
        phase = 'response';
        const req = http.request({
          method: options.method,
          host,
          port,
          path: `${url.pathname}${url.search}`,
          headers: { host: url.host, 'user-agent': `vitals-agent/${VERSION}`, accept: '*/*', connection: 'close' },
          createConnection: () => socket,
        });
        track(req);
        req.once('response', (res) => {
          finish(
            withCert({
              reached: true as const,
              latencyMs: performance.now() - started,
              statusCode: res.statusCode ?? 0,
              statusText: res.statusMessage ?? '',
              ...(typeof res.headers.location === 'string' ? { location: res.headers.location } : {}),
            }),
          );
        });
        req.once('error', fail);
        req.end();
      };
      if (!isHttps) {
        const socket = net.connect({ host, port });
        track(socket);
        socket.once('error', fail);
        socket.once('connect', () => request(socket));
        return;
      }
      // Verification is ours, not the socket's: the certificate (and its expiry) is wanted even
      // when it is not trusted, and with tls_verify on nothing is sent over an untrusted connection.
      const socket = tls.connect({
        host,
        port,
        ...(net.isIP(host) === 0 ? { servername: host } : {}),
        ...(options.ca !== undefined ? { ca: [...tls.rootCertificates, options.ca] } : {}),
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
      });
      track(socket);
      socket.once('error', fail);
      socket.once('connect', () => {
        phase = 'tls';
      });
      socket.once('secureConnect', () => {
        cert = readCert(socket, host);
        if (cert?.problem !== undefined && options.tlsVerify) {
          finish({ reached: true, latencyMs: performance.now() - started, cert });
          return;
        }
        request(socket);
      });
    },
  );
}
