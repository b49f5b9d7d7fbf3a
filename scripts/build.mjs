// Bundles each CLI into one ESM file with esbuild (fast, and the same bundle feeds the
// single-executable builds). Native addons stay external.
import { existsSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const targets = [
  { entry: 'agent/src/main.ts', out: 'agent/dist/vitals.js' },
  { entry: 'collector/src/main.ts', out: 'collector/dist/vitals-collector.js' },
].filter((t) => existsSync(t.entry));

await Promise.all(
  targets.map((t) =>
    build({
      entryPoints: [t.entry],
      outfile: t.out,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      sourcemap: 'linked',
      external: ['better-sqlite3'],
      define: { __VITALS_VERSION__: JSON.stringify(version) },
      // Some CommonJS dependencies call require(); give the ESM bundle one.
      banner: {
        js: "import { createRequire as __vitalsCreateRequire } from 'node:module'; const require = __vitalsCreateRequire(import.meta.url);",
      },
      logLevel: 'warning',
    }),
  ),
);
