// Runs a local program without a shell, with a hard timeout and an output cap, so a hung tool
// (smartctl on a dying disk, df on a dead NFS mount, a script that never exits) cannot hold a check.
import { spawn } from 'node:child_process';

export interface ExecResult {
  /** null when the process was killed by a signal (timeout, abort). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the program could not be started at all (ENOENT: not installed, EACCES: not allowed). */
  spawnError?: NodeJS.ErrnoException;
}

export interface ExecOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Output beyond this is dropped (default 1 MiB per stream). */
  maxOutputBytes?: number;
}

export function execFile(command: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const cap = options.maxOutputBytes ?? 1024 * 1024;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      // Its own process group, so a timeout kills the script and everything it started.
      detached: process.platform !== 'win32',
    });
    const kill = () => {
      if (child.pid === undefined || child.exitCode !== null) return;
      try {
        if (process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const finish = (result: ExecResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
      // A process stuck in uninterruptible sleep (dead NFS) may never report its exit; do not wait for it.
      setTimeout(() => finish({ code: null, signal: 'SIGKILL', stdout, stderr, timedOut }), 200).unref();
    }, options.timeoutMs);
    const onAbort = () => {
      timedOut = true;
      kill();
    };
    // A signal that fired before the spawn (the check's time ran out first) still kills the child.
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < cap) stdout += chunk.slice(0, cap - stdout.length);
    });
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < cap) stderr += chunk.slice(0, cap - stderr.length);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish({ code: null, signal: null, stdout, stderr, timedOut, spawnError: error });
    });
    child.on('close', (code, signal) => finish({ code, signal, stdout, stderr, timedOut }));
  });
}

/** "smartctl is not installed" / "permission denied running smartctl" for a failed spawn. */
export function describeSpawnError(command: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return `${command} is not installed (not found on PATH)`;
  if (error.code === 'EACCES') return `permission denied running ${command}`;
  return `could not run ${command}: ${error.message}`;
}
