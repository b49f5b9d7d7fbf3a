import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  judgeBackupEvents,
  judgeEventOutput,
  parseVeeamEvents,
  parseWsbEvents,
  veeamScript,
  wsbScript,
} from './backup-events.js';

const HOUR = 3_600_000;
const thresholds = { warnMs: 26 * HOUR, critMs: 30 * HOUR };
const wsb = { name: 'Windows Server Backup', lookbackDays: 7 };
const veeam = { name: 'Veeam Agent', lookbackDays: 7 };
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'backup', name), 'utf8');

// The newest success in wsb-success.json: 2024-11-22 01:41:05.113 UTC (ID 4).
const WSB_LAST_SUCCESS = Date.UTC(2024, 10, 22, 1, 41, 5, 113);
// The older success shared by the other WSB fixtures: 2024-11-21 01:39:51.870 UTC.
const WSB_OLDER_SUCCESS = Date.UTC(2024, 10, 21, 1, 39, 51, 870);
const VEEAM_LAST_SUCCESS = Date.UTC(2024, 10, 22, 22, 12, 34, 220);

describe('Windows Server Backup events', () => {
  it('parses PowerShell 5.1 /Date()/ times and keeps only result IDs (14 is not a result)', () => {
    const events = parseWsbEvents(fixture('wsb-success.json'));
    expect(events).toEqual([
      { at: WSB_LAST_SUCCESS, id: 4, result: 'success' },
      { at: WSB_OLDER_SUCCESS, id: 4, result: 'success' },
    ]);
  });

  it('reads PowerShell 7 ISO times the same way', () => {
    expect(parseWsbEvents(fixture('wsb-success-ps7.json'))).toEqual([
      { at: WSB_LAST_SUCCESS, id: 4, result: 'success' },
    ]);
  });

  it('is OK when the last success is within the warning age', () => {
    const outcome = judgeEventOutput(
      fixture('wsb-success.json'),
      parseWsbEvents,
      WSB_LAST_SUCCESS + 3 * HOUR,
      thresholds,
      wsb,
    );
    expect(outcome.status).toBe('OK');
    expect(outcome.message).toBe('the last backup succeeded at 2024-11-22 01:41 UTC (event 4), 3 h ago');
    expect(outcome.values).toMatchObject({
      age_hours: { value: 3, unit: 'hours' },
      last_success: { value: WSB_LAST_SUCCESS, unit: 'epoch_ms' },
      last_result: { value: 'success' },
    });
  });

  it('warns at once when a run failed after the last success, whatever the language of the log', () => {
    // Failure (ID 5, "Fehler") 8 h after a success; judged 2 h after the failure: the success is 25.5 h old.
    const now = Date.UTC(2024, 10, 22, 3, 10);
    const outcome = judgeEventOutput(fixture('wsb-failed-after-success.json'), parseWsbEvents, now, thresholds, wsb);
    expect(outcome.status).toBe('WARNING');
    expect(outcome.message).toMatch(
      /^the last backup run failed at 2024-11-22 01:20 UTC \(event 5\); the last success was 25\.\d h ago$/,
    );
    expect(outcome.values).toMatchObject({ last_result: { value: 'failure' }, last_event_id: { value: 5 } });
  });

  it('is CRITICAL when the run failed and the last success is also older than the critical age', () => {
    const now = WSB_OLDER_SUCCESS + 31 * HOUR;
    const outcome = judgeEventOutput(fixture('wsb-failed-after-success.json'), parseWsbEvents, now, thresholds, wsb);
    expect(outcome.status).toBe('CRITICAL');
    expect(outcome.message).toMatch(/failed .* the last success was 31 h ago — it should be less than 26 h$/);
  });

  it('warns when the run after the last success completed with errors (ID 7) or low target space (ID 51)', () => {
    const now = Date.UTC(2024, 10, 22, 2, 0);
    const outcome = judgeEventOutput(fixture('wsb-warning-after-success.json'), parseWsbEvents, now, thresholds, wsb);
    expect(outcome.status).toBe('WARNING');
    expect(outcome.message).toMatch(/^the last backup run finished with warnings at 2024-11-22 01:49 UTC \(event 7\)/);
  });

  it('accepts a single event, which ConvertTo-Json writes as a bare object', () => {
    const outcome = judgeEventOutput(
      fixture('wsb-single-success.json'),
      parseWsbEvents,
      WSB_OLDER_SUCCESS + HOUR,
      thresholds,
      wsb,
    );
    expect(outcome.status).toBe('OK');
  });

  it('is CRITICAL when the only success is 31 h old', () => {
    const outcome = judgeEventOutput(
      fixture('wsb-single-success.json'),
      parseWsbEvents,
      WSB_OLDER_SUCCESS + 31 * HOUR,
      thresholds,
      wsb,
    );
    expect(outcome.status).toBe('CRITICAL');
    expect(outcome.message).toBe(
      'the last backup succeeded at 2024-11-21 01:39 UTC (event 4), 31 h ago — it should be less than 26 h',
    );
  });

  it('warns between the warning and the critical age', () => {
    const outcome = judgeEventOutput(
      fixture('wsb-single-success.json'),
      parseWsbEvents,
      WSB_OLDER_SUCCESS + 27 * HOUR,
      thresholds,
      wsb,
    );
    expect(outcome.status).toBe('WARNING');
  });

  it('is CRITICAL when there are only failures in the window', () => {
    const outcome = judgeEventOutput(
      fixture('wsb-only-failures.json'),
      parseWsbEvents,
      Date.UTC(2024, 10, 22, 8),
      thresholds,
      wsb,
    );
    expect(outcome.status).toBe('CRITICAL');
    expect(outcome.message).toBe(
      'no successful backup in 7 days (Windows Server Backup); the last run failed at 2024-11-22 01:00 UTC (event 49)',
    );
  });

  it('is CRITICAL when no backup event was recorded in the window (empty output)', () => {
    const outcome = judgeEventOutput(fixture('wsb-empty.txt'), parseWsbEvents, Date.UTC(2024, 10, 22), thresholds, wsb);
    expect(outcome.status).toBe('CRITICAL');
    expect(outcome.message).toBe('no backup recorded in 7 days (Windows Server Backup event log)');
  });

  it('is UNKNOWN, never OK, when the output is truncated JSON', () => {
    const outcome = judgeEventOutput(
      fixture('wsb-truncated.json'),
      parseWsbEvents,
      Date.UTC(2024, 10, 22),
      thresholds,
      wsb,
    );
    expect(outcome.status).toBe('UNKNOWN');
    expect(outcome.message).toMatch(/^could not read the Windows Server Backup events: .*not JSON/);
  });

  it('is UNKNOWN when an event lacks its Id or time', () => {
    const outcome = judgeEventOutput('{"Id":"4","TimeCreated":null}', parseWsbEvents, 0, thresholds, wsb);
    expect(outcome.status).toBe('UNKNOWN');
  });

  it('asks for numeric IDs over a bounded window and as JSON', () => {
    expect(wsbScript(7)).toBe(
      "Get-WinEvent -FilterHashtable @{LogName='Microsoft-Windows-Backup'; Id=4,5,7,9,14,19,49,51,146; StartTime=(Get-Date).AddDays(-7)} -MaxEvents 50 -ErrorAction SilentlyContinue | Select-Object Id,LevelDisplayName,Level,TimeCreated | ConvertTo-Json -Compress",
    );
  });
});

