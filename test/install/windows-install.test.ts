// install-scripts/windows/install.ps1 without PowerShell (not in Debian): static checks of the script
// (its parameters, every function and variable it uses defined, balanced brackets, admin-only ACL by
// SID, verified TLS), and under Wine the real service wrapper: the service command line the script
// builds, registered with the service manager, is parsed by shawl as intended; and a service stop
// reaches the agent as Ctrl-C (SIGINT), which it handles cleanly (exit 0, "stopped cleanly").
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRuntime } from '../../scripts/node-runtimes.mjs';
import { AGENT_JS, tempDir, waitFor } from '../e2e/harness.js';
import { WINDOWS_PS1 } from './harness.js';
import { ensureShawl } from './shawl.js';

const script = readFileSync(WINDOWS_PS1, 'utf8');

/** The script without comments and string contents (strings become '' / ""), for structural checks. */
function code(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (text.startsWith('<#', i)) {
      const end = text.indexOf('#>', i);
      if (end < 0) throw new Error(`block comment at offset ${i} never closes`);
      i = end + 2;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === "'") {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('a single-quoted string never closes');
        if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") break;
        else i++;
      }
      i++;
      out += "''";
    } else if (c === '"') {
      i++;
      while (text[i] !== '"') {
        if (i >= text.length) throw new Error('a double-quoted string never closes');
        i += text[i] === '`' ? 2 : 1;
      }
      i++;
      out += '""';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The value of a single-quoted assignment `$Name = '...'` in the script. */
function singleQuoted(name: string): string {
  const m = new RegExp(`^\\$${name} = '((?:[^']|'')*)'$`, 'm').exec(script);
  if (!m) throw new Error(`$${name} = '...' not found in install.ps1`);
  return (m[1] as string).replaceAll("''", "'");
}

/** PowerShell's -f: {n} replaced by the nth value. */
function format(template: string, values: string[]): string {
  return template.replace(/\{(\d+)\}/g, (_, n: string) => values[Number(n)] as string);
}

describe('install.ps1, static checks', () => {
  const body = code(script);

  it('declares the contract parameters: -Url -Token [-Binary] [-Uninstall [-KeepBuffer]]', () => {
    const param = /\[CmdletBinding\(\)\]\s*param\(([^)]*)\)/.exec(body);
    expect(param, 'param( ) block').not.toBeNull();
    const declared = [...(param?.[1] ?? '').matchAll(/\[(\w+)\]\$(\w+)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(declared).toEqual(['string Url', 'string Token', 'string Binary', 'switch Uninstall', 'switch KeepBuffer']);
  });

  it('has balanced brackets outside strings and comments', () => {
    const stack: string[] = [];
    const pairs: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
    body.split('').forEach((c, i) => {
      if ('({['.includes(c)) stack.push(c);
      else if (c in pairs) {
        const open = stack.pop();
        if (open !== pairs[c]) throw new Error(`"${c}" at offset ${i} closes "${open ?? 'nothing'}"`);
      }
    });
    expect(stack).toEqual([]);
  });

  it('calls only functions it defines and cmdlets that ship with Windows PowerShell 5.1', () => {
    const defined = new Set([...script.matchAll(/^function ([\w-]+)/gm)].map((m) => m[1]));
    const builtin = new Set(
      'Set-StrictMode Join-Path Write-Host Get-Service Stop-Service Start-Service New-Service Get-ChildItem Remove-Item Test-Path New-Item Copy-Item Move-Item Split-Path Resolve-Path Invoke-WebRequest Get-CimInstance Invoke-CimMethod Start-Sleep ForEach-Object Where-Object Out-Null New-Object Restart-Service Restart-Service'.split(
        ' ',
      ),
    );
    // Calls inside "$(...)" count, so read the script without comments but with its strings.
    const text = script.replace(/<#[\s\S]*?#>/g, '').replace(/^\s*#.*$/gm, '');
    const used = new Set([...text.matchAll(/(?<![\w$.-])([A-Z][A-Za-z]+-[A-Z][A-Za-z0-9]+)\b/g)].map((m) => m[1]));
    const unknown = [...used].filter((name) => !defined.has(name) && !builtin.has(name as string));
    expect(unknown).toEqual([]);
    for (const fn of defined) expect(used, `function ${fn} is never called`).toContain(fn);
  });

  it('assigns every variable it reads (Set-StrictMode would stop on one that is not)', () => {
    const automatic = new Set([
      '_',
      'null',
      'true',
      'false',
      'LASTEXITCODE',
      'ErrorActionPreference',
      'ProgressPreference',
    ]);
    // Variables inside double-quoted strings count too, so read them from the full text minus comments.
    const text = script.replace(/<#[\s\S]*?#>/g, '').replace(/^\s*#.*$/gm, '');
    const read = new Set([...text.matchAll(/\$\{?([A-Za-z_]\w*)(?![\w:])/g)].map((m) => m[1] as string));
    const assigned = new Set([
      ...[...text.matchAll(/\$([A-Za-z_]\w*)\s*(?:=[^=]|\+=)/g)].map((m) => m[1]),
      ...[...text.matchAll(/\[[\w.[\]]+\]\$([A-Za-z_]\w*)/g)].map((m) => m[1]), // typed parameters
      ...[...text.matchAll(/foreach \(\$(\w+) in/g)].map((m) => m[1]),
    ]);
    expect([...read].filter((v) => !automatic.has(v) && !assigned.has(v))).toEqual([]);
  });

  it('downloads the agent and shawl from URL/download/, never skipping certificate checks', () => {
    expect(script).toContain('$source = "$Url/download/$Name"');
    expect(script).toContain("Get-Download 'vitals-win-x64.exe' $newAgent");
    expect(script).toContain("Get-Download 'shawl.exe' $newShawl");
    expect(script).not.toMatch(/SkipCertificateCheck|ServerCertificateValidationCallback|TrustAllCerts/i);
  });

  it('gives ProgramData\\Vitals an ACL of SYSTEM and Administrators only, by SID, inheritance removed', () => {
    expect(script).toContain("'/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F'");
    expect(script).toMatch(
      /New-Item -ItemType Directory -Force -Path \$DataDir \| Out-Null\nSet-AdminOnlyAcl \$DataDir/,
    );
  });

  it('rolls a failed run back: armed before the first change, nothing replaced before enrollment, every placed thing undone', () => {
    const at = (needle: string) => {
      const i = script.indexOf(needle);
      expect(i, needle).toBeGreaterThan(-1);
      return i;
    };
    expect(at('$RollbackArmed = $true')).toBeLessThan(at('New-Item -ItemType Directory -Force -Path $StageDir'));
    expect(at("Invoke-Program $newAgent @('enroll'")).toBeLessThan(
      at('Move-Item -LiteralPath (Join-Path $StageDir $name)'),
    );
    expect(script).toMatch(/function Stop-WithError[^}]*if \(\$script:RollbackArmed\) \{ Undo-Install \}/);
    expect(script).toMatch(/^trap \{\n {2}Stop-WithError 8 "\$Step failed: /m);
    const keys = (/\$placed = @\{ ([^}]*) \}/.exec(script)?.[1] ?? '').split(';').map((k) => k.trim().split(' ')[0]);
    expect(keys).toEqual(['Config', 'Stopped', 'Binaries', 'Service']);
    const undo = script.slice(at('function Undo-Install'), at('# Any other failure'));
    for (const key of keys) {
      expect(undo).toContain(`$placed.${key}`);
      expect(script).toContain(`$placed.${key} = $true`);
    }
    // The state folder only goes when empty: identity and buffer are never removed.
    expect(undo).not.toMatch(/Remove-Item[^\n]*\$StateDir/);
    expect(undo).toContain('Remove-EmptyFolder $StateDir $had.StateDir');
    // Disarmed only once the service runs.
    expect(at('$RollbackArmed = $false\nRemove-Item')).toBeGreaterThan(
      at("(Get-Service -Name $ServiceName).Status -ne 'Running'"),
    );
  });

  it('registers recovery actions: restart after 10 s, 30 s, 60 s, also on an error exit code', () => {
    expect(script).toContain(
      "$ServiceFailureActions = @('failure', $ServiceName, 'reset=', '86400', 'actions=', 'restart/10000/restart/30000/restart/60000')",
    );
    expect(script).toContain("@('failureflag', $ServiceName, '1')");
  });
});

describe('install.ps1 service under Wine (shawl)', () => {
  const WINE = '/usr/lib/wine/wine64';
  const prefix = tempDir('vitals-wine-service-');
  const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  const driveC = join(prefix, 'drive_c');
  // Output goes to a file, not a pipe: the service processes `net start` starts inherit its handles,
  // so a pipe would stay open (and spawnSync wait) for as long as the service runs.
  const wine = (args: string[], timeout = 120_000) => {
    const file = join(prefix, 'wine-output.txt');
    const fd = openSync(file, 'w');
    try {
      const r = spawnSync(WINE, args, { env, timeout, stdio: ['ignore', fd, fd] });
      return { code: r.status, out: readFileSync(file, 'utf8') };
    } finally {
      closeSync(fd);
    }
  };
  /** Waits until this prefix's wineserver has exited, so the next command finds the service manager settled. */
  const settle = () => spawnSync('/usr/lib/wine/wineserver', ['-w'], { env, timeout: 60_000, stdio: 'ignore' });
  /** `net start`, again while Wine's service manager still says its database is locked (just after sc create). */
  const netStart = (name: string) => {
    settle();
    let r = wine(['net', 'start', name]);
    for (let i = 0; i < 5 && /database locked/i.test(r.out); i++) {
      settle();
      r = wine(['net', 'start', name]);
    }
    return r;
  };
  /** The shawl log of a service (shawl writes shawl_for_<name>_rCURRENT.log into --log-dir). */
  const shawlLog = (logDir: string, name: string) => {
    const file = join(logDir, `shawl_for_${name}_rCURRENT.log`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  };

  beforeAll(() => {
    if (!existsSync(WINE)) throw new Error(`${WINE} is missing: apt-get install wine64 (scripts/ensure-tools.mjs)`);
    // Node needs Wine to report Windows 10.
    expect(wine(['wineboot', '--init']).code).toBe(0);
    expect(wine(['winecfg', '-v', 'win10']).code).toBe(0);
    settle();
    mkdirSync(join(driveC, 'Program Files/Vitals'), { recursive: true });
    copyFileSync(ensureShawl(), join(driveC, 'Program Files/Vitals/shawl.exe'));
  }, 240_000);
  afterAll(() => {
    spawnSync('/usr/lib/wine/wineserver', ['-k'], { env });
  });

  const template = singleQuoted('ServiceCommandTemplate');
  const paths = [
    'C:\\Program Files\\Vitals\\shawl.exe',
    'Vitals',
    'C:\\ProgramData\\Vitals',
    'C:\\ProgramData\\Vitals\\logs',
    'C:\\Program Files\\Vitals\\vitals.exe',
    'C:\\ProgramData\\Vitals\\agent.yaml',
  ];

  it("the script's service command line is parsed by shawl as the agent's run command with a 20 s stop timeout", async () => {
    mkdirSync(join(driveC, 'ProgramData/Vitals'), { recursive: true });
    const commandLine = format(template, paths);
    expect(wine(['sc', 'create', 'Vitals', 'binPath=', commandLine]).code).toBe(0);
    netStart('Vitals'); // no vitals.exe here: shawl logs what it parsed, then the launch fails
    const logDir = join(driveC, 'ProgramData/Vitals/logs');
    const log = await waitFor(
      'shawl to log its command line',
      () => /Cli \{.*\}/.exec(shawlLog(logDir, 'Vitals'))?.[0],
    );
    expect(log).toContain('name: "Vitals"');
    expect(log).toContain('cwd: Some("C:\\\\ProgramData\\\\Vitals")');
    expect(log).toContain('stop_timeout: Some(20000)');
    expect(log).toContain('no_restart: true');
    expect(log).toContain(
      'command: ["C:\\\\Program Files\\\\Vitals\\\\vitals.exe", "run", "--config", "C:\\\\ProgramData\\\\Vitals\\\\agent.yaml"]',
    );
    expect(wine(['sc', 'delete', 'Vitals']).code).toBe(0);
  }, 120_000);

  it('a service stop reaches the agent as Ctrl-C: it logs SIGINT, stops cleanly and exits 0 well within the timeout', async () => {
    // The agent bundle on the Windows Node runtime the executables embed, wrapped by shawl with the
    // script's own options (everything before " -- "); node:sqlite since better-sqlite3 is a Linux build here.
    const node = ensureRuntime('win-x64').bin;
    mkdirSync(join(driveC, 'node'), { recursive: true });
    copyFileSync(node, join(driveC, 'node/node.exe'));
    writeFileSync(
      join(driveC, 'ProgramData/stop-test.yaml'),
      "state_dir: 'C:\\ProgramData\\StopTest\\state'\nbuiltin_checks: false\nchecks:\n  - id: cpu\n    kind: cpu\n    interval: 1s\n",
    );
    const shawlPart = format(template.split(' -- ')[0] as string, [
      paths[0] as string,
      'VitalsStopTest',
      'C:\\ProgramData',
      'C:\\ProgramData\\StopTest\\logs',
    ]);
    const bundle = `Z:${AGENT_JS.replaceAll('/', '\\')}`;
    const commandLine = `${shawlPart} --env VITALS_SQLITE_DRIVER=node:sqlite -- "C:\\node\\node.exe" "${bundle}" run --config "C:\\ProgramData\\stop-test.yaml"`;
    expect(wine(['sc', 'create', 'VitalsStopTest', 'binPath=', commandLine]).code).toBe(0);
    const start = netStart('VitalsStopTest');
    expect(start.code, start.out).toBe(0);
    const logDir = join(driveC, 'ProgramData/StopTest/logs');
    await waitFor(
      'the agent to start under shawl',
      () => shawlLog(logDir, 'VitalsStopTest').includes('\\"event\\":\\"started\\"'),
      60_000,
    );
    await waitFor(
      'a buffered result',
      () => existsSync(join(driveC, 'ProgramData/StopTest/state/buffer.sqlite')),
      30_000,
    );

    const stop = wine(['net', 'stop', 'VitalsStopTest']);
    expect(stop.code, stop.out).toBe(0);
    const log = await waitFor('shawl to report the exit', () => {
      const text = shawlLog(logDir, 'VitalsStopTest');
      return /Command exited/.test(text) && text;
    });
    expect(log).toContain('Sending ctrl-C to command');
    expect(log).toContain('\\"signal\\":\\"SIGINT\\"');
    expect(log).toContain('stopped cleanly');
    const exited = /Command exited after (\d+) ms with code (\d+)/.exec(log);
    expect(exited?.[2]).toBe('0');
    expect(Number(exited?.[1])).toBeLessThan(20_000);
    expect(readdirSync(join(driveC, 'ProgramData/StopTest/state'))).toContain('buffer.sqlite');
    expect(wine(['sc', 'delete', 'VitalsStopTest']).code).toBe(0);
  }, 180_000);
});
