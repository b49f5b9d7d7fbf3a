// The system under soak: one `vitals-collector serve`, several `vitals run` agents each watching a
// process, one agent's state dir on a tiny tmpfs. Starts, kills and restarts each part, and runs
// the CLIs without blocking the event loop (the SMTP and webhook receivers live in this process).
import { execFile, spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
// Overridable to soak a deliberately broken bundle (a mutation check: the soak must fail on it).
export const AGENT_JS = process.env.VITALS_SOAK_AGENT_JS ?? join(root, 'agent/dist/vitals.js');
export const COLLECTOR_JS = process.env.VITALS_SOAK_COLLECTOR_JS ?? join(root, 'collector/dist/vitals-collector.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The collector's routing.group_wait in the soak (collectorYaml): alerts shorter than it stay quiet. */
export const GROUP_WAIT_MS = 1000;

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A child process we start, kill and restart. An exit we did not cause is recorded in `crashes`
 * (a finding: nothing in the soak should make a part die by itself).
 */
class Part {
  constructor(name, command, args, logFile, crashes) {
    Object.assign(this, { name, command, args, logFile, crashes });
    this.child = null;
    /** Each run of the process: { start, end, signal } (end null while it runs). */
    this.lives = [];
  }

  start() {
    const fd = openSync(this.logFile, 'a');
    const child = spawn(this.command, this.args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.expectedExit = false;
    const life = { start: Date.now(), end: null, signal: null };
    this.lives.push(life);
    child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    void child.exited.then(({ code, signal }) => {
      Object.assign(life, { end: Date.now(), signal: signal ?? `exit ${code}` });
      if (!child.expectedExit) this.crashes.push({ part: this.name, at: Date.now(), code, signal, log: this.logFile });
      if (this.child === child) this.child = null;
    });
    this.child = child;
    return child;
  }

  get running() {
    return this.child !== null;
  }

  async signal(sig, timeoutMs = 15_000) {
    const child = this.child;
    if (!child) return null;
    child.expectedExit = true;
    child.kill(sig);
    const timer = sleep(timeoutMs).then(() => 'timeout');
    const result = await Promise.race([child.exited, timer]);
    if (result === 'timeout') {
      child.kill('SIGKILL');
      return { ...(await child.exited), timedOut: true };
    }
    return result;
  }
}

export class Cluster {
  /** options: dir, agents, diskAgent (index or null), diskSize ('2m'), smtpPort, hookUrl, names */
  constructor(options) {
    Object.assign(this, options);
    this.crashes = [];
    this.agentParts = [];
    this.processParts = [];
    this.agentConfigs = [];
    this.stateDirs = [];
    this.hostnames = [];
    this.dataDir = join(this.dir, 'collector-data');
    this.collectorConfig = join(this.dir, 'collector.yaml');
    this.fillFile = null;
    this.mounted = null;
    this.links = [];
  }

  async setup() {
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    writeFileSync(this.collectorConfig, collectorYaml(this));
    this.collector = new Part(
      'collector',
      process.execPath,
      [
        COLLECTOR_JS,
        'serve',
        '--config',
        this.collectorConfig,
        '--data',
        this.dataDir,
        '--listen',
        `127.0.0.1:${this.port}`,
      ],
      join(this.dir, 'collector.log'),
      this.crashes,
    );
    await this.startCollector();
    const token = JSON.parse(
      (await this.collectorCli(['token', 'create', '--client', 'Soak Family Practice', '--site', 'Main St', '--json']))
        .stdout,
    ).token;
    mkdirSync(join(this.dir, 'bin'), { recursive: true });
    for (let i = 0; i < this.agents; i++) {
      const host = `soak-${String(i + 1).padStart(2, '0')}`;
      const agentDir = join(this.dir, host);
      const stateDir = join(agentDir, 'state');
      mkdirSync(stateDir, { recursive: true });
      if (i === this.diskAgent) {
        await run('mount', ['-t', 'tmpfs', '-o', `size=${this.diskSize},mode=0700`, 'tmpfs', stateDir]);
        this.mounted = stateDir;
      }
      // The process check matches the executable name (comm): a uniquely named copy of sleep.
      const exe = join(this.dir, 'bin', this.names[i]);
      copyFileSync('/bin/sleep', exe);
      const config = join(agentDir, 'agent.yaml');
      writeFileSync(config, agentYaml(host, stateDir, this.names[i]));
      const { url } = await this.startLink();
      await this.agentCli(['enroll', '--url', url, '--token', token, '--config', config]);
      this.hostnames.push(host);
      this.stateDirs.push(stateDir);
      this.agentConfigs.push(config);
      this.processParts.push(new Part(`process ${host}`, exe, ['100000'], '/dev/null', this.crashes));
      this.agentParts.push(
        new Part(
          `agent ${host}`,
          process.execPath,
          [AGENT_JS, 'run', '--config', config],
          join(this.dir, `${host}.log`),
          this.crashes,
        ),
      );
    }
    for (const p of this.processParts) p.start();
    for (const a of this.agentParts) a.start();
  }

  async startCollector() {
    this.collector.start();
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return;
      } catch {}
      if (!this.collector.running)
        throw new Error(`the collector exited while starting; see ${this.collector.logFile}`);
      if (Date.now() > deadline) throw new Error(`the collector did not answer /healthz in 30 s`);
      await sleep(100);
    }
  }

  killCollector() {
    return this.collector.signal('SIGKILL');
  }

  startAgent(i) {
    if (!this.agentParts[i].running) this.agentParts[i].start();
  }

  killAgent(i) {
    return this.agentParts[i].signal('SIGKILL');
  }

  startProcess(i) {
    if (!this.processParts[i].running) this.processParts[i].start();
  }

  killProcess(i) {
    return this.processParts[i].signal('SIGKILL');
  }

  /**
   * Each agent reaches the collector through its own TCP relay in this process. A relay can be cut
   * (the full-disk agent's, so its buffer has to grow while the disk refuses it), or lose responses:
   * the collector stores a batch, the agent never hears so, and sends it again (the dedupe's test).
   */
  async startLink() {
    const link = { cut: false, loseResponses: false, sockets: new Set(), lost: 0 };
    link.server = createServer((client) => {
      if (link.cut) return client.destroy();
      const upstream = connect(this.port, '127.0.0.1');
      const both = [client, upstream];
      for (const s of both) {
        link.sockets.add(s);
        s.on('error', () => {
          for (const x of both) x.destroy();
        });
        s.on('close', () => {
          link.sockets.delete(s);
          for (const x of both) x.destroy();
        });
      }
      client.pipe(upstream);
      upstream.on('data', (chunk) => {
        if (link.loseResponses) {
          link.lost++;
          for (const x of both) x.destroy();
        } else client.write(chunk);
      });
    });
    await new Promise((resolve) => link.server.listen(0, '127.0.0.1', resolve));
    link.url = `http://127.0.0.1:${link.server.address().port}`;
    this.links.push(link);
    return link;
  }

  cutLink(i) {
    const link = this.links[i];
    link.cut = true;
    for (const socket of link.sockets) socket.destroy();
  }

  restoreLink(i) {
    this.links[i].cut = false;
  }

  loseResponses(i, on) {
    this.links[i].loseResponses = on;
  }

  /**
   * Cuts the agent's link and fills the tmpfs state dir to the last byte: its buffer cannot grow
   * (SQLite reuses the pages it already has, so a full disk alone would not bite).
   */
  fillDisk() {
    this.cutLink(this.diskAgent);
    this.fillFile = join(this.mounted, 'fill');
    const fd = openSync(this.fillFile, 'a');
    let filled = 0;
    try {
      for (const size of [65536, 4096, 512]) {
        const chunk = Buffer.alloc(size);
        for (;;) {
          try {
            filled += writeSync(fd, chunk);
          } catch (error) {
            if (error.code === 'ENOSPC') break;
            throw error;
          }
        }
      }
    } finally {
      closeSync(fd);
    }
    return filled;
  }

  freeDisk() {
    if (this.fillFile) rmSync(this.fillFile, { force: true });
    this.fillFile = null;
    this.restoreLink(this.diskAgent);
  }

  collectorCli(args, timeout = 60_000) {
    return run(process.execPath, [COLLECTOR_JS, ...args, '--config', this.collectorConfig, '--data', this.dataDir], {
      timeout,
      maxBuffer: 1 << 30,
    });
  }

  agentCli(args) {
    return run(process.execPath, [AGENT_JS, ...args], { timeout: 30_000 });
  }

  async agentStatus(i) {
    try {
      return JSON.parse((await this.agentCli(['status', '--json', '--config', this.agentConfigs[i]])).stdout);
    } catch (error) {
      // `status` exits 1 while the last delivery failed, and still prints its JSON.
      if (error.stdout) return JSON.parse(error.stdout);
      throw error;
    }
  }

  /** Clean stop of everything still running; returns what did not stop within its grace period. */
  async stopAll() {
    const slow = [];
    for (const a of this.agentParts) if ((await a.signal('SIGTERM'))?.timedOut) slow.push(a.name);
    if ((await this.collector.signal('SIGTERM'))?.timedOut) slow.push('collector');
    for (const p of this.processParts) await p.signal('SIGKILL');
    return slow;
  }

  /** Best effort, also after a crash of the soak itself. */
  async teardown() {
    for (const part of [...this.agentParts, this.collector, ...this.processParts]) {
      if (part?.child) {
        part.child.expectedExit = true;
        part.child.kill('SIGKILL');
      }
    }
    for (const link of this.links) {
      link.server.close();
      for (const socket of link.sockets) socket.destroy();
    }
    if (this.mounted) {
      await sleep(200);
      await run('umount', ['-l', this.mounted]).catch(() => {});
      this.mounted = null;
    }
  }
}

// Short timings so alerts fire and resolve within seconds; both channels get every alert.
function collectorYaml(c) {
  return `alerting:
  evaluate_every: 1s
  route_every: 500ms
  routing:
    group_wait: ${GROUP_WAIT_MS / 1000}s
    group_interval: 2s
notifications:
  dashboard_url: http://127.0.0.1:${c.port ?? 8470}
  retry:
    initial: 1s
    max: 5s
  channels:
    oncall:
      type: email
      smtp:
        host: 127.0.0.1
        port: ${c.smtpPort}
        secure: false
        starttls: false
        timeout: 5s
      from: vitals@msp.example
      to: [oncall@msp.example]
    psa:
      type: webhook
      url: ${c.hookUrl}
      secret: soak-signing-key-0123456789
  default_channels: [oncall, psa]
`;
}

function agentYaml(host, stateDir, processName) {
  return `hostname: ${host}
state_dir: ${stateDir}
log_level: info
collector:
  retry_max: 1s
  timeout: 10s
  gather: 0s
builtin_checks: false
checks:
  - id: cpu
    kind: cpu
    interval: 1s
  - id: memory
    kind: memory
    interval: 1s
  - id: app
    kind: process
    interval: 1s
    processes: [${processName}]
    sample: 0
`;
}
