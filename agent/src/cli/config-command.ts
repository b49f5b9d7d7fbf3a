// `vitals config validate [F]`: checks a config file and says what is wrong and where.
import { ConfigError, formatDuration } from '@vitals/shared';
import { defaultConfigPath, loadAgentConfig } from '../config.js';

export function validateCommand(
  file: string | undefined,
  json: boolean,
  out: NodeJS.WriteStream = process.stdout,
): number {
  const path = file ?? defaultConfigPath();
  try {
    const config = loadAgentConfig(path);
    if (json) {
      out.write(`${JSON.stringify({ file: path, valid: true, issues: [], checks: config.checks.map((c) => c.id) })}\n`);
    } else {
      out.write(`${path} is valid: ${config.checks.length} checks\n`);
      for (const c of config.checks) {
        out.write(
          `  ${c.id.padEnd(24)} ${c.kind.kind.padEnd(9)} every ${formatDuration(c.intervalMs / 1000)}${c.enabled ? '' : ' (disabled)'}\n`,
        );
      }
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (json) out.write(`${JSON.stringify({ file: path, valid: false, issues: error.issues })}\n`);
    else process.stderr.write(`${error.message}\n`);
    return 3;
  }
}
