// Smoke tests on the built agent files (scripts/build-agent.mjs): the Linux single executable
// checks, enrolls to a real collector and delivers; the Windows one runs under Wine; the macOS
// tarballs hold the contract's layout and their bundle + launcher run on the same Node runtime.
// Builds dist/agent/ first unless it is newer than every source it is made from.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRuntime, NODE_VERSION } from '../../scripts/node-runtimes.mjs';
import {
  cleanupAll,
  collectorCli,
  createToken,
  exportHost,
  freePort,
  hostnameOf,
  ROOT,
  startCollector,
  tempDir,
  waitFor,
  writeAgentConfig,
} from './harness.js';

const OUT = join(ROOT, 'dist/agent');
const FILES = ['vitals-linux-x64', 'vitals-win-x64.exe', 'vitals-macos-arm64.tar.gz', 'vitals-macos-x64.tar.gz'];
const LINUX = join(OUT, 'vitals-linux-x64');
const WINDOWS = join(OUT, 'vitals-win-x64.exe');
const WINE = '/usr/lib/wine/wine64';
const { version: VERSION } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const EXPECTED_CHECKS = ['cpu', 'disk', 'memory', 'uptime'];

// pnpm exec puts its store on NODE_PATH; the executables must manage without it.
const { NODE_PATH: _nodePath, ...CLEAN_ENV } = process.env;

function newestSource(): number {
  let newest = 0;
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else if (!p.endsWith('.test.ts')) newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of [
    'agent/src',
    'shared/src',
    'scripts/build-agent.mjs',
    'scripts/node-runtimes.mjs',
    'pnpm-lock.yaml',
  ]) {
    walk(join(ROOT, p));
  }
  return newest;
}

