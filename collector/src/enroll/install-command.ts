// The one-line install commands the enrollment page shows for each OS (contract.md): built here,
// and only here, from the collector's public base URL and a new enrollment token, safely quoted.

export interface InstallCommands {
  linux: string;
  macos: string;
  windows: string;
}

export class InstallCommandError extends Error {
  override name = 'InstallCommandError';
}

/** POSIX sh single quotes: nothing inside is special; a ' becomes '\'' (close, escaped quote, reopen). */
export function shQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * PowerShell single quotes: nothing inside expands; a quote is doubled. PowerShell also reads the
 * typographic single quotes (U+2018, U+2019, U+201A, U+201B) as quotes, so those are doubled too.
 */
export function psQuote(text: string): string {
  return `'${text.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}

// The Windows command sits inside "…" for powershell.exe -Command: pasted into a PowerShell
// prompt, that outer string expands $ and ` and ends at " (or the typographic double quotes); in
// cmd.exe it ends at ". A URL keeps none of them: $ is percent-encoded (same resource), the rest
// cannot occur in a WHATWG-normalised URL (they are encoded) or in a generated token.
const WINDOWS_OUTER_SPECIAL = /["`$\u201C\u201D\u201E]/;

/**
 * The collector's public base URL as install commands use it: http(s) only, no credentials,
 * query or fragment; normalised (punycode host, percent-encoded path), without a trailing slash.
 */
export function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new InstallCommandError(`public URL "${raw}" is not a URL; expected e.g. https://vitals.msp.example`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InstallCommandError(`public URL "${raw}" must start with http:// or https://`);
  if (url.username !== '' || url.password !== '')
    throw new InstallCommandError(`public URL "${raw}" must not carry a user name or password`);
  if (url.search !== '' || url.hash !== '')
    throw new InstallCommandError(`public URL "${raw}" must not have a query (?…) or fragment (#…)`);
  // WHATWG URLs allow $ ' ` in a host name; DNS names and IP addresses never have them.
  if (!/^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])$/.test(url.hostname))
    throw new InstallCommandError(`public URL "${raw}" has a host name that is not a DNS name or IP address`);
  return url.href.replace(/\/+$/, '');
}

/**
 * Runs the rest as root: through sudo for a normal user, directly when already root (containers and
 * minimal servers often have no sudo). `$(…)` and `[` work in sh, bash, zsh and fish 3.4+.
 */
export const AS_ROOT = '$([ "$(id -u)" = 0 ] || echo sudo)';

/** The install command of each OS for this collector URL and token (contract.md, "Install commands"). */
export function installCommands(opts: { url: string; token: string }): InstallCommands {
  const url = normalizeBaseUrl(opts.url);
  const { token } = opts;
  if (token === '' || /[\s\p{Cc}]/u.test(token) || WINDOWS_OUTER_SPECIAL.test(token))
    throw new InstallCommandError('enrollment token must be non-empty without spaces, control characters, ", $ or `');
  const posix = (os: 'linux' | 'macos') =>
    `curl -fsSL ${shQuote(`${url}/install/${os}.sh`)} | ${AS_ROOT} sh -s -- --url ${shQuote(url)} --token ${shQuote(token)}`;
  const winUrl = url.replaceAll('$', '%24');
  const script = `& ([scriptblock]::Create((irm ${psQuote(`${winUrl}/install/windows.ps1`)}))) -Url ${psQuote(winUrl)} -Token ${psQuote(token)}`;
  return {
    linux: posix('linux'),
    macos: posix('macos'),
    windows: `powershell -NoProfile -ExecutionPolicy Bypass -Command "${script}"`,
  };
}
