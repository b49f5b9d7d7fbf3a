// The README's config reference must be what the schemas say (regenerate with `pnpm docs`), and
// its quick start must name the test command that .ci/run runs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CHECK_KINDS } from '@vitals/shared';
import { describe, expect, it } from 'vitest';
import { RULE_NAMES } from '../collector/src/alerting/types.js';
import { AGENT_JS, COLLECTOR_JS, ROOT } from './e2e/harness.js';

describe('README', () => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');

  it('carries the config reference generated from the schemas', () => {
    const reference = execFileSync(process.execPath, [AGENT_JS, 'config', 'reference'], { encoding: 'utf8' });
    const section = /<!-- config-reference:start -->\n([\s\S]*)<!-- config-reference:end -->/.exec(readme)?.[1];
    expect(section, 'README section out of date: run `pnpm build && pnpm docs`').toBe(reference);
    for (const kind of CHECK_KINDS) {
      expect(reference).toContain(`### \`${kind}\``);
    }
  });

  it('carries the collector config reference (keys, channels, every alert rule) generated from the schemas', () => {
    const reference = execFileSync(process.execPath, [COLLECTOR_JS, 'config', 'reference'], { encoding: 'utf8' });
    const section = /<!-- collector-reference:start -->\n([\s\S]*)<!-- collector-reference:end -->/.exec(readme)?.[1];
    expect(section, 'README section out of date: run `pnpm build && pnpm docs`').toBe(reference);
    for (const rule of RULE_NAMES) expect(reference).toContain(`### Rule \`${rule}\``);
  });

  it('quick start names the same test command as .ci/run', () => {
    const ci = readFileSync(`${ROOT}.ci/run`, 'utf8');
    const command = 'npx -y pnpm@10.34.9 install --frozen-lockfile && npx -y pnpm@10.34.9 test';
    expect(ci).toContain(command);
    expect(readme).toContain(command);
  });
});
