// `export --host H`: every stored report of a host (hostname or agent id), in seq order, one per
// line. End-to-end tests rely on it to prove that every seq arrived exactly once.
import { once } from 'node:events';
import { type ConfigFlags, UsageError } from '../config.js';
import { CSV_HEADER, parseSince, toCsvLine, toJsonLine } from './export-format.js';
import { withStore } from './open-store.js';

export interface ExportFlags extends ConfigFlags {
  host: string;
  since?: string;
  format?: string;
}

async function write(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
}

export async function exportCommand(flags: ExportFlags, now = Date.now()): Promise<number> {
  const format = flags.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format must be jsonl or csv, got "${format}"`);
  const sinceTs = flags.since === undefined ? undefined : parseSince(flags.since, now);
  return withStore(flags, { create: false }, async ({ store }) => {
    const hosts = await store.findHosts(flags.host);
    if (hosts.length === 0) {
      process.stderr.write(`vitals-collector: no agent with hostname or id "${flags.host}" (see \`agents\`)\n`);
      return 1;
    }
    if (format === 'csv') await write(CSV_HEADER);
    for await (const report of store.exportReports({ host: flags.host, sinceTs })) {
      await write(format === 'csv' ? toCsvLine(report) : toJsonLine(report));
    }
    return 0;
  });
}
