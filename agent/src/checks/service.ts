// The `service` check: per named service its real state (running / stopped / failed / missing)
// and start mode, from systemd, the Windows service manager or launchd.
import Type from 'typebox';
import { type CheckContext, defineCheck, unknownOutcome } from './check.js';
import { readLaunchdServices } from './service-launchd.js';
import { judgeService, type ServiceState } from './service-state.js';
import { readSystemdServices } from './service-systemd.js';
import { readWindowsServices } from './service-windows.js';

// Names go to systemctl, launchctl and a PowerShell script: no leading dash (read as an option),
// no quotes, no wildcards (Get-Service would match several). `$` is MSSQL$INSTANCE, `@` a
// systemd template instance, `\` systemd's escaping, `/` a launchd domain.
export const SERVICE_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.@:$+/\\\\ -]*$';

export async function readServices(names: readonly string[], ctx: CheckContext): Promise<ServiceState[]> {
  switch (ctx.platform) {
    case 'linux':
      return readSystemdServices(names, ctx);
    case 'win32':
      return readWindowsServices(names, ctx);
    case 'darwin':
      return readLaunchdServices(names, ctx);
    default:
      return names.map((name) => ({
        name,
        state: 'unknown',
        reason: `service checks are not supported on ${ctx.platform}`,
      }));
  }
}

export const serviceCheck = defineCheck({
  kind: 'service',
  summary: 'state (running / stopped / failed / missing) and start mode of named services',
  options: {
    services: Type.Array(Type.String({ minLength: 1, maxLength: 256, pattern: SERVICE_NAME_PATTERN }), {
      minItems: 1,
      description:
        'service names: systemd units (`postgresql` means postgresql.service), Windows service names ' +
        '(or display names), launchd labels (`system/` is assumed)',
    }),
    expect: Type.Union([Type.Literal('running'), Type.Literal('stopped')], {
      default: 'running',
      description: 'the state each service should be in; anything else is CRITICAL (WARNING while it is changing)',
    }),
    missing_status: Type.Union(
      [Type.Literal('OK'), Type.Literal('WARNING'), Type.Literal('CRITICAL'), Type.Literal('UNKNOWN')],
      { default: 'CRITICAL', description: 'status when a named service does not exist on this machine' },
    ),
  },
  defaultInterval: '60s',
  defaultTimeout: '20s',
  async run(options, ctx) {
    const names = [...new Set(options.services)];
    let states: ServiceState[];
    try {
      states = await readServices(names, ctx);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return names.map((name) => unknownOutcome(name, `cannot read the state of service ${name}: ${reason}`));
    }
    return states.map((s) => judgeService(s, options, ctx.platform));
  },
});
