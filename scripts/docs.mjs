// Writes the output of `vitals config reference` and `vitals-collector config reference` into
// README.md between their markers, so the config keys are documented once: in the schemas.
// `pnpm docs` after changing a schema.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = `${root}README.md`;
const reference = execFileSync(process.execPath, [`${root}agent/dist/vitals.js`, 'config', 'reference'], {
  encoding: 'utf8',
});
const collectorReference = execFileSync(
  process.execPath,
  [`${root}collector/dist/vitals-collector.js`, 'config', 'reference'],
  { encoding: 'utf8' },
);
const text = readFileSync(readme, 'utf8');
const updated = text
  .replace(/(<!-- config-reference:start -->\n)[\s\S]*(<!-- config-reference:end -->)/, `$1${reference}$2`)
  .replace(
    /(<!-- collector-reference:start -->\n)[\s\S]*(<!-- collector-reference:end -->)/,
    `$1${collectorReference}$2`,
  );
writeFileSync(readme, updated);
