// Fuzzes a real collector (a child process over real HTTP) with random and mutated ingest, enroll
// and dashboard-API requests (logged in, with CSRF): never a 5xx, the process stays alive, and a
// 4xx stores nothing (row counts before and after). Seeded and bounded: FUZZ_SEED=<n> replays a
// run, FUZZ_RUNS=<factor> scales the run counts; a failure prints the seed and the request.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostFacts } from '../../collector/src/fixtures/reports.js';
import {
  type Collector,
  cleanupAll,
  collectorCli,
  createToken,
  freePort,
  startCollector,
  tempDir,
} from '../e2e/harness.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261208);
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const PASSWORD = 'fuzzing horse battery staple';
const DAY = 86_400_000;

// Tables a request could write; alerts, outbox and rollups are the collector's own later work.
const TABLES = ['report', 'host_latest', 'agents', 'clients', 'sites', 'tokens', 'silence', 'user', 'api_key', 'audit'];

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** A short description for the failure report. */
  what: string;
}

interface Answer {
  status: number;
  text: string;
}

let dir: string;
let collector: Collector;
let db: Database.Database;
let enrollToken: string;
let agent: { agent_id: string; secret: string };
let session: { cookie: string; csrf: string };
let seq = 1;
/** Answers per status class of the current run: a run must reach both the routes and their refusals. */
let seen: Record<string, number> = {};

function counts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const table of TABLES)
    out[table] = (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  return out;
}

async function send(req: Sent): Promise<Answer> {
  const res = await fetch(`${collector.url}${req.path}`, {
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal: AbortSignal.timeout(20_000),
  });
  return { status: res.status, text: await res.text() };
}

/** Sends one request and checks the invariants; returns the answer for more specific checks. */
async function probe(req: Sent): Promise<Answer> {
  const before = counts();
  let answer: Answer;
  try {
    answer = await send(req);
  } catch (error) {
    throw new Error(`${req.what}: no answer (${String(error)}); collector output:\n${collector.output().slice(-2000)}`);
  }
  const klass = `${Math.floor(answer.status / 100)}xx`;
  seen[klass] = (seen[klass] ?? 0) + 1;
  const context = `${req.what} → ${answer.status} ${answer.text.slice(0, 300)}`;
  if (answer.status >= 500) {
    const log = collector.output().trim().split('\n').slice(-3).join('\n');
    expect.fail(`${context}\ncollector log:\n${log.slice(-3000)}`);
  }
  if (answer.status >= 400) expect(counts(), `a ${answer.status} stored something: ${context}`).toEqual(before);
  return answer;
}

// ---- Values and mutations -------------------------------------------------------------------

/** JSON text that JSON.stringify cannot make, spliced in through a placeholder string. */
const RAW = ['1e400', '-1e400', '1e-400', '9007199254740993', '18446744073709551616', '-0', '1E+2'];
const raw = (text: string) => `\u0000RAW${text}\u0000`;
const unraw = (json: string) => json.replace(/"\\u0000RAW(.*?)\\u0000"/g, (_, text: string) => text);

const evil: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e20,
    -1e20,
    Number.MAX_VALUE,
    Number.MAX_SAFE_INTEGER,
    2 ** 53,
    2 ** 63,
    -(2 ** 63),
    '',
    ' ',
    '0',
    'NaN',
    'Infinity',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    "'; DROP TABLE report; --",
    '\u0000',
    '\u202e\ufeff',
    [],
    {},
    { constructor: { prototype: { x: 1 } } },
  ),
  fc.constantFrom(...RAW, '{"__proto__":{"admin":true}}').map(raw),
  fc.integer({ min: 1, max: 20_000 }).map((n) => raw(`${'['.repeat(n)}${']'.repeat(n)}`)),
  fc.integer({ min: 1, max: 300_000 }).map((n) => 'x'.repeat(n)),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Every path (list of keys) inside a JSON value, the root included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (value === null || typeof value !== 'object') return out;
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  for (const [k, v] of entries) out.push(...paths(v, [...prefix, k]));
  return out;
}

type Edit = { at: number; op: 'set' | 'delete' | 'extra'; value: unknown };

