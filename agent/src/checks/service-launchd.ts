// Reads launchd jobs on macOS with `launchctl print <domain>/<label>`: the job's own state line,
// never a process-name guess; "Could not find service" is a missing job.
import { describeSpawnError, execFile } from '../exec.js';
import type { CheckContext } from './check.js';
import type { ServiceState, ServiceStateName } from './service-state.js';

/** A bare label is a system daemon (`system/<label>`); `gui/501/…` and `user/501/…` pass through. */
export function launchdTarget(name: string): string {
  return /^(system|gui|user|login|pid)\//.test(name) ? name : `system/${name}`;
}

/** The job's own key = value lines (depth 1); nested blocks (sockets, endpoints) have their own "state". */
export function parseLaunchctlProperties(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  let depth = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.endsWith('{')) {
      depth++;
      continue;
    }
    if (line.startsWith('}')) {
      depth--;
      continue;
    }
    if (depth !== 1) continue;
    const m = /^([^=]+?)\s+=\s+(.*)$/.exec(line);
    if (m) props[m[1] as string] = m[2] as string;
  }
  return props;
}

const STATES: Record<string, ServiceStateName> = {
  running: 'running',
  'not running': 'stopped',
  'spawn scheduled': 'starting',
  spawned: 'starting',
  xpcproxy: 'starting',
};

/** One `launchctl print` answer (its output and exit code) → the job's state. */
export function parseLaunchctlPrint(name: string, output: string, exitCode: number | null): ServiceState {
  if (exitCode !== 0) {
    if (/Could not find service/i.test(output)) return { name, state: 'missing' };
    const first = output.trim().split('\n')[0] || `exit code ${exitCode}`;
    return { name, state: 'unknown', reason: `launchctl print ${launchdTarget(name)} failed: ${first}` };
  }
  const props = parseLaunchctlProperties(output);
  const word = props.state;
  let state = word === undefined ? undefined : STATES[word];
  if (!state) {
    return {
      name,
      state: 'unknown',
      reason:
        word === undefined
          ? `launchctl print ${launchdTarget(name)} did not say the job's state`
          : `launchd reported state "${word}" for ${name}, which Vitals does not know`,
    };
  }
  // "last exit code = 78: EX_CONFIG" or "(never exited)": a job that stopped with an error failed.
  const lastExit = /^-?\d+/.exec(props['last exit code'] ?? '');
  if (state === 'stopped' && lastExit && Number(lastExit[0]) !== 0) state = 'failed';
  const out: ServiceState = { name, state };
  const pid = Number(props.pid);
  if (state === 'running' && Number.isInteger(pid) && pid > 0) out.pid = pid;
  return out;
}

export async function readLaunchdServices(names: readonly string[], ctx: CheckContext): Promise<ServiceState[]> {
  const states: ServiceState[] = [];
  // launchctl print takes one job; labels are few, so one call each.
  for (const name of names) {
    const result = await execFile('launchctl', ['print', launchdTarget(name)], {
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
    });
    if (result.spawnError) throw new Error(describeSpawnError('launchctl', result.spawnError));
    if (result.timedOut) throw new Error('launchctl print did not answer in time');
    states.push(parseLaunchctlPrint(name, `${result.stdout}\n${result.stderr}`, result.code));
  }
  return states;
}
