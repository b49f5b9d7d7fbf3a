#!/usr/bin/env node
// Builds the agent as files an MSP can install on machines without Node (SPEC §6, contract):
//   dist/agent/vitals-linux-x64          Node single executable (SEA), Node 22 LTS inside
//   dist/agent/vitals-win-x64.exe        the same, for Windows (built here on Linux)
//   dist/agent/vitals-macos-arm64.tar.gz the Node runtime as signed upstream + the bundle + a launcher:
//   dist/agent/vitals-macos-x64.tar.gz   vitals/bin/vitals, vitals/node, vitals/vitals.mjs
// The runtimes come from the npm registry's node-* packages (scripts/node-runtimes.mjs, integrity
// pinned). SQLite inside the executables is the runtime's node:sqlite (agent/src/buffer/sqlite.ts).
//
// Usage: node scripts/build-agent.mjs [--targets linux-x64,win-x64,macos-arm64,macos-x64] [--no-strip]
// Windows signing: the upstream Authenticode signature is removed before injection (it would no
// longer match); with VITALS_WIN_SIGN_CERT and VITALS_WIN_SIGN_KEY (PEM files) the exe is re-signed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { makeBundleAscii } from './ascii-bundle.mjs';
import { ensureRuntime, NODE_VERSION, ROOT } from './node-runtimes.mjs';
import { ensureShawl } from './shawl.mjs';

const require = createRequire(import.meta.url);
const { inject } = require('postject');

// Node's SEA fuse: the string postject flips so the runtime looks for the injected blob.
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const ALL_TARGETS = ['linux-x64', 'win-x64', 'macos-arm64', 'macos-x64'];

