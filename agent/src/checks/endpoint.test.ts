// The endpoint check against real servers on 127.0.0.1: HTTP status, latency, TCP connect, and
// HTTPS certificates made with the openssl CLI (trusted via ca_file, self-signed, wrong name).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import type { CheckResult } from '@vitals/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentConfigFile, configIssues, resolveConfig } from '../config.js';
import { runCheck } from '../runner.js';

const DAY_MS = 86_400_000;
let dir: string;
let certFile: string;
let otherCertFile: string;
const servers: net.Server[] = [];
const heldSockets: net.Socket[] = [];
let httpPort: number;
let httpsPort: number;
let otherNamePort: number;
let silentPort: number;
let closedPort: number;
const methodsSeen: string[] = [];

function listen(server: net.Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

function selfSigned(name: string, subjectAltName: string, keyArgs: string[]): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      ...keyArgs,
      '-nodes',
      '-days',
      '5',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=${subjectAltName}`,
    ].concat(['-keyout', key, '-out', cert]),
    { stdio: 'pipe' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

const routes: http.RequestListener = (req, res) => {
  methodsSeen.push(req.method ?? '');
  if (req.url === '/fail') res.writeHead(500).end('broken');
  else if (req.url === '/auth') res.writeHead(401).end();
  else if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
  else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('late'), 150);
  else res.writeHead(200).end('fine');
};

beforeAll(async () => {
  dir = mkdtempSync(join(os.tmpdir(), 'vitals-endpoint-'));
  const local = selfSigned('localhost', 'IP:127.0.0.1,DNS:localhost', ['-newkey', 'rsa:2048']);
  certFile = join(dir, 'localhost.pem');
  const other = selfSigned('other.example', 'DNS:other.example', [
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
  ]);
  otherCertFile = join(dir, 'other.example.pem');
  httpPort = await listen(http.createServer(routes));
  httpsPort = await listen(https.createServer({ key: local.key, cert: local.cert }, routes));
  otherNamePort = await listen(https.createServer({ key: other.key, cert: other.cert }, routes));
  // Accepts every connection and never says a word: the hung service the timeout is for.
  silentPort = await listen(net.createServer((socket) => heldSockets.push(socket)));
  const closed = net.createServer();
  closedPort = await new Promise<number>((resolve) =>
    closed.listen(0, '127.0.0.1', () => {
      const { port } = closed.address() as net.AddressInfo;
      closed.close(() => resolve(port));
    }),
  );
});

afterAll(async () => {
  for (const s of heldSockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

async function endpoint(options: Record<string, unknown>, timeout = '5s', now?: () => number): Promise<CheckResult> {
  const file = { builtin_checks: false, checks: [{ kind: 'endpoint', timeout, ...options }] } as AgentConfigFile;
  expect(configIssues(file)).toEqual([]);
  const [check] = resolveConfig(file, undefined).checks;
  const results = await runCheck(check!, now ? { now } : {});
  expect(results).toHaveLength(1);
  return results[0]!;
}

describe('endpoint check over HTTPS', () => {
  it('warns with the days left when a certificate trusted through ca_file expires in 5 days', async () => {
    const r = await endpoint({ url: `https://127.0.0.1:${httpsPort}/ok`, ca_file: certFile });
    expect(r.status).toBe('WARNING');
    expect(r.message).toMatch(/^certificate expires in [45] days \(\d{4}-\d\d-\d\d\)/);
    expect(r.message).toContain('answered 200 OK');
    expect(r.values.status_code?.value).toBe(200);
    expect([4, 5]).toContain(r.values.cert_days_left?.value);
    expect(Object.keys(r.values)[0]).toBe('latency_ms');
  });

  it('is critical with a plain-words certificate error when the self-signed certificate is not trusted', async () => {
    methodsSeen.length = 0;
    const r = await endpoint({ url: `https://127.0.0.1:${httpsPort}/ok` });
    expect(r.status).toBe('CRITICAL');
    expect(r.message).toMatch(/^certificate not accepted: it is self-signed/);
    expect(r.values.cert_days_left?.value).toBeGreaterThanOrEqual(4);
    // Nothing is sent over a connection whose certificate was rejected.
    expect(r.values.status_code).toBeUndefined();
    expect(methodsSeen).toEqual([]);
  });

  it('accepts the untrusted certificate with tls_verify false and still reports its expiry', async () => {
    const r = await endpoint({ url: `https://localhost:${httpsPort}/ok`, tls_verify: false });
    expect(r.status).toBe('WARNING');
    expect(r.message).toMatch(/certificate expires in [45] days/);
    expect(r.values.status_code?.value).toBe(200);
  });

  it('is critical when the certificate names another host', async () => {
    const r = await endpoint({ url: `https://127.0.0.1:${otherNamePort}/ok`, ca_file: otherCertFile });
    expect(r.status).toBe('CRITICAL');
    expect(r.message).toMatch(/certificate not accepted: it is not for "127.0.0.1" \(it names DNS:other.example\)/);
  });

  it('judges the expiry against the injected clock: critical below cert_crit_days, critical once expired', async () => {
    const url = `https://127.0.0.1:${httpsPort}/ok`;
    const soon = await endpoint({ url, ca_file: certFile }, '5s', () => Date.now() + 3 * DAY_MS);
    expect(soon.status).toBe('CRITICAL');
    expect(soon.message).toMatch(/^certificate expires in [12] days?/);
    const later = await endpoint({ url, ca_file: certFile }, '5s', () => Date.now() + 6 * DAY_MS);
    expect(later.status).toBe('CRITICAL');
    expect(later.message).toMatch(/^certificate expired 1 day ago/);
  });

  it('is OK when the certificate lasts longer than cert_warn_days', async () => {
    const r = await endpoint({ url: `https://127.0.0.1:${httpsPort}/ok`, ca_file: certFile, cert_warn_days: 2 });
    expect(r.status).toBe('OK');
    expect(r.message).toMatch(/answered 200 OK in \d+ ms; certificate valid for [45] days/);
  });

  it('says the TLS handshake never finished when the server accepts and stays silent', async () => {
    const r = await endpoint({ url: `https://127.0.0.1:${silentPort}/` }, '1s');
    expect(r.status).toBe('CRITICAL');
    expect(r.message).toMatch(/TLS handshake did not finish within 0\.9 s/);
  });

  it('explains a plain-HTTP server on an https:// URL as a failed handshake', async () => {
    const r = await endpoint({ url: `https://127.0.0.1:${httpPort}/` });
    expect(r.status).toBe('CRITICAL');
    expect(r.message).toMatch(/^cannot reach .* — TLS handshake failed .*is it really HTTPS/);
  });
});

