#!/usr/bin/env node
// Makes sure the Debian programs the test suite drives for real are on this machine: a fresh CI
// machine has Node and npm only. As root it installs what is missing with apt-get (Debian's
// packages are reachable); otherwise it names what is missing and how to get it, and fails.
// A missing tool is never a silent skip.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Each tool the tests need: where it is found once installed, and the Debian package that brings it. */
export const TOOLS = [
  { what: 'headless Chromium for the dashboard tests', paths: ['/usr/bin/chromium'], pkg: 'chromium' },
  // Debian 12's wine64 alone is a working 64-bit Wine 8 (loader /usr/lib/wine/wine64, not on PATH);
  // the `wine` package only adds the /usr/bin/wine wrapper (installed without recommends: no wine32).
  { what: 'Wine, to run the Windows agent executable', paths: ['/usr/lib/wine/wine64'], pkg: 'wine64' },
  {
    what: 'osslsigncode, to drop the runtime signature before injecting the Windows agent',
    paths: ['/usr/bin/osslsigncode'],
    pkg: 'osslsigncode',
  },
  { what: 'strip (binutils), to shrink the Linux agent executable', paths: ['/usr/bin/strip'], pkg: 'binutils' },
  { what: 'shellcheck, to lint the install scripts', paths: ['/usr/bin/shellcheck'], pkg: 'shellcheck' },
  {
    what: 'systemd-analyze, to verify the unit install.sh writes',
    paths: ['/usr/bin/systemd-analyze'],
    pkg: 'systemd',
  },
  { what: 'curl, which the install scripts download with', paths: ['/usr/bin/curl'], pkg: 'curl' },
];

const missing = TOOLS.filter((t) => !t.paths.some((p) => existsSync(p)));
if (missing.length === 0) process.exit(0);

const pkgs = [...new Set(missing.map((t) => t.pkg))];
const list = missing.map((t) => `  ${t.pkg} (${t.what}; looked for ${t.paths.join(', ')})`).join('\n');
if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
  process.stderr.write(
    `ensure-tools: these Debian packages are missing and this is not root with apt-get:\n${list}\n` +
      `install them with: sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}\n`,
  );
  process.exit(1);
}
process.stderr.write(`ensure-tools: installing from Debian's packages:\n${list}\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
} catch (error) {
  process.stderr.write(`ensure-tools: apt-get failed (${error.message.split('\n')[0]}); the tests need:\n${list}\n`);
  process.exit(1);
}
const still = missing.filter((t) => !t.paths.some((p) => existsSync(p)));
if (still.length > 0) {
  process.stderr.write(`ensure-tools: still missing after apt-get: ${still.map((t) => t.pkg).join(', ')}\n`);
  process.exit(1);
}
