// The agent's own identity (id, secret, collector URL), written by `vitals enroll` into the state
// directory with owner-only access. The secret never appears in logs or output.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Identity {
  agent_id: string;
  secret: string;
  collector_url: string;
  client: string;
  site: string;
  enrolled_at: string;
}

export const IDENTITY_FILE = 'identity.json';

const REENROLL =
  're-enroll with `vitals enroll --force --url URL --token TOKEN` (a new site token from `vitals-collector token create`)';

/** identity.json exists but cannot be used: names the file and the fix (exit 3, like a bad config). */
export class IdentityError extends Error {
  override name = 'IdentityError';
}

export function identityPath(stateDir: string): string {
  return join(stateDir, IDENTITY_FILE);
}

export function readIdentity(stateDir: string): Identity | undefined {
  let text: string;
  try {
    text = readFileSync(identityPath(stateDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new IdentityError(`cannot read identity.json at ${identityPath(stateDir)}: ${(error as Error).message}`);
  }
  const file = identityPath(stateDir);
  let value: Partial<Identity>;
  try {
    value = JSON.parse(text) as Partial<Identity>;
  } catch (error) {
    throw new IdentityError(
      `identity.json at ${file} is not valid JSON (truncated?): ${(error as Error).message}; ${REENROLL}`,
    );
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.agent_id !== 'string' ||
    typeof value.secret !== 'string' ||
    typeof value.collector_url !== 'string'
  ) {
    throw new IdentityError(
      `identity.json at ${file} is damaged (agent_id, secret or collector_url missing); ${REENROLL}`,
    );
  }
  return value as Identity;
}

/** Atomic write (temp file + rename) with mode 0600, so a crash never leaves half an identity. */
export function writeIdentity(stateDir: string, identity: Identity): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = identityPath(stateDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  // On Windows the mode bits are ignored; the installer sets an admin-only ACL on the state dir.
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