const { values: opts } = parseArgs({
  options: {
    targets: { type: 'string', default: ALL_TARGETS.join(',') },
    'no-strip': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  process.stdout.write(
    `usage: node scripts/build-agent.mjs [--targets ${ALL_TARGETS.join(',')}] [--no-strip]\n` +
      'Builds the agent executables into dist/agent/ (Node runtimes from the npm registry, cached in .cache/).\n',
  );
  process.exit(0);
}
const targets = opts.targets.split(',').map((t) => t.trim());
for (const t of targets) {
  if (!ALL_TARGETS.includes(t)) {
    process.stderr.write(`build-agent: unknown target "${t}" (known: ${ALL_TARGETS.join(', ')})\n`);
    process.exit(2);
  }
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  process.stderr.write('build-agent: builds on linux-x64 only (it runs the Linux runtime to make the SEA blob)\n');
  process.exit(2);
}

const OUT = join(ROOT, 'dist', 'agent');
const WORK = join(OUT, '.build');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const log = (line) => process.stderr.write(`build-agent: ${line}\n`);
const rows = [];

function has(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function timed(file, fn) {
  const started = performance.now();
  await fn();
  rows.push({ file, bytes: statSync(join(OUT, file)).size, seconds: (performance.now() - started) / 1000 });
}

const common = {
  entryPoints: [join(ROOT, 'agent/src/main.ts')],
  bundle: true,
  platform: 'node',
  target: `node${NODE_VERSION.split('.')[0]}`,
  // The executables use node:sqlite; better-sqlite3 is only ever loaded lazily in development.
  external: ['better-sqlite3'],
  legalComments: 'none',
  logLevel: 'warning',
};

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const started = performance.now();

// 1. Bundles. The SEA main script must be CommonJS (Node 22); import.meta.url is rebuilt from __filename.
const seaBundle = join(WORK, 'vitals-sea.cjs');
const macBundle = join(WORK, 'vitals.mjs');
const bundleStarted = performance.now();
await Promise.all([
  build({
    ...common,
    outfile: seaBundle,
    format: 'cjs',
    define: { __VITALS_VERSION__: JSON.stringify(version), 'import.meta.url': '__vitals_import_meta_url' },
    banner: { js: "const __vitals_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  }),
  build({
    ...common,
    outfile: macBundle,
    format: 'esm',
    define: { __VITALS_VERSION__: JSON.stringify(version) },
    banner: {
      js: "import { createRequire as __vitalsCreateRequire } from 'node:module'; const require = __vitalsCreateRequire(import.meta.url);",
    },
  }),
]);
// ASCII only: V8 keeps the source all along, and one non-ASCII character doubles it (ascii-bundle.mjs).
makeBundleAscii(seaBundle);
makeBundleAscii(macBundle);
log(`bundled in ${((performance.now() - bundleStarted) / 1000).toFixed(1)} s (${statSync(seaBundle).size} B)`);

// 2. The SEA blob, made by the same Node version that will run it. No code cache and no snapshot:
// those are specific to the platform that made them, and one blob serves Linux and Windows.
let blob;
if (targets.includes('linux-x64') || targets.includes('win-x64')) {
  const linux = ensureRuntime('linux-x64', log);
  const config = join(WORK, 'sea-config.json');
  const blobFile = join(WORK, 'sea-prep.blob');
  writeFileSync(
    config,
    // Relative paths (run in WORK): stack traces then name vitals-sea.cjs, not this machine's folders.
    JSON.stringify({
      main: 'vitals-sea.cjs',
      output: 'sea-prep.blob',
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
    }),
  );
  execFileSync(linux.bin, ['--experimental-sea-config', config], { cwd: WORK, stdio: ['ignore', 'ignore', 'inherit'] });
  blob = readFileSync(blobFile);
}

async function seaFrom(runtimeBin, file, prepare) {
  const tmp = join(WORK, file);
  copyFileSync(runtimeBin, tmp);
  chmodSync(tmp, 0o755);
  prepare?.(tmp);
  await inject(tmp, 'NODE_SEA_BLOB', blob, { sentinelFuse: SEA_FUSE });
  return tmp;
}

// 3. Linux: the runtime, stripped of its debug symbols (about 12 MB), with the blob injected.
if (targets.includes('linux-x64')) {
  await timed('vitals-linux-x64', async () => {
    const rt = ensureRuntime('linux-x64', log);
    const strip = !opts['no-strip'] && has('strip');
    if (!opts['no-strip'] && !strip) log('strip not found (Debian binutils): the Linux executable keeps its symbols');
    const tmp = await seaFrom(rt.bin, 'vitals-linux-x64', (f) => strip && execFileSync('strip', [f]));
    renameSync(tmp, join(OUT, 'vitals-linux-x64'));
  });
}

// 4. Windows: remove the OpenJS Authenticode signature first (injection breaks it, and a broken
// signature is worse than none), inject, then re-sign if a certificate is given.
if (targets.includes('win-x64')) {
  if (!has('osslsigncode')) {
    throw new Error('osslsigncode is needed for the Windows build: apt-get install osslsigncode');
  }
  await timed('vitals-win-x64.exe', async () => {
    const rt = ensureRuntime('win-x64', log);
    const unsigned = join(WORK, 'node-unsigned.exe');
    execFileSync('osslsigncode', ['remove-signature', '-in', rt.bin, '-out', unsigned], { stdio: 'ignore' });
    const tmp = await seaFrom(unsigned, 'vitals-win-x64.exe');
    const { VITALS_WIN_SIGN_CERT: cert, VITALS_WIN_SIGN_KEY: key } = process.env;
    if (cert && key) {
      const signed = `${tmp}.signed`;
      execFileSync(
        'osslsigncode',
        ['sign', '-certs', cert, '-key', key, '-n', 'Vitals agent', '-h', 'sha256', '-in', tmp, '-out', signed],
        { stdio: 'inherit' },
      );
      renameSync(signed, tmp);
      log('vitals-win-x64.exe signed');
    }
    renameSync(tmp, join(OUT, 'vitals-win-x64.exe'));
  });
  // The service wrapper install.ps1 downloads beside the agent.
  await timed('shawl.exe', async () => {
    copyFileSync(ensureShawl(), join(OUT, 'shawl.exe'));
  });
}

// 5. macOS: no SEA (injection would void Apple's signature and nothing here can re-sign Mach-O);
// the runtime as signed upstream, the ESM bundle and a launcher, in one tarball per architecture.
const LAUNCHER = `#!/bin/sh
# Vitals agent launcher: runs the bundled agent on the Node runtime shipped beside it.
# Works through symlinks (e.g. /usr/local/bin/vitals -> /usr/local/vitals/bin/vitals).
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in
    /*) self=$link ;;
    *) self=$(dirname "$self")/$link ;;
  esac
done
home=$(cd "$(dirname "$self")/.." && pwd -P)
VITALS_SQLITE_DRIVER=\${VITALS_SQLITE_DRIVER:-node:sqlite}
export VITALS_SQLITE_DRIVER
exec "$home/node" "$home/vitals.mjs" "$@"
`;
for (const arch of ['arm64', 'x64']) {
  if (!targets.includes(`macos-${arch}`)) continue;
  const file = `vitals-macos-${arch}.tar.gz`;
  await timed(file, async () => {
    const rt = ensureRuntime(`darwin-${arch}`, log);
    const stage = join(WORK, `macos-${arch}`);
    const home = join(stage, 'vitals');
    mkdirSync(join(home, 'bin'), { recursive: true });
    copyFileSync(rt.bin, join(home, 'node'));
    chmodSync(join(home, 'node'), 0o755);
    copyFileSync(macBundle, join(home, 'vitals.mjs'));
    writeFileSync(join(home, 'bin', 'vitals'), LAUNCHER, { mode: 0o755 });
    if (existsSync(join(rt.dir, 'LICENSE'))) copyFileSync(join(rt.dir, 'LICENSE'), join(home, 'LICENSE.node'));
    writeFileSync(join(home, 'VERSION'), `vitals ${version}\nnode ${NODE_VERSION} (${rt.pkg})\n`);
    execFileSync('tar', [
      '-czf',
      join(OUT, file),
      '-C',
      stage,
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--sort=name',
      '--mtime=@0',
      'vitals',
    ]);
  });
}

rmSync(WORK, { recursive: true, force: true });
// Checksums of every agent file in dist/agent/, including ones an earlier run with other --targets made.
const ARTIFACTS = [
  'vitals-linux-x64',
  'vitals-macos-arm64.tar.gz',
  'vitals-macos-x64.tar.gz',
  'vitals-win-x64.exe',
  'shawl.exe',
];
writeFileSync(
  join(OUT, 'SHA256SUMS'),
  ARTIFACTS.filter((f) => existsSync(join(OUT, f)))
    .map(
      (f) =>
        `${createHash('sha256')
          .update(readFileSync(join(OUT, f)))
          .digest('hex')}  ${f}\n`,
    )
    .join(''),
);

const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;
const width = Math.max(...rows.map((r) => r.file.length), 4);
process.stdout.write(
  `\nvitals ${version}, Node ${NODE_VERSION} runtime, into dist/agent/\n` +
    `${'file'.padEnd(width)}  ${'bytes'.padStart(11)}  ${'size'.padStart(10)}  build\n` +
    rows
      .map(
        (r) =>
          `${r.file.padEnd(width)}  ${String(r.bytes).padStart(11)}  ${mib(r.bytes).padStart(10)}  ${r.seconds.toFixed(1)} s\n`,
      )
      .join('') +
    `total ${((performance.now() - started) / 1000).toFixed(1)} s (bundle, runtimes and blob included)\n`,
);