describe('endpoint check over HTTP', () => {
  it('is OK with the status and latency when the server answers 200', async () => {
    const r = await endpoint({ url: `http://127.0.0.1:${httpPort}/ok` });
    expect(r.status).toBe('OK');
    expect(r.target).toBe(`http://127.0.0.1:${httpPort}/ok`);
    expect(r.message).toMatch(/answered 200 OK in \d+ ms$/);
    expect(r.values.latency_ms?.unit).toBe('ms');
    expect(r.values.cert_days_left).toBeUndefined();
  });

  it('is critical when the server answers 500', async () => {
    const r = await endpoint({ url: `http://127.0.0.1:${httpPort}/fail` });
    expect(r.status).toBe('CRITICAL');
    expect(r.message).toContain('answered 500 Internal Server Error, expected 2xx or 3xx');
    expect(r.values.status_code?.value).toBe(500);
  });

  it('counts a redirect as up without following it, and honours expect_status', async () => {
    const moved = await endpoint({ url: `http://127.0.0.1:${httpPort}/moved` });
    expect(moved.status).toBe('OK');
    expect(moved.message).toContain('answered 302 Found → /ok');
    const strict = await endpoint({ url: `http://127.0.0.1:${httpPort}/moved`, expect_status: [200] });
    expect(strict.status).toBe('CRITICAL');
    const login = await endpoint({ url: `http://127.0.0.1:${httpPort}/auth`, expect_status: 401 });
    expect(login.status).toBe('OK');
  });

  it('sends the configured method', async () => {
    methodsSeen.length = 0;
    await endpoint({ url: `http://127.0.0.1:${httpPort}/ok`, method: 'HEAD' });
    await endpoint({ url: `http://127.0.0.1:${httpPort}/ok` });
    expect(methodsSeen).toEqual(['HEAD', 'GET']);
  });

  it('warns or is critical when the answer is slower than the latency limits', async () => {
    const url = `http://127.0.0.1:${httpPort}/slow`;
    const warn = await endpoint({ url, warn_latency_ms: 50 });
    expect(warn.status).toBe('WARNING');
    expect(warn.message).toMatch(/^slow: \d+ ms \(limit 50 ms\)/);
    const crit = await endpoint({ url, warn_latency_ms: 50, crit_latency_ms: 100 });
    expect(crit.status).toBe('CRITICAL');
    expect(crit.values.latency_ms?.value).toBeGreaterThanOrEqual(100);
  });

  it('is critical "connection refused" for a port nobody listens on', async () => {
    const r = await endpoint({ url: `http://127.0.0.1:${closedPort}/` });
    expect(r.status).toBe('CRITICAL');
    expect(r.message).toBe(`cannot reach http://127.0.0.1:${closedPort}/ — connection refused`);
    expect(r.values).toEqual({});
  });

  it('cuts off a server that accepts and never answers, within the timeout', async () => {
    const started = performance.now();
    const r = await endpoint({ url: `http://127.0.0.1:${silentPort}/` }, '1s');
    const elapsed = performance.now() - started;
    expect(r.status).toBe('CRITICAL');
    expect(r.message).toBe(`cannot reach http://127.0.0.1:${silentPort}/ — connected, but no answer within 0.9 s`);
    expect(elapsed).toBeLessThan(1000 + 400);
  });

  it('is critical when the host name does not resolve', async () => {
    const r = await endpoint({ url: 'http://no-such-host.invalid/' }, '2s');
    expect(r.status).toBe('CRITICAL');
    expect(r.message).toMatch(/^cannot reach http:\/\/no-such-host\.invalid\/ — /);
  });
});

