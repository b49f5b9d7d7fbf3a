// The service check's vocabulary: one state word per service whatever the OS (systemd, Windows
// SCM, launchd), and the pure judgement that turns a state into a status and a plain message.
import type { Measurement, Status } from '@vitals/shared';
import type { CheckOutcome } from './check.js';

export type ServiceStateName =
  | 'running'
  | 'starting'
  | 'stopping'
  | 'stopped'
  | 'paused'
  | 'failed'
  | 'missing'
  | 'unknown';

/** What one OS reader learned about one configured service. */
export interface ServiceState {
  /** The name as configured (the result's target). */
  name: string;
  state: ServiceStateName;
  /** As the OS words it: systemd UnitFileState ("enabled"), Windows StartType ("Automatic"). */
  startMode?: string;
  /** systemd SubState ("running", "exited", "dead"), for units whose "running" is not a process. */
  subState?: string;
  pid?: number;
  restarts?: number;
  /** With state `unknown`: why the state could not be read. */
  reason?: string;
}

export interface ServiceExpectation {
  expect: 'running' | 'stopped';
  missing_status: Status;
}

const VERB: Record<ServiceStateName, string> = {
  running: 'is running',
  starting: 'is starting',
  stopping: 'is stopping',
  stopped: 'is stopped',
  paused: 'is paused',
  failed: 'has failed',
  missing: 'does not exist on this machine',
  unknown: 'is in an unknown state',
};

/** systemd's words read on their own ("enabled"); Windows' need a label ("start mode: Manual"). */
function startModeText(s: ServiceState, platform: NodeJS.Platform): string {
  if (s.startMode === undefined || s.startMode === '') return '';
  return platform === 'win32' ? ` (start mode: ${s.startMode})` : ` (${s.startMode})`;
}

function statusFor(s: ServiceState, expect: ServiceExpectation['expect']): Status {
  if (expect === 'running') {
    if (s.state === 'running') return 'OK';
    // On its way up: worth a look, not yet a page; the collector's "3 checks in a row" rule decides.
    if (s.state === 'starting') return 'WARNING';
    return 'CRITICAL';
  }
  if (s.state === 'stopped' || s.state === 'failed') return 'OK';
  if (s.state === 'stopping') return 'WARNING';
  return 'CRITICAL';
}

export function judgeService(s: ServiceState, expected: ServiceExpectation, platform: NodeJS.Platform): CheckOutcome {
  const values: Record<string, Measurement> = { state: { value: s.state } };
  if (s.startMode !== undefined) values.start_mode = { value: s.startMode };
  if (s.subState !== undefined) values.sub_state = { value: s.subState };
  if (s.pid !== undefined) values.pid = { value: s.pid };
  if (s.restarts !== undefined) values.restarts = { value: s.restarts, unit: 'count' };

  if (s.state === 'unknown') {
    return { target: s.name, status: 'UNKNOWN', values, message: s.reason ?? `cannot read the state of ${s.name}` };
  }
  if (s.state === 'missing') {
    return { target: s.name, status: expected.missing_status, values, message: `Service ${s.name} ${VERB.missing}` };
  }
  const status = statusFor(s, expected.expect);
  let message = `Service ${s.name} ${VERB[s.state]}${startModeText(s, platform)}`;
  if (status !== 'OK') message += ` — it should be ${expected.expect}`;
  if (s.restarts !== undefined && s.restarts > 0) {
    message += `; restarted ${s.restarts} time${s.restarts === 1 ? '' : 's'} by systemd`;
  }
  return { target: s.name, status, values, message };
}
