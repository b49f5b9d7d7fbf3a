// Runs the install scripts for real into a temporary root, against a real collector, with a small
// agent executable that runs the bundled agent (node agent/dist/vitals.js), and an HTTP front that
// serves /download/<file> like the collector does and passes everything else to the collector.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join, relative } from 'node:path';
import { AGENT_JS, ROOT } from '../e2e/harness.js';

export const LINUX_SH = join(ROOT, 'install-scripts/linux/install.sh');
export const MACOS_SH = join(ROOT, 'install-scripts/macos/install.sh');
export const WINDOWS_PS1 = join(ROOT, 'install-scripts/windows/install.ps1');

/** An agent executable: a shell script that runs the bundled agent with this Node. `tag` makes versions differ. */
export function writeAgentExecutable(file: string, tag = 'first'): string {
  writeFileSync(file, `#!/bin/sh\n# test build: ${tag}\nexec '${process.execPath}' '${AGENT_JS}' "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs an installer with sh (asynchronously: the test's own HTTP servers must keep answering), or a
 * whole command line with shell (script and args are then unused); as another user with asUid,
 * with PATH set to path.
 */
export function runScript(
  script: string,
  args: string[],
  options: { asUid?: number; shell?: string; path?: string } = {},
): Promise<Run> {
  const base = options.shell !== undefined ? ['sh', '-c', options.shell] : ['sh', script, ...args];
  const command =
    options.asUid === undefined
      ? base
      : ['setpriv', `--reuid=${options.asUid}`, `--regid=${options.asUid}`, '--clear-groups', ...base];
  const child = spawn(command[0] as string, command.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...(options.path === undefined ? {} : { PATH: options.path }) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every path under dir (relative, sorted), symlinks not followed. */
export function walk(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      out.push(relative(dir, p));
      if (lstatSync(p).isDirectory()) visit(p);
    }
  };
  visit(dir);
  return out.sort();
}

export function mode(file: string): number {
  return lstatSync(file).mode & 0o777;
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export interface Front {
  url: string;
  /** Files served as /download/<name>; a name not in it answers 404. */
  downloads: Map<string, string>;
  requests: string[];
  close: () => Promise<void>;
}

/** An HTTP server on 127.0.0.1 that serves downloads and forwards every other request to the collector. */
export async function startFront(collectorUrl: string): Promise<Front> {
  const downloads = new Map<string, string>();
  const requests: string[] = [];
  const target = new URL(collectorUrl);
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const m = /^\/download\/([^/?]+)$/.exec(req.url ?? '');
    if (m) {
      const file = downloads.get(m[1] as string);
      if (!file) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"no such download"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (e) => res.writeHead(502).end(String(e)));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    downloads,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A gzip tarball laid out like the macOS build: vitals/bin/vitals (+ the runtime, here a stand-in). */
export function writeMacTarball(dir: string, agentExecutable: string): string {
  const stage = join(dir, 'stage');
  mkdirSync(join(stage, 'vitals/bin'), { recursive: true });
  writeFileSync(join(stage, 'vitals/bin/vitals'), readFileSync(agentExecutable), { mode: 0o755 });
  writeFileSync(join(stage, 'vitals/vitals.mjs'), '// stand-in for the bundle\n');
  const file = join(dir, 'vitals-macos-x64.tar.gz');
  const r = spawnSync('tar', ['-czf', file, '-C', stage, 'vitals'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
  return file;
}

/** The unit's ExecStart= as an argument list (the installer writes paths without spaces or quotes). */
export function execStartOf(unitText: string): string[] {
  const line = unitText.split('\n').find((l) => l.startsWith('ExecStart='));
  if (!line) throw new Error('the unit has no ExecStart=');
  return line.slice('ExecStart='.length).trim().split(/\s+/);
}

/** Every path under dir with its mode and content hash (a link: its target), to compare a tree byte for byte. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of walk(dir)) {
    const file = join(dir, p);
    const st = lstatSync(file);
    const what = st.isSymbolicLink() ? `-> ${readlinkSync(file)}` : st.isDirectory() ? 'dir' : sha256(file);
    out[p] = `${(st.mode & 0o7777).toString(8)} ${what}`;
  }
  return out;
}

/**
 * A folder for PATH with every command of the system's bin folders but sudo (a machine without
 * sudo), and `extra` scripts (name → body) in front of them.
 */
export function pathWithoutSudo(dir: string, extra: Record<string, string> = {}): string {
  mkdirSync(dir, { recursive: true });
  for (const bin of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    let names: string[];
    try {
      names = readdirSync(bin);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name === 'sudo' || existsSync(join(dir, name))) continue;
      symlinkSync(join(bin, name), join(dir, name));
    }
  }
  for (const [name, body] of Object.entries(extra)) {
    rmSync(join(dir, name), { force: true });
    writeFileSync(join(dir, name), body, { mode: 0o755 });
  }
  return dir;
}
