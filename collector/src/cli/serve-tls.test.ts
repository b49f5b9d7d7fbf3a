import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli, startServe } from '../fixtures/cli.js';

let cli: string;
let dir: string;

beforeAll(async () => {
  cli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'vitals-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function get(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('serve with TLS', () => {
  it('serves HTTPS with the configured certificate and logs an https url', async () => {
    const config = join(dir, 'collector.yaml');
    writeFileSync(config, 'data_dir: data\ntls:\n  cert_file: cert.pem\n  key_file: key.pem\n');
    const serve = await startServe(cli, ['--config', config]);
    try {
      expect(serve.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await get(`${serve.url}/healthz`, readFileSync(join(dir, 'cert.pem')));
      expect(res).toEqual({ status: 200, body: '{"status":"ok"}' });
    } finally {
      serve.child.kill('SIGINT');
      expect(await serve.exited).toBe(0);
    }
  });

  it('exits 1 with a short reason when the port is taken', async () => {
    const config = join(dir, 'plain.yaml');
    writeFileSync(config, 'data_dir: data2\n');
    const first = await startServe(cli, ['--config', config]);
    try {
      const out = runCli(cli, ['serve', '--config', config, '--listen', new URL(first.url).host]);
      expect(out.status).toBe(1);
      expect(out.stderr).toContain('EADDRINUSE');
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });

  it('exits 2 naming tls.cert_file when the certificate cannot be read', () => {
    const config = join(dir, 'missing.yaml');
    writeFileSync(config, 'data_dir: data\ntls: {cert_file: nope.pem, key_file: key.pem}\n');
    const out = runCli(cli, ['serve', '--config', config, '--listen', '127.0.0.1:0']);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('tls.cert_file');
  });
});
