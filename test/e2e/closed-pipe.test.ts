// A reader that stops early is no error: `vitals-collector export | head` and `vitals config
// reference | head` end with status 0 and nothing on stderr (no "write EPIPE"), through real pipes.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { hostFacts, ingestRequest, range } from '../../collector/src/fixtures/reports.js';
import { AGENT_JS, COLLECTOR_JS, cleanupAll, createToken, freePort, startCollector, tempDir } from './harness.js';

afterEach(() => cleanupAll());

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function ended(child: ChildProcess): Promise<Ended> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stderr })));
}

describe('CLIs whose reader goes away', () => {
  it('`vitals-collector export | head -n 1`: head prints one line, export exits 0 without a word', async () => {
    const data = tempDir('vitals-pipe-');
    const collector = await startCollector({ dataDir: data, port: await freePort() });
    const enrolled = await fetch(`${collector.url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: createToken(data), host: hostFacts('PIPE-HOST') }),
    });
    const { agent_id, secret } = (await enrolled.json()) as { agent_id: string; secret: string };
    // ~1 MB of export: far more than a pipe holds, so export is still writing when head has gone.
    for (let from = 1; from <= 3000; from += 500) {
      const res = await fetch(`${collector.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify(ingestRequest(agent_id, range(from, from + 499))),
      });
      expect(res.status).toBe(200);
    }
    await collector.kill9();

    const exporter = spawn(process.execPath, [COLLECTOR_JS, 'export', '--host', 'PIPE-HOST', '--data', data], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const head = spawn('head', ['-n', '1'], { stdio: [exporter.stdout, 'pipe', 'inherit'] });
    exporter.stdout?.destroy(); // head holds the read end now; with ours open, export would never see EPIPE
    let firstLine = '';
    head.stdout?.on('data', (d: Buffer) => (firstLine += d.toString()));
    const [exported, headDone] = await Promise.all([ended(exporter), ended(head)]);
    expect(headDone.code).toBe(0);
    expect(JSON.parse(firstLine)).toMatchObject({ seq: 1 });
    expect(exported).toEqual({ code: 0, signal: null, stderr: '' });
  }, 60_000);

  it('`vitals config reference` into a pipe already closed: exit 0, nothing on stderr', async () => {
    const agent = spawn(process.execPath, [AGENT_JS, 'config', 'reference'], { stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout?.destroy(); // the reader is gone before the first write
    expect(await ended(agent)).toEqual({ code: 0, signal: null, stderr: '' });
  });

  it('`vitals-collector config reference` into a pipe already closed: exit 0, nothing on stderr', async () => {
    const cli = spawn(process.execPath, [COLLECTOR_JS, 'config', 'reference'], { stdio: ['ignore', 'pipe', 'pipe'] });
    cli.stdout?.destroy();
    expect(await ended(cli)).toEqual({ code: 0, signal: null, stderr: '' });
  });
});
