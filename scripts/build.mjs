// Bundles each CLI into one ESM file with esbuild (fast, and the same bundle feeds the
// single-executable builds). Native addons stay external.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { build } from 'esbuild';
import { makeBundleAscii } from './ascii-bundle.mjs';

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
// The agent runs for months on every machine: its source, held by V8 all along, stays one byte
// per character (scripts/ascii-bundle.mjs).
if (existsSync('agent/dist/vitals.js')) makeBundleAscii('agent/dist/vitals.js');

// The dashboard: one script and one stylesheet for the browser, named by their content's hash so
// they can be cached for a year; index.html (no-cache) is written with those names.
const WEB = 'collector/src/web';
const WEB_OUT = 'collector/dist/web';
if (existsSync(`${WEB}/main.ts`)) {
  rmSync(WEB_OUT, { recursive: true, force: true });
  mkdirSync(WEB_OUT, { recursive: true });
  const result = await build({
    entryPoints: { app: `${WEB}/main.ts` },
    outdir: WEB_OUT,
    entryNames: '[name]-[hash]',
    bundle: true,
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    format: 'esm',
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js || !css)
    throw new Error(`dashboard bundle: expected one .js and one .css in ${WEB_OUT}, got ${outputs.join(', ')}`);
  const html = readFileSync(`${WEB}/index.html`, 'utf8').replace('{{JS}}', js).replace('{{CSS}}', css);
  writeFileSync(`${WEB_OUT}/index.html`, html);
}
