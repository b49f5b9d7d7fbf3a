// Types for ascii-bundle.mjs (plain JS so the build scripts run with `node` alone), for its test.
export function makeBundleAscii(file: string): number;
