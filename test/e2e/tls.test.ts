// TLS between agent and collector: a private CA the agent is told to trust works; any other CA is
// refused with a reason an engineer can act on.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  agentCli,
  cleanupAll,
  createToken,
  enrollAgent,
  exportHost,
  freePort,
  hostnameOf,
  startAgent,
  startCollector,
  tempDir,
  waitFor,
  writeAgentConfig,
} from './harness.js';

afterEach(() => cleanupAll());

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** A private CA and a server certificate for 127.0.0.1 signed by it. */
function makeCa(dir: string, name: string): { ca: string; cert: string; key: string } {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '30',
      '-subj',
      `/CN=${name} CA`,
      '-keyout',
      `${name}-ca.key`,
      '-out',
      `${name}-ca.pem`,
    ],
    dir,
  );
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', `${name}.key`, '-out', `${name}.csr`],
    dir,
  );
  writeFileSync(join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${name}-ca.pem`,
      '-CAkey',
      `${name}-ca.key`,
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
  return { ca: join(dir, `${name}-ca.pem`), cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}

describe('TLS to the collector', () => {
  it('delivers when the agent trusts the private CA, and refuses another CA saying why', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const good = makeCa(dir, 'msp');
    const other = makeCa(dir, 'other');
    const collectorConfig = join(dir, 'collector.yaml');
    writeFileSync(collectorConfig, `tls:\n  cert_file: ${good.cert}\n  key_file: ${good.key}\n`);
    const collector = await startCollector({
      dataDir: data,
      port: await freePort(),
      configFile: collectorConfig,
      https: true,
    });
    expect(collector.url).toMatch(/^https:/);

    const wrongDir = tempDir();
    const wrong = writeAgentConfig(wrongDir, { caFile: other.ca });
    const refused = enrollAgent(wrong, collector.url, createToken(data));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not trusted|certificate/i);

    const rightDir = tempDir();
    const right = writeAgentConfig(rightDir, { caFile: good.ca });
    const enrolled = enrollAgent(right, collector.url, createToken(data));
    expect(enrolled.code, enrolled.stderr).toBe(0);
    const agent = startAgent(right);
    await waitFor('reports over TLS', () => exportHost(data, hostnameOf(right)).length >= 3, 20_000, 300);
    expect(await agent.term()).toBe(0);
  });

  it('refuses plain http to a non-loopback collector unless insecure_http is set', () => {
    const dir = tempDir();
    const config = writeAgentConfig(dir);
    const r = agentCli([
      'enroll',
      '--url',
      'http://192.0.2.10:8470',
      '--token',
      'vt_aaaaaaaaaaaaaaaaaaaaaaaa',
      '--config',
      config,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing plain http:\/\/ to 192\.0\.2\.10/);
  });
});
