// The collector's version, replaced at build time from package.json.
declare const __VITALS_VERSION__: string | undefined;
export const VERSION: string = typeof __VITALS_VERSION__ === 'string' ? __VITALS_VERSION__ : '0.0.0-dev';
