// `vitals check`: runs every configured check once, locally, and exits with the worst status.
import { EXIT_CODE, worstStatus } from '@vitals/shared';
import { loadAgentConfig } from '../config.js';
import { runChecks } from '../runner.js';
import { buildReport, renderTable } from './check-output.js';

export interface CheckCommandOptions {
  config?: string;
  json?: boolean;
  only?: string[];
}

export async function checkCommand(
  options: CheckCommandOptions,
  out: NodeJS.WriteStream = process.stdout,
): Promise<number> {
  const config = loadAgentConfig(options.config);
  let checks = config.checks.filter((c) => c.enabled);
  if (options.only && options.only.length > 0) {
    const wanted = new Set(options.only.flatMap((o) => o.split(',')).map((o) => o.trim()));
    const unknown = [...wanted].filter((id) => !checks.some((c) => c.id === id || c.kind.kind === id));
    if (unknown.length > 0) {
      throw new UsageError(
        `--only: no check with id or kind ${unknown.map((u) => `"${u}"`).join(', ')}; configured: ${checks.map((c) => c.id).join(', ')}`,
      );
    }
    checks = checks.filter((c) => wanted.has(c.id) || wanted.has(c.kind.kind));
  }
  const started = performance.now();
  const ts = Date.now();
  const results = await runChecks(checks);
  const tookMs = performance.now() - started;
  if (options.json) out.write(`${JSON.stringify(buildReport(results, ts), null, 2)}\n`);
  else out.write(renderTable(results, { colour: Boolean(out.isTTY) && !process.env.NO_COLOR, tookMs }));
  return EXIT_CODE[worstStatus(results.map((r) => r.status))];
}

/** A mistake on the command line; exits 3 (UNKNOWN) like any plugin that could not judge. */
export class UsageError extends Error {
  override name = 'UsageError';
}
