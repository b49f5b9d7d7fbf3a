// The README's demo: a collector on embedded SQLite plus an agent on this machine enrolled to it,
// in one command, plus a made-up server with a few days of labelled demo history. Ctrl-C stops all
// cleanly; the data stays in .vitals-demo/ for a next run.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backlog, DEMO_HOSTNAME, demoResults, enrollDemoServer, HISTORY_DAYS, postReports } from './demo-history.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const demo = process.env.VITALS_DEMO_DIR ?? join(root, '.vitals-demo');
const data = join(demo, 'data');
const agentConfig = join(demo, 'agent.yaml');
const port = Number(process.env.VITALS_DEMO_PORT ?? 8470);
const url = `http://127.0.0.1:${port}`;
const collectorJs = join(root, 'collector/dist/vitals-collector.js');
const agentJs = join(root, 'agent/dist/vitals.js');

// The demo test skips the build: the suite has built the bundles once already.
if (!process.env.VITALS_DEMO_NO_BUILD)
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
mkdirSync(demo, { recursive: true });

// Children get their own process group: a terminal's Ctrl-C reaches only this script, which stops
// the agent first (its last batch says "stopping", so the collector marks it offline), then the collector.
const children = new Set();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
const ended = (c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', r)));

let collector;
let stopping = false;
async function startCollector() {
  const child = spawn(process.execPath, [collectorJs, 'serve', '--data', data, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  children.add(child);
  let log = '';
  child.stdout.on('data', (d) => (log += d.toString()));
  const deadline = Date.now() + 20_000;
  while (!/listening/i.test(log)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      console.error(`the collector did not start (is port ${port} taken? set VITALS_DEMO_PORT):\n${log}`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.on('exit', (code) => {
    if (!stopping && child === collector) {
      console.error(`the collector stopped unexpectedly (exit ${code})`);
      process.exit(1);
    }
  });
  collector = child;
}
await startCollector();

const collectorCli = (args) =>
  execFileSync(process.execPath, [collectorJs, ...args, '--data', data], { encoding: 'utf8' });
const tokenFor = (site) =>
  JSON.parse(collectorCli(['token', 'create', '--client', 'Demo Practice', '--site', site, '--json'])).token;

// The demo server's history: enrolled once (kept in demo-server.json with its sequence number), then
// only the gap since its last report is filled, so a re-run never seeds twice.
const serverFile = join(demo, 'demo-server.json');
const server = existsSync(serverFile)
  ? JSON.parse(readFileSync(serverFile, 'utf8'))
  : await enrollDemoServer(url, tokenFor('Server room'));
const saveServer = () => writeFileSync(serverFile, `${JSON.stringify(server)}\n`, { mode: 0o600 });
saveServer();
const seededAt = Date.now();
const history = backlog(server, seededAt);
await postReports(url, server, history);
saveServer();
// Past hours are charted from hourly rollups, which the collector computes when it starts (then every
// 5 min): a restart after seeding makes the 7 d and 30 d charts full on first look.
if (history.some((r) => r.ts < seededAt - (seededAt % 3_600_000))) {
  const old = collector;
  collector = undefined;
  old.kill('SIGTERM');
  await ended(old);
  await startCollector();
}

if (!existsSync(agentConfig)) {
  writeFileSync(
    agentConfig,
    `# Demo agent: the built-in checks (cpu, memory, every real disk, uptime) every 60 s.
state_dir: ${join(demo, 'agent-state')}
log_level: info
`,
  );
}
if (!existsSync(join(demo, 'agent-state', 'identity.json'))) {
  const token = tokenFor('Front office');
  execFileSync(process.execPath, [agentJs, 'enroll', '--url', url, '--token', token, '--config', agentConfig], {
    stdio: 'inherit',
  });
}
// A first admin for the dashboard; its generated password is kept (mode 0600) so a next run can print it again.
const adminEmail = 'admin@demo.local';
const adminPasswordFile = join(demo, 'admin-password');
if (!existsSync(adminPasswordFile)) {
  const created = JSON.parse(
    execFileSync(
      process.execPath,
      [
        collectorJs,
        'user',
        'add',
        adminEmail,
        '--role',
        'admin',
        '--name',
        'Demo Admin',
        '--generate-password',
        '--json',
        '--data',
        data,
      ],
      { encoding: 'utf8' },
    ),
  );
  writeFileSync(adminPasswordFile, `${created.password}\n`, { mode: 0o600 });
}
const adminPassword = readFileSync(adminPasswordFile, 'utf8').trim();

const agent = spawn(process.execPath, [agentJs, 'run', '--config', agentConfig], {
  stdio: ['ignore', 'ignore', 'inherit'],
  detached: true,
});
children.add(agent);

// The demo server reports every minute while the demo runs, as a real agent would.
let feeding = Promise.resolve();
const feed = setInterval(() => {
  feeding = feeding
    .then(async () => {
      await postReports(url, server, demoResults(Date.now(), server.start));
      saveServer();
    })
    .catch((error) => console.error(`the demo server's report was not delivered: ${error.message}`));
}, 60_000);

const cli = (args) => `node collector/dist/vitals-collector.js ${args} --data .vitals-demo/data`;
console.log(`
Vitals demo is running.
  dashboard     ${url}/
  login         ${adminEmail}   password ${adminPassword}   (admin; kept in .vitals-demo/admin-password)
  collector     ${url}   (health: ${url}/healthz, metrics: ${url}/metrics)
  data          ${data} (SQLite)
  agent         node agent/dist/vitals.js status --config .vitals-demo/agent.yaml
  demo data     "${DEMO_HOSTNAME}": a made-up server with ${HISTORY_DAYS} days of history (site "Server room"),
                fed through the ingest API; its D: fills slowly, so its page shows a disk forecast

Look at what arrives (in another terminal):
  ${cli('agents')}
  ${cli('alerts --all')}                # what the rules raised (heartbeat, disk, cpu …)
  node collector/dist/vitals-collector.js config reference   # every rule and threshold, with defaults
  ${cli(`export --host ${spawnSync('hostname', { encoding: 'utf8' }).stdout.trim()} --format csv`)}
  node agent/dist/vitals.js check          # this machine, right now, in plain words

Ctrl-C stops the agent and the collector (both hosts then show "offline").
`);

const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(feed);
  await feeding;
  agent.kill('SIGTERM');
  // The demo server signs off too, so both hosts show "offline" (stopped cleanly), not "silent".
  await postReports(url, server, [], 'stopping')
    .then(saveServer)
    .catch((error) => console.error(`the demo server's sign-off was not delivered: ${error.message}`));
  await ended(agent);
  collector.kill('SIGTERM');
  await ended(collector);
  console.log('Vitals demo stopped; its data stays in .vitals-demo/ for a next run.');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
agent.on('exit', (code) => {
  if (!stopping) console.error(`the demo agent stopped unexpectedly (exit ${code})`);
});
