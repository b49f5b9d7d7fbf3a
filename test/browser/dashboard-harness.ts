// Drives the dashboard for real: Debian's Chromium through playwright-core, against the built
// `vitals-collector serve` as a child process with its own data dir, users made with the CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { COLLECTOR_JS, type Collector, freePort, ROOT, startCollector, tempDir } from '../e2e/harness.js';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';

export { CHROMIUM };

/** One Chromium per test file, with a fresh profile directory. A missing browser is a failure, never a skip. */
export async function launchChromium(): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}; the dashboard's browser tests need it. ` +
        "Run `node scripts/ensure-tools.mjs` (as root it installs Debian's chromium package), or set VITALS_CHROMIUM.",
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'vitals-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  const close = context.close.bind(context);
  context.close = async () => {
    await close();
    rmSync(profile, { recursive: true, force: true });
  };
  return context;
}

export interface Dashboard {
  collector: Collector;
  url: string;
  dataDir: string;
}

/** The built collector with a temp data dir; fails clearly when the bundles are not built. */
export async function startDashboard(): Promise<Dashboard> {
  for (const file of [COLLECTOR_JS, join(ROOT, 'collector/dist/web/index.html')]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`pnpm run build\` first`);
  }
  const dataDir = tempDir('vitals-browser-');
  const configFile = join(dataDir, 'collector.yaml');
  writeFileSync(configFile, 'limits:\n  body_max_bytes: 64MB\n  rate_per_minute: 100000\n');
  const collector = await startCollector({ dataDir, port: await freePort(), configFile });
  return { collector, url: collector.url, dataDir };
}

/** `vitals-collector user add` with the password on stdin, as an admin would. */
export function addUser(
  dataDir: string,
  user: { email: string; password: string; role: 'admin' | 'technician' | 'viewer'; name?: string; clients?: string[] },
): void {
  const args = [COLLECTOR_JS, 'user', 'add', user.email, '--role', user.role, '--data', dataDir];
  if (user.name) args.push('--name', user.name);
  for (const client of user.clients ?? []) args.push('--client', client);
  const r = spawnSync(process.execPath, args, { input: `${user.password}\n`, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`user add ${user.email} failed (exit ${r.status}): ${r.stderr}${r.stdout}`);
}

/** Fills the login screen and waits for the nav bar. */
export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.locator('#login-email').fill(email);
  await page.locator('#login-password').fill(password);
  await page.locator('.login-card button[type=submit]').click();
  await page.locator('.topbar').waitFor();
}

/**
 * Where the browser tests save their screenshots: test/.tmp/screenshots (ignored by git), or the
 * README's docs/screenshots with `pnpm screenshots` (VITALS_SCREENSHOTS=docs), so a plain test run
 * leaves the tree clean.
 */
export const SCREENSHOTS =
  process.env.VITALS_SCREENSHOTS === 'docs' ? join(ROOT, 'docs/screenshots') : join(ROOT, 'test/.tmp/screenshots');
