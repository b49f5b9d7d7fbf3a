// Types for shawl.mjs, for the tests that register the Windows service under Wine.
export const SHAWL_PACKAGE: string;
export const SHAWL_SHA256: string;
export function ensureShawl(): string;
