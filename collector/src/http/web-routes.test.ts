import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, registerWebRoutes } from './web-routes.js';

const dir = mkdtempSync(join(tmpdir(), 'vitals-web-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serve(webDir: string) {
  const app = Fastify();
  registerWebRoutes(app, { dir: webDir });
  await app.ready();
  return app;
}

describe('dashboard pages', () => {
  const built = join(dir, 'built');
  mkdirSync(built);
  writeFileSync(join(built, 'index.html'), '<!doctype html><script type="module" src="/assets/app-AB12.js"></script>');
  writeFileSync(join(built, 'app-AB12.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  writeFileSync(join(dir, 'secret.txt'), 'not an asset');

  it('serves index.html at / with a strict Content-Security-Policy and no long caching', async () => {
    const app = await serve(built);
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).toContain('/assets/app-AB12.js');
  });

  it('serves a hashed asset cacheable for a year, gzipped when asked', async () => {
    const app = await serve(built);
    const plain = await app.inject({ url: '/assets/app-AB12.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const zipped = await app.inject({ url: '/assets/app-AB12.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.rawPayload).toString()).toBe(plain.body);
    expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length / 10);
  });

  it('answers 404 for names that are not files of the bundle, also with path tricks', async () => {
    const app = await serve(built);
    for (const url of [
      '/assets/nope.js',
      '/assets/..%2Fsecret.txt',
      '/assets/%2E%2E%2Fsecret.txt',
      '/assets/index.html',
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('not an asset');
    }
  });

  it('says how to build the dashboard when it is not built', async () => {
    const app = await serve(join(dir, 'missing'));
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('pnpm run build');
  });
});
