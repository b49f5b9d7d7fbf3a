// The README's demo: a collector on embedded SQLite plus an agent on this machine enrolled to it,
// in one command. Ctrl-C stops both cleanly; the data stays in .vitals-demo/ for a next run.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

const collector = spawn(process.execPath, [collectorJs, 'serve', '--data', data, '--listen', `127.0.0.1:${port}`], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let collectorLog = '';
collector.stdout.on('data', (d) => (collectorLog += d.toString()));
const deadline = Date.now() + 20_000;
while (!/listening/i.test(collectorLog)) {
  if (collector.exitCode !== null || Date.now() > deadline) {
    console.error(`the collector did not start (is port ${port} taken? set VITALS_DEMO_PORT):\n${collectorLog}`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 100));
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
  const token = JSON.parse(
    execFileSync(
      process.execPath,
      [collectorJs, 'token', 'create', '--client', 'Demo Practice', '--site', 'Front office', '--json', '--data', data],
      {
        encoding: 'utf8',
      },
    ),
  ).token;
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
});

const cli = (args) => `node collector/dist/vitals-collector.js ${args} --data .vitals-demo/data`;
console.log(`
Vitals demo is running.
  dashboard     ${url}/
  login         ${adminEmail}   password ${adminPassword}   (admin; kept in .vitals-demo/admin-password)
  collector     ${url}   (health: ${url}/healthz, metrics: ${url}/metrics)
  data          ${data} (SQLite)
  agent         node agent/dist/vitals.js status --config .vitals-demo/agent.yaml

Look at what arrives (in another terminal):
  ${cli('agents')}
  ${cli('alerts --all')}                # what the rules raised (heartbeat, disk, cpu …)
  node collector/dist/vitals-collector.js config reference   # every rule and threshold, with defaults
  ${cli(`export --host ${spawnSync('hostname', { encoding: 'utf8' }).stdout.trim()} --format csv`)}
  node agent/dist/vitals.js check          # this machine, right now, in plain words

Ctrl-C stops the agent and the collector.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  agent.kill('SIGTERM');
  await new Promise((r) => (agent.exitCode !== null ? r() : agent.once('exit', r)));
  collector.kill('SIGTERM');
  await new Promise((r) => (collector.exitCode !== null ? r() : collector.once('exit', r)));
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
collector.on('exit', (code) => {
  if (!stopping) {
    console.error(`the collector stopped unexpectedly (exit ${code})`);
    agent.kill('SIGTERM');
    process.exit(1);
  }
});
