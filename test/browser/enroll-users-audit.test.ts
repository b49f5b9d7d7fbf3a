// The enrollment, users and audit pages in a real Chromium against the built collector: a token
// made on the enroll page enrolls a real agent with the command the page shows; users are added,
// get a new password and are disabled; an acknowledgement shows in the audit log with the name of
// who made it; a viewer sees none of these pages and the API refuses them (403).
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, createToken, enrollAgent, tempDir, writeAgentConfig } from '../e2e/harness.js';
import { addUser, type Dashboard, launchChromium, logIn, startDashboard } from './dashboard-harness.js';

const ADMIN = { email: 'ada@msp.example', password: 'ada-password-1234', role: 'admin', name: 'Ada Admin' } as const;
const VIEWER = {
  email: 'owner@northside.example',
  password: 'owner-password-1234',
  role: 'viewer',
  name: 'Olga Owner',
  clients: ['Northside'],
} as const;

let dashboard: Dashboard;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  dashboard = await startDashboard();
  addUser(dashboard.dataDir, ADMIN);
  addUser(dashboard.dataDir, { ...VIEWER, clients: [...VIEWER.clients] });
  context = await launchChromium();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: dashboard.url });
  page = await context.newPage();
});
afterAll(async () => {
  await context?.close();
  cleanupAll();
});

async function logInAs(user: { email: string; password: string }): Promise<void> {
  await context.clearCookies();
  await page.goto(`${dashboard.url}/`);
  await logIn(page, user.email, user.password);
}

/** A request from the page itself: the session cookie and, for a state change, its CSRF token. */
function pageFetch(path: string, method = 'GET', body?: unknown): Promise<{ status: number; json: unknown }> {
  return page.evaluate(
    async ({ path, method, body }) => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrf_token?: string };
      const res = await fetch(path, {
        method,
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf_token ?? '' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    },
    { path, method, body },
  );
}

