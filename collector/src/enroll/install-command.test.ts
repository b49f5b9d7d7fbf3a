import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { installCommands, normalizeBaseUrl, psQuote, shQuote } from './install-command.js';

const TOKEN = 'vt_AbC-123_xyz';

/**
 * Runs a Linux/macOS command in a real /bin/sh as user `uid`, with curl, sudo, sh and id replaced by
 * functions that print their arguments: curl on stderr, sudo and sh (the right-hand side) on stdout.
 */
function posixRun(command: string, uid: number): Record<'curl' | 'sudo' | 'sh', string[]> {
  const print = (name: string, fd: string) =>
    `${name}() { echo ${name}: ${fd}; for a in "$@"; do printf '%s\\n' "$a" ${fd}; done; }`;
  const stubs = [`id() { echo ${uid}; }`, print('curl', '>&2'), print('sudo', ''), print('sh', '')].join('\n');
  const run = spawnSync('/bin/sh', ['-c', `${stubs}\n${command}`], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`sh failed: ${run.stderr}`);
  const calls: Record<'curl' | 'sudo' | 'sh', string[]> = { curl: [], sudo: [], sh: [] };
  let current: string[] = [];
  for (const line of `${run.stderr}\n${run.stdout}`.split('\n').filter(Boolean)) {
    const name = /^(curl|sudo|sh):$/.exec(line)?.[1] as keyof typeof calls | undefined;
    if (name) current = calls[name];
    else current.push(line);
  }
  return calls;
}

describe('install commands', () => {
  it('gives the three commands of the contract for a plain URL', () => {
    expect(installCommands({ url: 'https://vitals.msp.example/', token: TOKEN })).toEqual({
      linux: `curl -fsSL 'https://vitals.msp.example/install/linux.sh' | $([ "$(id -u)" = 0 ] || echo sudo) sh -s -- --url 'https://vitals.msp.example' --token '${TOKEN}'`,
      macos: `curl -fsSL 'https://vitals.msp.example/install/macos.sh' | $([ "$(id -u)" = 0 ] || echo sudo) sh -s -- --url 'https://vitals.msp.example' --token '${TOKEN}'`,
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
      const args = posixRun(commands[os], 1000);
      expect(args.curl).toEqual(['-fsSL', `${base}/install/${os}.sh`]);
      expect(args.sudo).toEqual(['sh', '-s', '--', '--url', base, '--token', TOKEN]);
    }
  });

  it('uses sudo only for a normal user: root runs the script directly (a machine without sudo works)', () => {
    const { linux, macos } = installCommands({ url: 'https://vitals.msp.example', token: TOKEN });
    for (const command of [linux, macos]) {
      const asRoot = posixRun(command, 0);
      expect(asRoot.sudo).toEqual([]);
      expect(asRoot.sh).toEqual(['-s', '--', '--url', 'https://vitals.msp.example', '--token', TOKEN]);
      const asUser = posixRun(command, 1000);
      expect(asUser.sh).toEqual([]);
      expect(asUser.sudo).toEqual(['sh', '-s', '--', '--url', 'https://vitals.msp.example', '--token', TOKEN]);
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
