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

export function identityPath(stateDir: string): string {
  return join(stateDir, IDENTITY_FILE);
}

export function readIdentity(stateDir: string): Identity | undefined {
  let text: string;
  try {
    text = readFileSync(identityPath(stateDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${identityPath(stateDir)}: ${(error as Error).message}`);
  }
  const value = JSON.parse(text) as Partial<Identity>;
  if (
    typeof value.agent_id !== 'string' ||
    typeof value.secret !== 'string' ||
    typeof value.collector_url !== 'string'
  ) {
    throw new Error(`${identityPath(stateDir)} is damaged (agent_id, secret or collector_url missing); enroll again`);
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
