import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { installCommands, normalizeBaseUrl, psQuote, shQuote } from './install-command.js';

const TOKEN = 'vt_AbC-123_xyz';

/** Runs a Linux/macOS command in a real /bin/sh with curl and sudo replaced by functions that print their arguments. */
function posixArgs(command: string): { curl: string[]; sudo: string[] } {
  const stubs = [
    `curl() { for a in "$@"; do printf '%s\\n' "$a" >&2; done; }`,
    `sudo() { for a in "$@"; do printf '%s\\n' "$a"; done; }`,
  ].join('\n');
  const run = spawnSync('/bin/sh', ['-c', `${stubs}\n${command}`], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`sh failed: ${run.stderr}`);
  const lines = (text: string) => text.split('\n').filter(Boolean);
  return { curl: lines(run.stderr), sudo: lines(run.stdout) };
}

describe('install commands', () => {
  it('gives the three commands of the contract for a plain URL', () => {
    expect(installCommands({ url: 'https://vitals.msp.example/', token: TOKEN })).toEqual({
      linux: `curl -fsSL 'https://vitals.msp.example/install/linux.sh' | sudo sh -s -- --url 'https://vitals.msp.example' --token '${TOKEN}'`,
      macos: `curl -fsSL 'https://vitals.msp.example/install/macos.sh' | sudo sh -s -- --url 'https://vitals.msp.example' --token '${TOKEN}'`,
      windows:
        `powershell -NoProfile -ExecutionPolicy Bypass -Command "& ([scriptblock]::Create((irm 'https://vitals.msp.example/install/windows.ps1'))) ` +
        `-Url 'https://vitals.msp.example' -Token '${TOKEN}'"`,
    });
  });

  it('hands a real sh exactly the URL and token, even with quotes, $ and spaces in the path', () => {
    const url = "https://vitals.example:8443/it's $HOME/a b/";
    const commands = installCommands({ url, token: TOKEN });
    const base = "https://vitals.example:8443/it's%20$HOME/a%20b";
    for (const os of ['linux', 'macos'] as const) {
      const args = posixArgs(commands[os]);
      expect(args.curl).toEqual(['-fsSL', `${base}/install/${os}.sh`]);
      expect(args.sudo).toEqual(['sh', '-s', '--', '--url', base, '--token', TOKEN]);
    }
  });

  it('keeps the Windows command free of what the outer double quotes would expand or end', () => {
    const { windows } = installCommands({ url: "https://vitals.example/o'neil/$x", token: TOKEN });
    expect(windows).toBe(
      `powershell -NoProfile -ExecutionPolicy Bypass -Command "& ([scriptblock]::Create((irm 'https://vitals.example/o''neil/%24x/install/windows.ps1'))) ` +
        `-Url 'https://vitals.example/o''neil/%24x' -Token '${TOKEN}'"`,
    );
    expect(windows.split('"')).toHaveLength(3);
    expect(windows).not.toMatch(/[$`]/);
  });

  it('quotes for sh and PowerShell', () => {
    expect(shQuote("a'b")).toBe("'a'\\''b'");
    expect(shQuote('$(rm -rf /)')).toBe("'$(rm -rf /)'");
    expect(psQuote("a'b")).toBe("'a''b'");
    expect(psQuote('a\u2019b')).toBe("'a\u2019\u2019b'");
    expect(execFileSync('/bin/sh', ['-c', `printf %s ${shQuote('it\'s `x` $(y) \\ "z"')}`], { encoding: 'utf8' })).toBe(
      'it\'s `x` $(y) \\ "z"',
    );
  });

  it('normalises the public URL and refuses what cannot be one', () => {
    expect(normalizeBaseUrl('  HTTPS://Vitals.Example:443/prefix//  ')).toBe('https://vitals.example/prefix');
    expect(normalizeBaseUrl('http://[::1]:8470')).toBe('http://[::1]:8470');
    expect(() => normalizeBaseUrl('vitals.example')).toThrow(/is not a URL/);
    expect(() => normalizeBaseUrl('ftp://vitals.example')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => normalizeBaseUrl('https://u:p@vitals.example')).toThrow(/user name or password/);
    expect(() => normalizeBaseUrl('https://vitals.example/?a=1')).toThrow(/query/);
    expect(() => normalizeBaseUrl('http://a$b/')).toThrow(/host name/);
  });

  it('refuses a token the commands could not carry', () => {
    for (const token of ['', 'a b', 'a"b', 'a$b', 'a`b', 'a\nb'])
      expect(() => installCommands({ url: 'https://v.example', token })).toThrow(/enrollment token/);
  });
});
