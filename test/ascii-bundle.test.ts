import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeBundleAscii } from '../scripts/ascii-bundle.mjs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('makeBundleAscii', () => {
  it('leaves a bundle ASCII-only and meaning the same: strings, regexes, identifiers, comments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vitals-ascii-'));
    dirs.push(dir);
    const file = join(dir, 'bundle.mjs');
    writeFileSync(
      file,
      [
        '// Returns response’s type — a comment a dependency ships',
        'const café = "Disk / has 3 % free — critically low 🚑";',
        'export const text = café;',
        'export const temps = "+45.0°C -3°C".match(/[+-]([^°]*)/g);',
        'export const astral = /\\u{1F691}/u.test("🚑");',
        '',
      ].join('\n'),
    );
    expect(makeBundleAscii(file)).toBe(12);
    const out = readFileSync(file, 'utf8');
    expect(out).toMatch(/^[\x00-\x7f]*$/);
    const mod = (await import(pathToFileURL(file).href)) as { text: string; temps: string[]; astral: boolean };
    expect(mod.text).toBe('Disk / has 3 % free — critically low 🚑');
    expect(mod.temps).toEqual(['+45.0', '-3']);
    expect(mod.astral).toBe(true);
  });

  it('does not touch a bundle that is already ASCII', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vitals-ascii-'));
    dirs.push(dir);
    const file = join(dir, 'plain.js');
    writeFileSync(file, 'export const a = 1;\n');
    expect(makeBundleAscii(file)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('export const a = 1;\n');
  });
});
