// The shipper against a real HTTP receiver on 127.0.0.1 that plays the collector's part.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { CheckResult, IngestRequest } from '@vitals/shared';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultBuffer } from '../buffer/buffer.js';
import { Shipper } from './shipper.js';

type Reply = (body: IngestRequest) => { status: number; body: unknown };

let server: Server;
let url: string;
let received: IngestRequest[];
let reply: Reply;
let dir: string;
let buffer: ResultBuffer;
const logLines: { msg: string; event?: string }[] = [];
const log = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line)) });

async function readBody(req: IncomingMessage): Promise<IngestRequest> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
}

beforeEach(async () => {
  received = [];
  logLines.length = 0;
  reply = (body) => ({ status: 200, body: { acked: body.reports.map((r) => r.seq), duplicates: 0 } });
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    received.push(body);
    expect(req.headers.authorization).toBe('Bearer s3cret-s3cret-s3cret');
    const { status, body: out } = reply(body);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(out));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'vitals-ship-'));
  buffer = new ResultBuffer(dir, { maxBytes: 64e6, maxAgeMs: 86_400_000 });
});

afterEach(async () => {
  buffer.close();
  rmSync(dir, { recursive: true, force: true });
  await new Promise((r) => server.close(r));
});

function shipper(batchSize = 100, targetUrl = url, gatherMs = 0): Shipper {
  return new Shipper({
    gatherMs,
    buffer,
    identity: () => ({
      agent_id: 'agent-1',
      secret: 's3cret-s3cret-s3cret',
      collector_url: targetUrl,
      client: 'c',
      site: 's',
      enrolled_at: '',
    }),
    transport: { timeoutMs: 2000 },
    batchSize,
    bootId: 'boot-1',
    version: 'test',
    log,
    random: () => 0.5,
  });
}

function results(n: number): CheckResult[] {
  return Array.from({ length: n }, (_, i) => ({
    check: 'cpu',
    kind: 'cpu' as const,
    target: '',
    status: 'OK' as const,
    values: { used_percent: { value: i, unit: 'percent' } },
    message: `r${i}`,
    ts: 1000 + i,
  }));
}

describe('Shipper', () => {
  it('delivers oldest first in batches and empties the buffer once acknowledged', async () => {
    buffer.append('boot-1', results(250));
    expect(await shipper(100).drain()).toBeUndefined();
    expect(received.map((b) => b.reports.length)).toEqual([100, 100, 50]);
    const seqs = received.flatMap((b) => b.reports.map((r) => r.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(250);
    expect(buffer.depth()).toBe(0);
    expect(received[0]!.agent).toMatchObject({ boot_id: 'boot-1', state: 'running', buffer_depth: 150 });
  });

  it('keeps what the collector did not acknowledge and sends it again', async () => {
    buffer.append('boot-1', results(4));
    let first = true;
    reply = (body) => {
      const acked = first ? body.reports.slice(0, 2).map((r) => r.seq) : body.reports.map((r) => r.seq);
      first = false;
      return { status: 200, body: { acked, duplicates: 0 } };
    };
    await shipper().drain();
    expect(received[1]!.reports.map((r) => r.result.message)).toEqual(['r2', 'r3']);
    expect(buffer.depth()).toBe(0);
  });

  it('logs the outage once, backs off, and logs once when delivering again with the backlog', async () => {
    buffer.append('boot-1', results(3));
    reply = () => ({ status: 503, body: { error: 'unavailable', message: 'restarting' } });
    const s = shipper();
    const d1 = await s.drain();
    const d2 = await s.drain();
    const d3 = await s.drain();
    expect([d1, d2, d3]).toEqual([750, 1500, 3000]);
    expect(logLines.filter((l) => l.event === 'collector_unreachable')).toHaveLength(1);
    expect(logLines[0]!.msg).toMatch(/collector unreachable since .*503: restarting/);
    expect(buffer.depth()).toBe(3);
    reply = (body) => ({ status: 200, body: { acked: body.reports.map((r) => r.seq), duplicates: 0 } });
    expect(await s.drain()).toBeUndefined();
    const again = logLines.filter((l) => l.event === 'collector_reachable');
    expect(again).toHaveLength(1);
    expect(again[0]!.msg).toBe('delivering again, 3 reports behind');
  });

  it('splits a batch the collector finds too large, and drops only a report refused on its own', async () => {
    buffer.append('boot-1', results(8));
    reply = (body) => {
      if (body.reports.length > 2) return { status: 413, body: { error: 'too_large', message: 'too large' } };
      if (body.reports.some((r) => r.result.message === 'r5'))
        return { status: 400, body: { error: 'invalid_body', message: 'bad' } };
      return { status: 200, body: { acked: body.reports.map((r) => r.seq), duplicates: 0 } };
    };
    await shipper(8).drain();
    expect(buffer.depth()).toBe(0);
    expect(buffer.droppedTotal()).toBe(1);
    const delivered = received
      .filter((b) => b.reports.length <= 2)
      .flatMap((b) => b.reports.map((r) => r.result.message));
    expect(new Set(delivered)).toEqual(new Set(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']));
  });

  it('says the collector is unreachable when nothing listens, and loses nothing', async () => {
    buffer.append('boot-1', results(2));
    const s = shipper(100, 'http://127.0.0.1:1');
    expect(await s.drain()).toBeGreaterThan(0);
    expect(logLines.at(-1)!.msg).toMatch(/connection refused/);
    expect(buffer.depth()).toBe(2);
  });

  it('gathers a check cycle: results buffered within the gather window go in one request', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const s = shipper(100, url, 400);
    s.start(60_000);
    await sleep(100); // the first drain finds nothing and the loop goes idle
    const before = received.length;
    for (let i = 0; i < 4; i++) {
      buffer.append('boot-1', results(2));
      s.notify();
      await sleep(50);
    }
    expect(received.length).toBe(before); // still gathering
    await sleep(600);
    expect(received.length - before).toBe(1);
    expect(received.at(-1)!.reports).toHaveLength(8);
    expect(buffer.depth()).toBe(0);
    await s.stop();
  });

  it('without a gather window, each result wakes an idle shipper at once', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const s = shipper(100, url, 0);
    s.start(60_000);
    await sleep(100);
    const before = received.length;
    buffer.append('boot-1', results(2));
    s.notify();
    await sleep(300);
    expect(received.length - before).toBe(1);
    expect(received.at(-1)!.reports).toHaveLength(2);
    await s.stop();
  });

  it('tells the collector about a clean shutdown', async () => {
    const s = shipper();
    s.start(50);
    await s.stop();
    expect(received.at(-1)!.agent.state).toBe('stopping');
  });
});
