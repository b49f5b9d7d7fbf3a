// Starts the real `vitals-collector serve` and `vitals run` as child processes for end-to-end
// tests, and runs their CLIs; everything over real HTTP on 127.0.0.1.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const AGENT_JS = join(ROOT, 'agent/dist/vitals.js');
export const COLLECTOR_JS = join(ROOT, 'collector/dist/vitals-collector.js');

const cleanups: (() => void)[] = [];
export function cleanupAll(): void {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      c();
    } catch {}
  }
}

export function tempDir(prefix = 'vitals-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  kill9: () => Promise<void>;
  term: () => Promise<number | null>;
}

function track(child: ChildProcess): Proc {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let alive = true;
  void exited.then(() => (alive = false));
  cleanups.push(() => alive && child.kill('SIGKILL'));
  return {
    child,
    output: () => out,
    exited,
    kill9: async () => {
      if (alive) child.kill('SIGKILL');
      await exited;
    },
    term: async () => {
      if (alive) child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface Collector extends Proc {
  url: string;
}

export async function startCollector(options: {
  dataDir: string;
  port: number;
  configFile?: string;
  https?: boolean;
}): Promise<Collector> {
  const args = [COLLECTOR_JS, 'serve', '--data', options.dataDir, '--listen', `127.0.0.1:${options.port}`];
  if (options.configFile) args.push('--config', options.configFile);
  const proc = track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  await waitFor(
    `collector to listen on ${options.port}\n${proc.output()}`,
    () => /listening/i.test(proc.output()),
    20_000,
  );
  return { ...proc, url: `${options.https ? 'https' : 'http'}://127.0.0.1:${options.port}` };
}

export function collectorCli(dataDir: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [COLLECTOR_JS, ...args, '--data', dataDir], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function agentCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [AGENT_JS, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function createToken(dataDir: string, client = 'Northside Family Practice', site = 'Main St'): string {
  const r = collectorCli(dataDir, ['token', 'create', '--client', client, '--site', site, '--json']);
  if (r.code !== 0) throw new Error(`token create failed: ${r.stderr}${r.stdout}`);
  return (JSON.parse(r.stdout) as { token: string }).token;
}

export interface ExportedReport {
  seq: number;
  boot_id: string;
  ts: number;
  check: string;
  status: string;
}

export function exportHost(dataDir: string, host: string): ExportedReport[] {
  const r = collectorCli(dataDir, ['export', '--host', host, '--format', 'jsonl']);
  if (r.code !== 0) throw new Error(`export failed: ${r.stderr}${r.stdout}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ExportedReport);
}

export interface AgentConfigOptions {
  intervalMs?: number;
  /** Default: `state/` inside dir. */
  stateDir?: string;
  /** Private CA the agent trusts for the collector. */
  caFile?: string;
}

/**
 * An agent config: fast checks so a few seconds give many results, state in its own dir. Results go
 * out at once (gather 0s): with checks every 200 ms a 3 s gather would keep the buffer from ever
 * reading empty, which these tests wait for.
 */
export function writeAgentConfig(dir: string, options: AgentConfigOptions = {}): string {
  const file = join(dir, 'agent.yaml');
  writeFileSync(
    file,
    `hostname: e2e-host-${Math.random().toString(36).slice(2, 8)}
state_dir: ${options.stateDir ?? join(dir, 'state')}
log_level: info
collector:
  retry_max: 1s
  gather: 0s
${options.caFile ? `  ca_file: ${options.caFile}\n` : ''}builtin_checks: false
checks:
  - id: cpu
    kind: cpu
    interval: ${options.intervalMs ?? 200}ms
    sample: 0.1
    samples: 1
`,
  );
  return file;
}

export function enrollAgent(
  configFile: string,
  url: string,
  token: string,
): { code: number | null; stdout: string; stderr: string } {
  return agentCli(['enroll', '--url', url, '--token', token, '--config', configFile]);
}

export interface AgentStatus {
  buffer_depth: number;
  dropped_total: number;
  last_delivery_at: string | null;
}

export function agentStatus(configFile: string): AgentStatus {
  const r = agentCli(['status', '--json', '--config', configFile]);
  try {
    return JSON.parse(r.stdout) as AgentStatus;
  } catch {
    throw new Error(`vitals status failed (exit ${r.code}): ${r.stderr}`);
  }
}

export function hostnameOf(configFile: string): string {
  const text = spawnSync('grep', ['^hostname:', configFile], { encoding: 'utf8' }).stdout;
  return text.replace('hostname:', '').trim();
}

export function startAgent(configFile: string): Proc {
  return track(
    spawn(process.execPath, [AGENT_JS, 'run', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

/** Asserts nothing is missing or doubled: sequence numbers strictly increasing by one. */
export function gapsAndDuplicates(seqs: number[]): { gaps: number; duplicates: number } {
  const sorted = [...seqs].sort((a, b) => a - b);
  let gaps = 0;
  let duplicates = 0;
  for (let i = 1; i < sorted.length; i++) {
    const d = (sorted[i] as number) - (sorted[i - 1] as number);
    if (d === 0) duplicates++;
    else if (d > 1) gaps += d - 1;
  }
  return { gaps, duplicates };
}