describe('Veeam events', () => {
  it('is OK when the last job result (ID 190, Information) is recent', () => {
    const outcome = judgeEventOutput(
      fixture('veeam-success.json'),
      (t) => parseVeeamEvents(t),
      VEEAM_LAST_SUCCESS + HOUR,
      thresholds,
      veeam,
    );
    expect(outcome.status).toBe('OK');
    expect(outcome.values['age_hours']).toEqual({ value: 1, unit: 'hours' });
  });

  it('warns at once when the latest job finished with Failed (Error level)', () => {
    const now = Date.UTC(2024, 10, 22, 23);
    const outcome = judgeEventOutput(
      fixture('veeam-failed-after-success.json'),
      (t) => parseVeeamEvents(t),
      now,
      thresholds,
      veeam,
    );
    expect(outcome.status).toBe('WARNING');
    expect(outcome.message).toMatch(/^the last backup run failed at 2024-11-22 22:01 UTC \(event 190\)/);
  });

  it('is CRITICAL when the only result is a warning and nothing ever succeeded in the window', () => {
    const outcome = judgeEventOutput(
      fixture('veeam-warning.json'),
      (t) => parseVeeamEvents(t),
      Date.UTC(2024, 10, 23),
      thresholds,
      veeam,
    );
    expect(outcome.status).toBe('CRITICAL');
    expect(outcome.message).toMatch(/the last run finished with warnings/);
  });

  it('is CRITICAL when its only success is 31 h old', () => {
    const events = parseVeeamEvents(fixture('veeam-success.json'));
    const outcome = judgeBackupEvents(events, VEEAM_LAST_SUCCESS + 31 * HOUR, thresholds, veeam);
    expect(outcome.status).toBe('CRITICAL');
  });

  it('judges one job when `job` is set, using the job name only to pick events', () => {
    const now = Date.UTC(2024, 10, 22, 23);
    const emr = judgeEventOutput(
      fixture('veeam-two-jobs.json'),
      (t) => parseVeeamEvents(t, 'EMR Server Nightly'),
      now,
      thresholds,
      veeam,
    );
    const nas = judgeEventOutput(
      fixture('veeam-two-jobs.json'),
      (t) => parseVeeamEvents(t, 'offsite nas'),
      now,
      thresholds,
      veeam,
    );
    expect(emr.status).toBe('OK');
    expect(nas.status).toBe('WARNING');
    expect(parseVeeamEvents(fixture('veeam-two-jobs.json'))).toHaveLength(3);
  });

  it('is UNKNOWN on malformed output', () => {
    const outcome = judgeEventOutput('[{"Id":190,"Level":4,', (t) => parseVeeamEvents(t), 0, thresholds, veeam);
    expect(outcome.status).toBe('UNKNOWN');
  });

  it('selects Message only when a job filter needs it', () => {
    expect(veeamScript('Veeam Agent', 7, false)).not.toContain('Message');
    expect(veeamScript('Veeam Backup', 3, true)).toContain(
      "LogName='Veeam Backup'; Id=190; StartTime=(Get-Date).AddDays(-3)",
    );
    expect(veeamScript('Veeam Backup', 3, true)).toContain(',Message |');
  });
});