function applyEdit(base: unknown, edit: Edit): unknown {
  const copy = structuredClone(base);
  const all = paths(copy);
  const path = all[edit.at % all.length] as (string | number)[];
  if (path.length === 0) return edit.op === 'set' ? edit.value : copy;
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const key = path[path.length - 1] as string | number;
  if (edit.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (edit.op === 'extra' && !Array.isArray(parent)) parent[`extra_${String(key)}`] = edit.value;
  else parent[key] = edit.value;
  return copy;
}

// A quarter of the requests keep the valid content, so accepted requests are in every run too.
const edits = fc.oneof(
  { arbitrary: fc.constant<Edit[]>([]), weight: 1 },
  {
    arbitrary: fc.array(
      fc.record({ at: fc.nat(), op: fc.constantFrom<Edit['op']>('set', 'set', 'set', 'delete', 'extra'), value: evil }),
      { minLength: 1, maxLength: 3 },
    ),
    weight: 3,
  },
);

/** What the text goes through before it is sent: valid JSON spoiled in the ways a wire can. */
const textChange = fc.constantFrom(
  'none',
  'none',
  'dup-key-valid-last',
  'dup-key-evil-last',
  'truncate',
  'trailing',
  'bom',
  'empty',
  'not-json',
);
const encoding = fc.constantFrom('plain', 'plain', 'gzip', 'gzip-garbage', 'gzip-truncated', 'gzip-label-only', 'br');
const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  '',
);

interface Wire {
  change: string;
  encoding: string;
  contentType: string;
  garbage: Uint8Array;
}
const CLEAN: Wire = { change: 'none', encoding: 'plain', contentType: 'application/json', garbage: new Uint8Array() };
// A third of the requests go over a clean wire, so mutations of the content reach the routes.
const wire: fc.Arbitrary<Wire> = fc.oneof(
  { arbitrary: fc.constant(CLEAN), weight: 1 },
  {
    arbitrary: fc.record({ change: textChange, encoding, contentType, garbage: fc.uint8Array({ maxLength: 200 }) }),
    weight: 2,
  },
);

function body(value: unknown, w: Wire): { headers: Record<string, string>; body: Buffer; what: string } {
  let text = unraw(JSON.stringify(value) ?? 'null');
  switch (w.change) {
    case 'dup-key-valid-last':
      text = text.replace(/\{"/, '{"agent_id":42,"');
      break;
    case 'dup-key-evil-last':
      text = text.replace(/\}$/, ',"agent_id":{"x":1}}');
      break;
    case 'truncate':
      text = text.slice(0, Math.floor(text.length / 2));
      break;
    case 'trailing':
      text += '}}garbage';
      break;
    case 'bom':
      text = `\ufeff${text}`;
      break;
    case 'empty':
      text = '';
      break;
    case 'not-json':
      text = `{'single': quotes, trailing: [1,2,],}`;
      break;
  }
  const headers: Record<string, string> = {};
  if (w.contentType) headers['content-type'] = w.contentType;
  let bytes = Buffer.from(text);
  if (w.encoding === 'gzip') bytes = gzipSync(bytes);
  else if (w.encoding === 'gzip-garbage') bytes = Buffer.from(w.garbage);
  else if (w.encoding === 'gzip-truncated') bytes = gzipSync(bytes).subarray(0, Math.max(1, w.garbage.length % 30));
  if (w.encoding.startsWith('gzip')) headers['content-encoding'] = 'gzip';
  if (w.encoding === 'br') headers['content-encoding'] = 'br';
  const shown = text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
  return { headers, body: bytes, what: `[${w.change}, ${w.encoding}, ${w.contentType || 'no content-type'}] ${shown}` };
}

// ---- Requests -------------------------------------------------------------------------------

function validIngest(): Record<string, unknown> {
  const n = seq++;
  return {
    agent_id: agent.agent_id,
    reports: [
      {
        seq: n,
        boot_id: 'boot-fuzz',
        result: {
          check: 'disk',
          kind: 'disk',
          target: '/',
          status: 'OK',
          values: { free_pct: { value: 40, unit: 'percent' }, fs: { value: 'ext4' } },
          message: 'Disk / has 40 % free',
          ts: Date.now() - 60_000,
          duration_ms: 3,
        },
      },
    ],
    agent: { boot_id: 'boot-fuzz', version: '0.1.0', dropped_total: 0, buffer_depth: 0, state: 'running' },
  };
}

function ingest(value: unknown, w: Wire, auth = `Bearer ${agent.secret}`): Sent {
  const b = body(value, w);
  const headers = auth ? { ...b.headers, authorization: auth } : b.headers;
  return { method: 'POST', path: '/api/v1/ingest', headers, body: b.body, what: `ingest ${b.what}` };
}

function dashboard(method: string, path: string, value?: unknown, w?: Wire, csrf = true): Sent {
  const headers: Record<string, string> = { cookie: session.cookie };
  if (csrf) headers['x-csrf-token'] = session.csrf;
  if (value === undefined || !w) return { method, path, headers, what: `${method} ${path}` };
  const b = body(value, w);
  return { method, path, headers: { ...headers, ...b.headers }, body: b.body, what: `${method} ${path} ${b.what}` };
}

const queryValue = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1e400',
    'NaN',
    '24h',
    '7d',
    '999999d',
    '2025-01-06',
    'critical,warning',
    'true',
    '%',
    '%00',
    '..',
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.integer().map(String),
  fc.integer({ min: 1, max: 20_000 }).map((n) => 'q'.repeat(n)),
);
const idValue = fc.oneof(
  fc.constantFrom('al_0', 'si_0', 'tk_0', 'us_0', '..', '%2e%2e', '%00', 'x'.repeat(300)),
  fc.string({ minLength: 1, maxLength: 40 }),
);

