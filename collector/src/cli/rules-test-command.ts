// `rules test <file>`: replays a series of results (CSV or JSON lines) through the rules of the
// config, as the engine would, and prints when each alert would go pending, fire, change and resolve.
import { parseDuration } from '@vitals/shared';
import { type ReplayEvent, replay } from '../alerting/replay.js';
import { type AlertingRulesConfig, resolveRules } from '../alerting/rule-config.js';
import { type ConfigFlags, loadCollectorConfig, UsageError } from '../config.js';
import { readSeriesFile, SeriesFileError } from './series-file.js';
import { formatTable, isoTime } from './table.js';
import { parseUntil } from './time-flag.js';

export interface RulesTestFlags extends ConfigFlags {
  host?: string;
  client?: string;
  site?: string;
  tick?: string;
  until?: string;
  json?: boolean;
}

function eventJson(e: ReplayEvent) {
  return { time: isoTime(e.at), ...e };
}

export async function rulesTest(file: string, flags: RulesTestFlags): Promise<number> {
  const tickMs = flags.tick === undefined ? undefined : parseDuration(flags.tick);
  if (flags.tick !== undefined && !(tickMs !== undefined && tickMs > 0)) {
    throw new UsageError(`--tick must be a duration such as 1m or 5m, got "${flags.tick}"`);
  }
  const until = flags.until === undefined ? undefined : parseUntil(flags.until);
  const { alerting } = loadCollectorConfig(flags);
  let series: ReturnType<typeof readSeriesFile>;
  try {
    series = readSeriesFile(file);
  } catch (error) {
    if (error instanceof SeriesFileError) throw new UsageError(error.message);
    throw error;
  }
  // Overrides match on client, site and host; an export file names its host, a flag wins.
  const who = { client: flags.client ?? '', site: flags.site ?? '', host: flags.host ?? series.hosts[0] ?? '' };
  const events = replay({
    // The config loader validated these sections with the rule schemas (checkRulesConfig).
    rules: resolveRules(alerting.rules as AlertingRulesConfig, who),
    results: series.results,
    host: { client: who.client, site: who.site, host: who.host },
    ...(tickMs !== undefined ? { tickMs } : {}),
    ...(until !== undefined ? { until } : {}),
  });
  if (flags.json) {
    for (const e of events) process.stdout.write(`${JSON.stringify(eventJson(e))}\n`);
    return 0;
  }
  if (events.length === 0) {
    process.stdout.write(`no alert would change over ${series.results.length} results\n`);
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['TIME', 'RULE', 'TARGET', 'EVENT', 'SEVERITY', 'SUMMARY'],
      events.map((e) => [isoTime(e.at) ?? '', e.rule, e.target, e.event, e.severity, e.summary]),
    ),
  );
  return 0;
}
