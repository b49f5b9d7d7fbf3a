import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@vitals/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCollectorConfig, parseListen, UsageError } from './config.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(text: string): string {
  const file = join(dir, 'collector.yaml');
  writeFileSync(file, text);
  return file;
}

describe('collector config', () => {
  it('takes every default without a file', () => {
    const c = loadCollectorConfig({});
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 8470 });
    expect(c.dataDir).toBe(join(process.cwd(), 'vitals-data'));
    expect(c.limits).toEqual({
      bodyMaxBytes: 8 * 1024 * 1024,
      ratePerMinute: 600,
      enrollPerMinute: 120,
      tsWindow: { aheadMaxMs: 86_400_000, earliest: Date.UTC(2000, 0, 1) },
    });
    expect(c.retention).toEqual({ rawMs: 14 * 86_400_000, rollupsMs: 395 * 86_400_000 });
  });

  it('reads the file, resolves paths against its directory and lets flags win', () => {
    const file = write(
      'listen: 0.0.0.0:9000\ndata_dir: data\ntls: {cert_file: c.pem, key_file: k.pem}\nlimits: {body_max_bytes: 1MiB, rate_per_minute: 5}\nretention: {raw: 7d}\n',
    );
    const c = loadCollectorConfig({ config: file });
    expect(c.listen).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(c.dataDir).toBe(join(dir, 'data'));
    expect(c.tls).toEqual({ certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') });
    expect(c.limits.bodyMaxBytes).toBe(1024 * 1024);
    expect(c.limits.ratePerMinute).toBe(5);
    expect(c.retention.rawMs).toBe(7 * 86_400_000);
    const flagged = loadCollectorConfig({ config: file, listen: '127.0.0.1:0', data: join(dir, 'other') });
    expect(flagged.listen.port).toBe(0);
    expect(flagged.dataDir).toBe(join(dir, 'other'));
  });

  it('reads public_url (normalised) and the download directories relative to the file', () => {
    const c = loadCollectorConfig({
      config: write('public_url: https://Vitals.MSP.example/\ndownloads: {scripts_dir: scripts, dir: /srv/agent}\n'),
    });
    expect(c.publicUrl).toBe('https://vitals.msp.example');
    expect(c.downloads).toEqual({ scriptsDir: join(dir, 'scripts'), dir: '/srv/agent' });
    expect(loadCollectorConfig({}).downloads).toEqual({ scriptsDir: undefined, dir: undefined });
    expect(() => loadCollectorConfig({ config: write('public_url: https://vitals.example/?x=1\n') })).toThrow(
      /public_url: must match/,
    );
    expect(() => loadCollectorConfig({ config: write('public_url: https://u:p@vitals.example\n') })).toThrow(
      /public_url: public URL "https:\/\/u:p@vitals.example" must not carry a user name or password/,
    );
  });

  it('names the key path of an unknown key and of a wrong type', () => {
    const file = write('limits:\n  rate_per_minute: lots\n  bodymax: 3\nretention: {raw: forever}\n');
    let error: unknown;
    try {
      loadCollectorConfig({ config: file });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('limits.rate_per_minute: must be a whole number');
    expect(message).toContain('limits.bodymax: is not a known key');
    expect(message).toContain('retention.raw: must be a duration');
  });

  it('rejects a malformed --listen', () => {
    expect(() => parseListen('localhost')).toThrow(UsageError);
    expect(() => parseListen('1.2.3.4:70000')).toThrow(UsageError);
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
  });
});