const enc = encodeURIComponent;
const gets: [string, string[]][] = [
  ['/api/v1/fleet', ['q', 'status', 'client']],
  ['/api/v1/hosts/:id', []],
  ['/api/v1/hosts/:id/series', ['check', 'target', 'metric', 'from', 'to', 'range']],
  ['/api/v1/hosts/:id/disks', []],
  ['/api/v1/alerts', ['state', 'client', 'limit']],
  ['/api/v1/alerts/:id', []],
  ['/api/v1/silences', ['all']],
  ['/api/v1/maintenance-windows', []],
  ['/api/v1/enrollment-tokens', []],
  ['/api/v1/users', []],
  ['/api/v1/audit', ['since', 'limit']],
];

const getRequest = fc
  .record({
    which: fc.nat({ max: gets.length - 1 }),
    realHost: fc.boolean(),
    id: idValue,
    params: fc.array(fc.tuple(fc.nat(), queryValue), { maxLength: 4 }),
    stray: fc.option(fc.tuple(fc.string({ maxLength: 10 }), queryValue)),
  })
  .map((g): Sent => {
    const [template, names] = gets[g.which] as [string, string[]];
    const id = template.includes('hosts') && g.realHost ? agent.agent_id : g.id;
    const query = g.params
      .filter(() => names.length > 0)
      .map(([i, v]) => `${names[i % names.length]}=${enc(v)}`)
      .concat(g.stray ? [`${enc(g.stray[0])}=${enc(g.stray[1])}`] : []);
    const path = `${template.replace(':id', enc(id))}${query.length ? `?${query.join('&')}` : ''}`;
    return dashboard('GET', path);
  });

const writes: [string, string, () => unknown][] = [
  [
    'POST',
    '/api/v1/silences',
    () => ({ matchers: ['client=Northside', 'host=FUZZ-1'], duration: '2h', reason: 'fuzz' }),
  ],
  ['POST', '/api/v1/enrollment-tokens', () => ({ client: 'Fuzz Client', site: 'Main St', expires_in_hours: 24 })],
  ['POST', '/api/v1/users', () => ({ email: `u${seq++}@fuzz.example`, role: 'viewer', clients: ['Northside'] })],
  ['POST', '/api/v1/alerts/:id/ack', () => ({ comment: 'looked at it' })],
  ['POST', '/api/v1/users/:id/disable', () => ({})],
  ['POST', '/api/v1/users/:id/password', () => ({})],
  ['DELETE', '/api/v1/silences/:id', () => undefined],
  ['DELETE', '/api/v1/enrollment-tokens/:id', () => undefined],
];

const writeRequest = fc
  .record({ which: fc.nat({ max: writes.length - 1 }), id: idValue, edits, wire, csrf: fc.boolean() })
  .map((r): Sent => {
    const [method, template, make] = writes[r.which] as [string, string, () => unknown];
    const path = template.replace(':id', enc(r.id));
    const base = make();
    // Mostly with the CSRF token (so the request reaches the route), sometimes without.
    const csrf = r.csrf || r.edits.length > 0;
    if (base === undefined) return dashboard(method, path, undefined, undefined, csrf);
    return dashboard(method, path, r.edits.reduce(applyEdit, base), r.wire, csrf);
  });

// ---- The runs -------------------------------------------------------------------------------

const options = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });

/** Runs a property with a fresh tally; the tally must show accepted and refused requests. */
async function fuzz<T>(arb: fc.Arbitrary<T>, numRuns: number, run: (value: T) => Promise<unknown>): Promise<void> {
  seen = {};
  await fc.assert(
    fc.asyncProperty(arb, async (value) => void (await run(value))),
    options(numRuns),
  );
  expect(seen['2xx'] ?? 0, JSON.stringify(seen)).toBeGreaterThan(0);
  expect(seen['4xx'] ?? 0, JSON.stringify(seen)).toBeGreaterThan(0);
}