describe('endpoint check over TCP', () => {
  it('is OK with the connect latency when the port is open', async () => {
    const r = await endpoint({ host: '127.0.0.1', port: silentPort });
    expect(r.status).toBe('OK');
    expect(r.target).toBe(`127.0.0.1:${silentPort}`);
    expect(r.message).toMatch(/accepts connections \(in \d+ ms\)/);
    expect(Object.keys(r.values)).toEqual(['latency_ms']);
  });

  it('is critical "connection refused" when the port is closed', async () => {
    const r = await endpoint({ host: '127.0.0.1', port: closedPort });
    expect(r.status).toBe('CRITICAL');
    expect(r.message).toBe(`cannot reach 127.0.0.1:${closedPort} — connection refused`);
  });
});

describe('endpoint config', () => {
  const issues = (entry: Record<string, unknown>) => configIssues({ checks: [{ kind: 'endpoint', ...entry }] });

  it('needs exactly one of url or host + port', () => {
    expect(issues({})).toEqual([{ path: 'checks[0]', message: 'needs url (http:// or https://) or host and port' }]);
    expect(issues({ url: 'http://nas.local', host: 'nas.local', port: 80 })).toEqual([
      { path: 'checks[0]', message: 'give either url, or host and port — not both' },
    ]);
    expect(issues({ host: 'nas.local' })).toEqual([{ path: 'checks[0].port', message: 'is required with host' }]);
    expect(issues({ port: 445 })).toEqual([{ path: 'checks[0].host', message: 'is required with port' }]);
  });

  it('accepts only http:// and https:// URLs', () => {
    expect(issues({ url: 'ftp://nas.local/' })).toEqual([
      { path: 'checks[0].url', message: 'must start with http:// or https://' },
    ]);
    expect(issues({ url: 'not a url' })).toEqual([{ path: 'checks[0].url', message: 'is not a valid URL' }]);
    expect(issues({ url: 'https://emr.example:8443/login' })).toEqual([]);
  });

  it('fills the documented defaults', () => {
    const [check] = resolveConfig(
      { builtin_checks: false, checks: [{ kind: 'endpoint', url: 'https://x.example' }] } as unknown as AgentConfigFile,
      undefined,
    ).checks;
    expect(check?.options).toMatchObject({ method: 'GET', cert_warn_days: 14, cert_crit_days: 3, tls_verify: true });
    expect(check?.timeoutMs).toBe(10_000);
  });

  it('is UNKNOWN when ca_file cannot be read', async () => {
    const r = await endpoint({ url: `https://127.0.0.1:${httpsPort}/`, ca_file: join(dir, 'missing.pem') });
    expect(r.status).toBe('UNKNOWN');
    expect(r.message).toBe(`cannot read ca_file ${join(dir, 'missing.pem')}: file not found`);
  });
});
