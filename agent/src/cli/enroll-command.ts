// `vitals enroll`: trades a site enrollment token for this agent's own id and secret.
import os from 'node:os';
import { API_PATHS, type EnrollRequest, type EnrollResponse } from '@vitals/shared';
import { loadAgentConfig } from '../config.js';
import { createTransport, describeTransportError } from '../delivery/transport.js';
import { identityPath, readIdentity, writeIdentity } from '../identity.js';
import { VERSION } from '../version.js';
import { UsageError } from './check-command.js';

/**
 * On Windows os.release() is only a build number ("10.0.20348"); the product name ("Windows
 * Server 2022 Standard") is what tells the collector a server from a workstation.
 */
export function osRelease(platform: NodeJS.Platform = process.platform): string {
  const release = os.release();
  if (platform !== 'win32') return release;
  return `${os.version()} ${release}`.trim().slice(0, 128);
}

export interface EnrollOptions {
  url: string;
  token: string;
  config?: string;
  force?: boolean;
  json?: boolean;
}

export class EnrollError extends Error {
  override name = 'EnrollError';
}

export async function enrollCommand(
  options: EnrollOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const config = loadAgentConfig(options.config);
  // --force replaces the identity, so a damaged one must not stand in its way.
  const existing = options.force ? undefined : readIdentity(config.stateDir);
  if (existing && !options.force) {
    // Re-running an install keeps the agent's identity (and so its history on the collector).
    out.write(
      options.json
        ? `${JSON.stringify({ enrolled: true, already: true, agent_id: existing.agent_id, collector_url: existing.collector_url })}\n`
        : `already enrolled as ${existing.agent_id} with ${existing.collector_url}; use --force to enroll again\n`,
    );
    return 0;
  }
  const base = options.url.replace(/\/+$/, '');
  const transport = createTransport({
    url: base,
    caFile: config.collector.caFile,
    pinSha256: config.collector.pinSha256,
    insecureHttp: config.collector.insecureHttp,
    timeoutMs: config.collector.timeoutMs,
  });
  const body: EnrollRequest = {
    token: options.token.trim(),
    host: {
      hostname: config.hostname ?? os.hostname(),
      platform: process.platform,
      arch: process.arch,
      os_release: osRelease(),
      agent_version: VERSION,
    },
  };
  if (body.token.length < 16) throw new UsageError('--token: that is not an enrollment token (too short)');
  let status: number;
  let text: string;
  try {
    const res = await transport.post(
      new URL(API_PATHS.enroll, `${base}/`),
      { 'content-type': 'application/json' },
      JSON.stringify(body),
    );
    status = res.status;
    text = res.text;
  } catch (error) {
    throw new EnrollError(`cannot reach the collector at ${base}: ${describeTransportError(error)}`);
  } finally {
    await transport.close();
  }
  if (status !== 200) {
    let why = text.slice(0, 300);
    try {
      why = (JSON.parse(text) as { message?: string }).message ?? why;
    } catch {}
    throw new EnrollError(`the collector refused the enrollment (${status}): ${why}`);
  }
  const answer = JSON.parse(text) as EnrollResponse;
  writeIdentity(config.stateDir, {
    agent_id: answer.agent_id,
    secret: answer.secret,
    collector_url: base,
    client: answer.client,
    site: answer.site,
    enrolled_at: new Date().toISOString(),
  });
  out.write(
    options.json
      ? `${JSON.stringify({ enrolled: true, already: false, agent_id: answer.agent_id, client: answer.client, site: answer.site, identity_file: identityPath(config.stateDir) })}\n`
      : `enrolled as ${answer.agent_id} (${answer.client} / ${answer.site}); identity stored in ${identityPath(config.stateDir)} (owner-only)\n`,
  );
  return 0;
}
