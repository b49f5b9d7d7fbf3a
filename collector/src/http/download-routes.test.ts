import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessServer, startAccessServer } from '../fixtures/access.js';
import { defaultDownloadDirs } from './download-routes.js';

let root: string;
let server: AccessServer;
const binary = randomBytes(64 * 1024);
const SECRET = 'collector secret next door';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vitals-downloads-'));
  const scriptsDir = join(root, 'www', 'install-scripts');
  const dir = join(root, 'www', 'agent');
  for (const os of ['linux', 'macos']) {
    mkdirSync(join(scriptsDir, os), { recursive: true });
    writeFileSync(join(scriptsDir, os, 'install.sh'), `#!/bin/sh\necho ${os} installer\n`);
  }
  // windows/install.ps1 is left out: "not present" is part of the test.
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'vitals-linux-x64'), binary);
  writeFileSync(join(dir, 'notes.txt'), 'not in the list');
  writeFileSync(join(root, 'www', 'secret.txt'), SECRET);
  writeFileSync(join(root, 'secret.txt'), SECRET);
  server = await startAccessServer(undefined, { downloads: { scriptsDir, dir } });
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

/** A GET with the path exactly as written (fetch would normalise "..", node:http does not). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('install scripts and agent downloads', () => {
  it('serves the install scripts without a login as UTF-8 text', async () => {
    for (const os of ['linux', 'macos']) {
      const res = await fetch(`${server.url}/install/${os}.sh`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await res.text()).toBe(`#!/bin/sh\necho ${os} installer\n`);
    }
  });

  it('serves an agent build byte for byte as a download, HEAD included', async () => {
    const res = await fetch(`${server.url}/download/vitals-linux-x64`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="vitals-linux-x64"');
    expect(Buffer.from(await res.arrayBuffer()).equals(binary)).toBe(true);
    const head = await fetch(`${server.url}/download/vitals-linux-x64`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(binary.length));
  });

  it('says what to do when a script or a build is not there', async () => {
    const script = await fetch(`${server.url}/install/windows.ps1`);
    expect(script.status).toBe(404);
    expect(((await script.json()) as { message: string }).message).toBe(
      'install script windows.ps1 is not on this collector (install-scripts/windows/install.ps1); set downloads.scripts_dir in the collector config',
    );
    const build = await fetch(`${server.url}/download/vitals-win-x64.exe`);
    expect(build.status).toBe(404);
    const { message } = (await build.json()) as { message: string };
    expect(message).toContain('vitals-win-x64.exe is not built on this collector: run `node scripts/build-agent.mjs`');
    expect(message).not.toContain(root);
  });

  it('answers 404 to any other name, even of a file that is in the directory', async () => {
    for (const path of ['/install/freebsd.sh', '/install/install.sh', '/download/notes.txt', '/download/vitals']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: string }).error).toBe('not_found');
    }
    const listed = await fetch(`${server.url}/download/notes.txt`);
    expect(((await listed.json()) as { message: string }).message).toMatch(/there are vitals-linux-x64, /);
  });

  it('never serves a file outside its directory, however the path is written', async () => {
    const paths = [
      '/download/../secret.txt',
      '/download/..%2fsecret.txt',
      '/download/..%2F..%2Fsecret.txt',
      '/download/%2e%2e%2fsecret.txt',
      '/download/..%5csecret.txt',
      '/install/../../secret.txt',
      '/install/..%2f..%2fsecret.txt',
      '/install/linux%2finstall.sh',
      '/download/vitals-linux-x64%00.txt',
      `/download/${encodeURIComponent(resolve(root, 'secret.txt'))}`,
    ];
    for (const path of paths) {
      const res = await rawGet(path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toContain(SECRET);
      expect(res.body, path).not.toContain('installer');
    }
  });

  it('finds install-scripts/ and dist/agent/ of the checkout by default, two levels above the bundle elsewhere', () => {
    const repo = resolve(import.meta.dirname, '..', '..', '..');
    expect(defaultDownloadDirs()).toEqual({
      scriptsDir: join(repo, 'install-scripts'),
      dir: join(repo, 'dist', 'agent'),
    });
    expect(defaultDownloadDirs('/opt/vitals/collector/dist')).toEqual({
      scriptsDir: '/opt/vitals/install-scripts',
      dir: '/opt/vitals/dist/agent',
    });
  });
});
