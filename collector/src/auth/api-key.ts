// API keys: how their secrets and ids are made, and the principal a valid key stands for.
// The secret is 256 random bits, so a plain SHA-256 of it is all the store keeps.
import { randomBytes } from 'node:crypto';
import type { Principal, Role } from './principal.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  /** null: every client. */
  clients: string[] | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** 256 bits; the prefix tells a key from an agent secret (vs_) or an enrolment token (vt_). */
export function newApiKeySecret(): string {
  return `vk_${randomBytes(32).toString('base64url')}`;
}

// Prefixed so an id never starts with "-" (commander would read it as an option).
export function newApiKeyId(): string {
  return `ak_${randomBytes(6).toString('hex')}`;
}

export function apiKeyPrincipal(key: ApiKeyRecord): Principal {
  return {
    kind: 'api_key',
    id: key.id,
    name: key.name,
    role: key.role,
    clients: key.clients === null ? null : [...key.clients],
  };
}
