// Types for zabbix-passive.mjs (plain JS so the bench runs with `node` alone), for its tests.
export function frame(payload: string): Buffer;
export function unframe(bytes: Buffer): string;
export function zabbixGet(port: number, key: string, options?: { host?: string; timeoutMs?: number }): Promise<string>;
