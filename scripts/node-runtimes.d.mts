// Types for node-runtimes.mjs, for the tests that run the embedded runtime.
export type RuntimeTarget = 'linux-x64' | 'win-x64' | 'darwin-x64' | 'darwin-arm64';
export interface RuntimeInfo {
  pkg: string;
  bin: string;
  integrity: string;
}
export const NODE_VERSION: string;
export const ROOT: string;
export const CACHE_DIR: string;
export const RUNTIMES: Record<RuntimeTarget, RuntimeInfo>;
export function ensureRuntime(
  target: RuntimeTarget,
  log?: (line: string) => void,
): RuntimeInfo & { dir: string; bin: string };