/** Enrolls a host through the API and reports its service stopped three times: a firing critical alert. */
async function firingAlert(url: string, dataDir: string): Promise<string> {
  const token = createToken(dataDir, 'Northside', 'Main St');
  const enroll = await fetch(`${url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      host: { hostname: 'EMR-SRV01', platform: 'win32', arch: 'x64', os_release: '10.0', agent_version: '0.1.0' },
    }),
  });
  const { agent_id, secret } = (await enroll.json()) as { agent_id: string; secret: string };
  const now = Date.now();
  const reports = [0, 1, 2].map((i) => ({
    seq: i + 1,
    boot_id: 'b1',
    result: {
      check: 'service',
      kind: 'service',
      target: 'EMRService',
      status: 'CRITICAL',
      values: { state: { value: 'stopped' } },
      message: 'Service EMRService is stopped — it should be running',
      ts: now - (3 - i) * 60_000,
      duration_ms: 4,
    },
  }));
  const agent = { boot_id: 'b1', version: '0.1.0', dropped_total: 0, buffer_depth: 0, state: 'running' };
  const res = await fetch(`${url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${secret}` },
    body: gzipSync(JSON.stringify({ agent_id, reports, agent })),
  });
  expect(res.status).toBe(200);
  return agent_id;
}

describe('enrollment, users and audit pages', () => {
  it('creates a token on the enroll page whose Linux command carries the token and URL and enrolls a real agent', async () => {
    await logInAs(ADMIN);
    await page.locator('.nav-link[data-route=enroll]').click();
    await page.locator('#enroll-client').fill('Northside');
    await page.locator('#enroll-site').fill('Main St');
    await page.locator('#enroll-lifetime').selectOption('24');
    await page.getByRole('button', { name: 'Create token' }).click();

    const card = page.locator('section.once');
    await card.waitFor();
    const token = (await card.locator('[data-copy=token] .copy-text').textContent()) ?? '';
    expect(token).toMatch(/^vt_[A-Za-z0-9_-]{32}$/);
    const linux = await card.locator('[data-os=linux] .copy-text').textContent();
    const { url } = dashboard;
    expect(linux).toBe(
      `curl -fsSL '${url}/install/linux.sh' | $([ "$(id -u)" = 0 ] || echo sudo) sh -s -- --url '${url}' --token '${token}'`,
    );
    expect(await card.locator('[data-os=macos] .copy-text').textContent()).toContain(`--token '${token}'`);
    expect(await card.locator('[data-os=windows] .copy-text').textContent()).toContain(`-Token '${token}'`);

    // Copy puts exactly the command on the clipboard.
    await card.locator('[data-os=linux] button.copy').click();
    await expect.poll(() => card.locator('[data-os=linux] button.copy').textContent()).toBe('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(linux);

    // The URL and token exactly as the command hands them to the installer enroll a real agent.
    const [, shownUrl, shownToken] = /--url '([^']+)' --token '([^']+)'$/.exec(linux ?? '') ?? [];
    const agentDir = tempDir('vitals-enroll-page-');
    const enrolled = enrollAgent(writeAgentConfig(agentDir), shownUrl as string, shownToken as string);
    expect(enrolled.code, enrolled.stderr).toBe(0);

    // The list shows the token with one agent; revoking it on the page stops further enrollments.
    const id = await card.getAttribute('data-token-id');
    const row = page.locator(`tr[data-token="${id}"]`);
    await page.reload();
    await expect.poll(() => row.locator('td').nth(5).textContent()).toBe('1');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Click again to revoke' }).click();
    await expect.poll(() => row.locator('.status-word').textContent()).toBe('revoked');
    const again = enrollAgent(writeAgentConfig(tempDir('vitals-enroll-page-')), url, token);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/revoked/);
  });

  it('adds a user with a role and clients, resets the password and disables them, each password shown once', async () => {
    await logInAs(ADMIN);
    await page.goto(`${dashboard.url}/#/users`);
    await page.locator('#user-email').fill('tia@msp.example');
    await page.locator('#user-name').fill('Tia Tech');
    await page.locator('#user-role').selectOption('technician');
    await page.locator('#user-clients').fill('Northside, Eastside');
    await page.getByRole('button', { name: 'Add user' }).click();
    const added = page.locator('section.once[data-password-for="tia@msp.example"]');
    await added.waitFor();
    const password = (await added.locator('.copy-text').textContent()) ?? '';
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const row = page.locator('tr[data-user="tia@msp.example"]');
    await expect.poll(() => row.textContent()).toContain('Northside, Eastside');
    expect(await row.textContent()).toContain('technician');

    const login = (pw: string) =>
      fetch(`${dashboard.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'tia@msp.example', password: pw }),
      });
    expect((await login(password)).status).toBe(200);

    await row.getByRole('button', { name: 'Reset password' }).click();
    await row.getByRole('button', { name: 'Click again to reset' }).click();
    const reset = page.locator('section.once[data-password-for="tia@msp.example"] h2');
    await expect.poll(() => reset.textContent()).toBe('New password for tia@msp.example');
    const newPassword = (await page.locator('section.once .copy-text').textContent()) ?? '';
    expect(newPassword).not.toBe(password);
    expect((await login(password)).status).toBe(401);
    expect((await login(newPassword)).status).toBe(200);

    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByRole('button', { name: 'Click again to disable' }).click();
    await expect.poll(() => row.locator('.status-word').textContent()).toBe('disabled');
    expect((await login(newPassword)).status).toBe(401);
  });

  it('shows an acknowledgement made on the alerts page in the audit log with the admin’s name', async () => {
    const alertHost = await firingAlert(dashboard.url, dashboard.dataDir);
    await logInAs(ADMIN);
    // The engine judges on ingest; the alert is firing once the page can read it.
    let alertId: string | undefined;
    for (let i = 0; i < 100 && alertId === undefined; i++) {
      const { json } = await pageFetch('/api/v1/alerts');
      const { alerts } = json as { alerts: { id: string; agent_id: string; state: string }[] };
      alertId = alerts.find((a) => a.agent_id === alertHost && a.state === 'firing')?.id;
      if (alertId === undefined) await page.waitForTimeout(100);
    }
    expect(alertId, 'a firing alert for EMR-SRV01').toBeDefined();
    // Acknowledged on the alerts page, as a technician on call would.
    await page.goto(`${dashboard.url}/#/alerts`);
    const alert = page.locator(`article.alert[data-alert="${alertId}"]`);
    await alert.locator('button.ack-button').click();
    await alert.locator('textarea.ack-comment').fill('restarting the EMR service');
    await alert.locator('.ack-form button[type=submit]').click();
    await expect.poll(() => alert.locator('.tag-ack').textContent()).toMatch(/^Acknowledged by Ada Admin/);

    await page.goto(`${dashboard.url}/#/audit`);
    const row = page.locator('tr[data-action="alert.ack"]').first();
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('Ada Admin');
    expect(text).toContain('acknowledged an alert');
    expect(text).toContain('restarting the EMR service');
    expect(text).toContain('Northside');
    // Newest first: the acknowledgement is above the token created in the first test.
    const actions = await page
      .locator('tr[data-action]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions.indexOf('alert.ack')).toBeLessThan(actions.indexOf('token.create'));
  });

  it('shows a viewer neither Enroll, Users nor Audit, and the API answers 403', async () => {
    await logInAs(VIEWER);
    const routes = await page
      .locator('.nav-link')
      .evaluateAll((links) => links.map((l) => l.getAttribute('data-route')));
    expect(routes).toContain('fleet');
    for (const hidden of ['enroll', 'users', 'audit']) expect(routes).not.toContain(hidden);
    await page.goto(`${dashboard.url}/#/users`);
    await expect.poll(() => page.locator('main.page').textContent()).toContain('This page needs the role admin');
    for (const path of ['/api/v1/users', '/api/v1/audit', '/api/v1/enrollment-tokens']) {
      expect((await pageFetch(path)).status, path).toBe(403);
    }
    const create = await pageFetch('/api/v1/enrollment-tokens', 'POST', { client: 'Northside', site: 'Main St' });
    expect(create.status).toBe(403);
  });
});