function freshBuild(): boolean {
  const paths = FILES.map((f) => join(OUT, f));
  if (!paths.every((p) => existsSync(p))) return false;
  return Math.min(...paths.map((p) => statSync(p).mtimeMs)) > newestSource();
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeout = 60_000,
): { code: number | null; stdout: string; stderr: string; ms: number } {
  const started = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, env: { ...CLEAN_ENV, ...env }, cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

/**
 * Like run(), with stdout and stderr going to files: under Wine 8, Node cannot open a Unix pipe as
 * its stdout (EBADF in net.Socket), a Wine limitation that real Windows (consoles, files, pipes) lacks.
 */
function runToFiles(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeout = 60_000) {
  const dir = tempDir('vitals-out-');
  const [out, err] = [join(dir, 'stdout'), join(dir, 'stderr')];
  const fds = [openSync(out, 'w'), openSync(err, 'w')] as const;
  const started = performance.now();
  try {
    const r = spawnSync(cmd, args, { stdio: ['ignore', fds[0], fds[1]], timeout, env: { ...CLEAN_ENV, ...env } });
    return {
      code: r.status,
      stdout: readFileSync(out, 'utf8'),
      stderr: readFileSync(err, 'utf8'),
      ms: performance.now() - started,
    };
  } finally {
    closeSync(fds[0]);
    closeSync(fds[1]);
  }
}

interface CheckReport {
  status: string;
  exit_code: number;
  results: { check: string; status: string; message: string }[];
}

function expectCheckReport(r: { code: number | null; stdout: string; stderr: string }): CheckReport {
  let report: CheckReport;
  try {
    report = JSON.parse(r.stdout) as CheckReport;
  } catch {
    throw new Error(`check --json printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  expect(report.results.map((c) => c.check).sort()).toEqual(EXPECTED_CHECKS);
  expect(r.code).toBe(report.exit_code);
  expect(r.stderr).not.toMatch(/ExperimentalWarning|Error/);
  return report;
}

beforeAll(() => {
  if (freshBuild()) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-agent.mjs')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: CLEAN_ENV,
  });
}, 300_000);
afterAll(() => cleanupAll());

describe('agent builds', () => {
  it('are all there, at executable sizes', () => {
    for (const f of FILES) expect(statSync(join(OUT, f)).size, f).toBeGreaterThan(20e6);
    expect(statSync(LINUX).mode & 0o111).not.toBe(0);
    const sums = readFileSync(join(OUT, 'SHA256SUMS'), 'utf8');
    for (const f of FILES) expect(sums).toMatch(new RegExp(`^[0-9a-f]{64}  ${f.replace(/\./g, '\\.')}$`, 'm'));
  });
});

describe('Linux single executable', () => {
  it('prints its version and checks this machine', () => {
    const v = run(LINUX, ['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(VERSION);
    const report = expectCheckReport(run(LINUX, ['check', '--json']));
    expect(report.results.find((c) => c.check === 'cpu')?.status).not.toBe('UNKNOWN');
  });

  it('enrolls to a real collector, delivers its reports through node:sqlite, and stops cleanly', async () => {
    const dir = tempDir('vitals-sea-');
    const data = join(dir, 'data');
    const collector = await startCollector({ dataDir: data, port: await freePort() });
    const config = writeAgentConfig(dir);
    const enroll = run(LINUX, ['enroll', '--url', collector.url, '--token', createToken(data), '--config', config]);
    expect(enroll.code, enroll.stderr + enroll.stdout).toBe(0);

    const agent: ChildProcess = spawn(LINUX, ['run', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: CLEAN_ENV,
    });
    let output = '';
    agent.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    agent.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => agent.once('exit', (code) => resolve(code)));
    try {
      const host = hostnameOf(config);
      const reports = await waitFor(
        `reports from the executable in the collector\n${output}`,
        () => {
          const rows = exportHost(data, host);
          return rows.length >= 5 ? rows : undefined;
        },
        30_000,
        500,
      );
      expect(reports.every((r) => r.check === 'cpu')).toBe(true);
      const agents = collectorCli(data, ['agents', '--json']);
      expect(agents.code).toBe(0);
      const row = (
        JSON.parse(agents.stdout) as { hostname: string; last_seen: string | null; last_seq: number }[]
      ).find((a) => a.hostname === host);
      expect(row?.last_seen).toBeTruthy();
      expect(row?.last_seq).toBeGreaterThan(0);
      const status = run(LINUX, ['status', '--json', '--config', config]);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)).toHaveProperty('buffer_depth');
    } finally {
      agent.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).not.toMatch(/ExperimentalWarning/);
    // The buffer node:sqlite wrote is an ordinary SQLite file (an upgrade from the Node build keeps it).
    const db = new Database(join(dir, 'state', 'buffer.sqlite'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare("SELECT count(*) AS n FROM meta WHERE key = 'last_delivery_at'").get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
    await collector.term();
  }, 90_000);
});

describe('Windows single executable under Wine', () => {
  const prefix = tempDir('vitals-wineprefix-');
  const wineEnv = { WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };

  beforeAll(() => {
    // A fresh prefix costs ~15 s once (wineboot); Node needs Wine to report Windows 10 (8.1+).
    const boot = run(WINE, ['wineboot', '--init'], wineEnv, 120_000);
    expect(boot.code, boot.stderr).toBe(0);
    const cfg = run(WINE, ['winecfg', '-v', 'win10'], wineEnv, 120_000);
    expect(cfg.code, cfg.stderr).toBe(0);
  }, 240_000);
  afterAll(() => {
    run('/usr/lib/wine/wineserver', ['-k'], wineEnv);
  });

  it("carries no stale Authenticode signature (the runtime's was removed before injection)", () => {
    const runtime = ensureRuntime('win-x64').bin;
    expect(peSecurityDirectory(runtime).size).toBeGreaterThan(0);
    expect(peSecurityDirectory(WINDOWS)).toEqual({ pe32plus: true, offset: 0, size: 0 });
    const exe = readFileSync(WINDOWS);
    expect(exe.includes(Buffer.from('NODE_SEA_BLOB', 'utf16le'))).toBe(true);
    expect(exe.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1')).toBe(true);
  });

  it('prints its version', () => {
    const v = runToFiles(WINE, [WINDOWS, '--version'], wineEnv);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(VERSION);
  }, 60_000);

  it('runs check --json as a Windows program', () => {
    // Wine has no real PowerShell, so the PowerShell-backed readers time out (UNKNOWN, 15 s); CPU is read directly.
    const report = expectCheckReport(runToFiles(WINE, [WINDOWS, 'check', '--json'], wineEnv, 90_000));
    const cpu = report.results.find((c) => c.check === 'cpu');
    expect(cpu?.status).not.toBe('UNKNOWN');
  }, 120_000);
});

/** The PE's certificate-table directory entry (file offset, size) and whether it is PE32+. */
function peSecurityDirectory(file: string): { pe32plus: boolean; offset: number; size: number } {
  const b = readFileSync(file);
  const pe = b.readUInt32LE(0x3c);
  expect(b.toString('latin1', pe, pe + 4)).toBe('PE\0\0');
  const opt = pe + 24;
  const pe32plus = b.readUInt16LE(opt) === 0x20b;
  const dir = opt + (pe32plus ? 112 : 96) + 4 * 8; // data directory 4 = IMAGE_DIRECTORY_ENTRY_SECURITY
  return { pe32plus, offset: b.readUInt32LE(dir), size: b.readUInt32LE(dir + 4) };
}

function machO(file: string): string {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(8);
  readSync(fd, head, 0, 8, 0);
  closeSync(fd);
  if (head.readUInt32LE(0) !== 0xfeedfacf) return 'not Mach-O 64';
  const cpu = head.readUInt32LE(4);
  return cpu === 0x0100000c ? 'arm64' : cpu === 0x01000007 ? 'x64' : `cpu ${cpu.toString(16)}`;
}

describe('macOS tarballs', () => {
  for (const arch of ['arm64', 'x64']) {
    it(`${arch}: vitals/ with the launcher, the ${arch} Node runtime and the bundle`, () => {
      const tarball = join(OUT, `vitals-macos-${arch}.tar.gz`);
      const listing = execFileSync('tar', ['-tvzf', tarball], { encoding: 'utf8' });
      const names = listing
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/).pop());
      for (const f of ['vitals/bin/vitals', 'vitals/node', 'vitals/vitals.mjs']) expect(names).toContain(f);
      expect(listing).toMatch(/^-rwxr-xr-x 0\/0 .* vitals\/node$/m);
      expect(listing).toMatch(/^-rwxr-xr-x 0\/0 .* vitals\/bin\/vitals$/m);
      const dir = tempDir('vitals-macos-');
      execFileSync('tar', ['-xzf', tarball, '-C', dir]);
      expect(machO(join(dir, 'vitals/node'))).toBe(arch);
      expect(readFileSync(join(dir, 'vitals/VERSION'), 'utf8')).toContain(`node ${NODE_VERSION}`);
    });
  }

  it('the launcher and bundle run on the same Node version (Linux build standing in), through a symlink', () => {
    const dir = tempDir('vitals-macos-run-');
    execFileSync('tar', ['-xzf', join(OUT, 'vitals-macos-arm64.tar.gz'), '-C', dir]);
    copyFileSync(ensureRuntime('linux-x64').bin, join(dir, 'vitals/node'));
    mkdirSync(join(dir, 'usr-local-bin'));
    const link = join(dir, 'usr-local-bin', 'vitals');
    symlinkSync(join(dir, 'vitals/bin/vitals'), link);
    const v = run(link, ['--version']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(VERSION);
    expectCheckReport(run(link, ['check', '--json']));
  }, 60_000);
});