describe('fuzzing a real collector', () => {
  beforeAll(async () => {
    dir = tempDir('vitals-fuzz-');
    const data = join(dir, 'data');
    const config = join(dir, 'collector.yaml');
    // Rate limits out of the way, so requests reach validation instead of a 429.
    writeFileSync(config, 'limits:\n  rate_per_minute: 1000000\n  enroll_per_minute: 1000000\n');
    collector = await startCollector({ dataDir: data, port: await freePort(), configFile: config });
    enrollToken = createToken(data);
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, `${PASSWORD}\n`);
    const added = collectorCli(data, ['user', 'add', 'fuzz@msp.example', '--role', 'admin', '--password-file', pwFile]);
    expect(added.code, added.stderr).toBe(0);
    const enrolled = await fetch(`${collector.url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: enrollToken, host: hostFacts('FUZZ-1') }),
    });
    agent = (await enrolled.json()) as typeof agent;
    const login = await fetch(`${collector.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'fuzz@msp.example', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    session = { cookie, csrf: ((await login.json()) as { csrf_token: string }).csrf_token };
    db = new Database(join(data, 'collector.db'), { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    // A valid report first, so the host pages have something to show.
    expect((await probe(ingest(validIngest(), CLEAN))).status).toBe(200);
  }, 60_000);

  afterAll(() => {
    db?.close();
    cleanupAll();
  });

  it('mutated ingest batches: never a 5xx, nothing stored on a 4xx', async () => {
    const arb = fc.tuple(edits, wire, fc.boolean());
    await fuzz(arb, runs(300), ([e, w, authed]) =>
      probe(ingest(e.reduce(applyEdit, validIngest()), w, authed ? `Bearer ${agent.secret}` : 'Bearer vs_wrong')),
    );
  }, 120_000);

  it('random JSON as an ingest batch: never a 5xx, nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), wire, async (value, w) => {
        expect((await probe(ingest(value, w))).status).toBeGreaterThanOrEqual(400);
      }),
      options(runs(60)),
    );
  }, 60_000);

  it('a timestamp outside the window or a seq above 2^53−1: 400 naming the field, nothing stored', async () => {
    const now = Date.now();
    const cases: [string, string, unknown][] = [
      ['ts', 'ts 1e20', 1e20],
      ['ts', 'ts two days ahead', now + 2 * DAY],
      ['ts', 'ts in 1999', Date.UTC(1999, 11, 31, 23, 59, 59)],
      ['ts', 'ts 0', 0],
      ['ts', 'ts -1', -1],
      ['seq', 'seq 2^53', 2 ** 53],
      ['seq', 'seq 2^63-1', raw('9223372036854775807')],
      ['seq', 'seq 1e20', 1e20],
    ];
    for (const [field, what, value] of cases) {
      const request = validIngest() as { reports: { seq: unknown; result: { ts: unknown } }[] };
      const report = request.reports[0] as { seq: unknown; result: { ts: unknown } };
      if (field === 'ts') report.result.ts = value;
      else report.seq = value;
      const sent = ingest(request, CLEAN);
      const answer = await probe({ ...sent, what: `${what}: ${sent.what}` });
      expect(answer.status, `${what}: ${answer.text}`).toBe(400);
      expect((JSON.parse(answer.text) as { message: string }).message, what).toContain(field);
    }
  });

  it('mutated and random enrollments: never a 5xx, nothing stored on a 4xx', async () => {
    const valid = () => ({ token: enrollToken, host: hostFacts(`FUZZ-E${seq++}`) });
    const value = fc.oneof(
      edits.map((e) => e.reduce(applyEdit, valid())),
      fc.jsonValue({ maxDepth: 3 }),
    );
    await fuzz(fc.tuple(value, wire), runs(150), ([v, w]) => {
      const b = body(v, w);
      return probe({
        method: 'POST',
        path: '/api/v1/enroll',
        headers: b.headers,
        body: b.body,
        what: `enroll ${b.what}`,
      });
    });
  }, 120_000);

  it('dashboard API reads with random parameters: never a 5xx', async () => {
    await fuzz(getRequest, runs(200), probe);
  }, 120_000);

  it('dashboard API writes, mutated, logged in with CSRF: never a 5xx, nothing stored on a 4xx', async () => {
    await fuzz(writeRequest, runs(200), probe);
  }, 180_000);

  it('the collector is still alive and healthy', async () => {
    expect(collector.child.exitCode).toBeNull();
    const health = await fetch(`${collector.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
