// The `smart` check: disk health from smartctl (smartmontools ≥ 7.0) in JSON mode, one result per
// disk. Without smartctl it is UNKNOWN "smartctl not installed" — never a guess, never a false OK.
import Type from 'typebox';
import { describeSpawnError, type ExecResult, execFile } from '../exec.js';
import { type CheckContext, type CheckOutcome, defineCheck } from './check.js';
import { judgeSmartReport, parseScan, type ScanDevice, SmartOutputError } from './smart-parse.js';

// smartmontools' Windows installer does not put smartctl on the PATH a service sees.
const WINDOWS_SMARTCTL = 'C:\\Program Files\\smartmontools\\bin\\smartctl.exe';

export const smartCheck = defineCheck({
  kind: 'smart',
  summary: 'disk health via smartctl: overall status, reallocated/pending/uncorrectable sectors, wear, temperature',
  options: {
    devices: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        'disks to read, e.g. /dev/sda or "/dev/sdb -d sat"; default: every disk `smartctl --scan-open` finds',
    }),
    smartctl: Type.String({
      minLength: 1,
      default: 'smartctl',
      description: 'the smartctl program; on Windows the smartmontools install folder is tried as well',
    }),
    warn_temperature: Type.Number({ minimum: 0, maximum: 120, default: 60, description: 'WARNING above this °C' }),
    warn_wear_percent: Type.Number({
      minimum: 0,
      maximum: 100,
      default: 90,
      description:
        'WARNING when more than this % of the rated life is used (NVMe percentage used, SSD life attributes)',
    }),
  },
  defaultInterval: '6h',
  defaultTimeout: '2m',
  async run(options, ctx) {
    const limits = { warnTemperatureC: options.warn_temperature, warnWearPercent: options.warn_wear_percent };
    const smartctl = (args: string[]) => runSmartctl(options.smartctl, args, ctx);

    let devices: ScanDevice[];
    if (options.devices.length > 0) {
      devices = options.devices.map(parseDeviceOption);
    } else {
      const scan = await smartctl(['-j', '--scan-open']);
      if ('outcome' in scan) return [scan.outcome];
      try {
        devices = parseScan(scan.run.stdout);
      } catch (error) {
        if (!(error instanceof SmartOutputError)) throw error;
        return [{ target: '', status: 'UNKNOWN', values: {}, message: error.message }];
      }
      if (devices.length === 0) {
        const message = isAdmin(ctx.platform)
          ? 'SMART not available: smartctl found no disks it can read (usual in a virtual machine)'
          : 'reading SMART needs administrator rights: smartctl found no disks this user can open';
        return [{ target: '', status: 'UNKNOWN', values: {}, message }];
      }
    }

    const outcomes: CheckOutcome[] = [];
    // One disk at a time: parallel SMART reads on one controller gain nothing and can stall it.
    for (const device of devices) {
      const args = ['-j', '-a', ...(device.type ? ['-d', device.type] : []), device.name];
      const result = await smartctl(args);
      if ('outcome' in result) {
        outcomes.push({ ...result.outcome, target: device.name });
        continue;
      }
      outcomes.push(
        judgeSmartReport(
          { device: device.name, stdout: result.run.stdout, exitCode: result.run.code, isAdmin: isAdmin(ctx.platform) },
          limits,
        ),
      );
    }
    return outcomes;
  },
});

/** "/dev/sdb -d sat" → name and type, so a disk the scan misses can still be named with its type. */
export function parseDeviceOption(value: string): ScanDevice {
  const match = /^(.+?)\s+-d\s+(\S+)$/.exec(value.trim());
  return match ? { name: match[1] as string, type: match[2] } : { name: value.trim(), type: undefined };
}

function isAdmin(platform: NodeJS.Platform): boolean {
  // On Windows smartctl says "Access is denied" itself, which the parser recognises.
  return platform === 'win32' ? true : process.getuid?.() === 0;
}

async function runSmartctl(
  program: string,
  args: string[],
  ctx: CheckContext,
): Promise<{ run: ExecResult } | { outcome: CheckOutcome }> {
  const exec = (command: string) => execFile(command, args, { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  let run = await exec(program);
  if (run.spawnError?.code === 'ENOENT' && ctx.platform === 'win32' && program === 'smartctl')
    run = await exec(WINDOWS_SMARTCTL);
  const unknown = (message: string) => ({ outcome: { target: '', status: 'UNKNOWN' as const, values: {}, message } });
  if (run.spawnError?.code === 'ENOENT')
    return unknown(`smartctl not installed (install smartmontools ≥ 7.0; looked for ${program})`);
  if (run.spawnError) return unknown(describeSpawnError(program, run.spawnError));
  if (run.timedOut)
    return unknown(`smartctl did not answer within ${Math.round(ctx.timeoutMs / 1000)} s (a dying disk can hang it)`);
  return { run };
}
