// What the dashboard refuses, seen from Chromium: a viewer limited to one practice sees nothing
// of another (page and API answer 404), a state change without the CSRF token is refused, a
// wrong password five times locks the email with the rate-limit message on the login screen.
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll } from '../e2e/harness.js';
import { addUser, type Dashboard, launchChromium, logIn, startDashboard } from './dashboard-harness.js';
import { EASTSIDE, NORTHSIDE, type SeededHost, seedFleet } from './fleet-seed.js';

const PASSWORD = 'correct horse battery staple';
const ADMIN = { email: 'ada@msp.example', password: PASSWORD, name: 'Ada Lovelace', role: 'admin' as const };
const OWNER = { email: 'owner@eastside.example', password: PASSWORD, name: 'Dr. East', role: 'viewer' as const };
const TECH = { email: 'tia@msp.example', password: PASSWORD, name: 'Tia', role: 'technician' as const };

let dashboard: Dashboard;
let browser: BrowserContext;
let page: Page;
let hosts: Map<string, SeededHost>;

beforeAll(async () => {
  dashboard = await startDashboard();
  addUser(dashboard.dataDir, ADMIN);
  addUser(dashboard.dataDir, { ...OWNER, clients: [EASTSIDE] });
  addUser(dashboard.dataDir, TECH);
  hosts = await seedFleet(dashboard.url, dashboard.dataDir);
  browser = await launchChromium();
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  cleanupAll();
});

async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** A request made by the page itself (its cookie, no CSRF header unless given). */
function pageFetch(path: string, init: { method?: string; body?: unknown; csrf?: string } = {}) {
  return page.evaluate(
    async ({ path, method, body, csrf }) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (csrf) headers['x-csrf-token'] = csrf;
      const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    },
    { path, method: init.method ?? 'GET', body: init.body, csrf: init.csrf },
  );
}

async function logOut(): Promise<void> {
  await page.locator('button.nav-logout').click();
  await page.locator('#login-email').waitFor();
}

describe('dashboard access in Chromium', () => {
  it('shows a viewer limited to one practice nothing of another, in the page and through the API', async () => {
    const northsideHost = hosts.get('EMR-SRV01') as SeededHost;
    await page.goto(`${dashboard.url}/`);
    await logIn(page, OWNER.email, OWNER.password);
    await expect.poll(() => page.locator('.host-row').count()).toBe(2);
    const fleet = await text(page.locator('main'));
    expect(fleet).toContain('DENTAL-SRV');
    expect(fleet).toContain('XRAY-WS');
    for (const [name, host] of hosts) {
      if (host.client !== EASTSIDE) expect(fleet).not.toContain(name);
    }
    expect(fleet).not.toContain(NORTHSIDE);
    expect(fleet).not.toContain('Harbor');
    expect(await text(page.locator('.nav-user'))).toMatch(/Dr\. East\s*viewer/);
    // No admin pages in the nav bar for a viewer.
    expect(
      await page.locator('.nav-link').evaluateAll((links) => links.map((a) => a.getAttribute('data-route'))),
    ).toEqual(expect.not.arrayContaining(['users', 'audit']));

    // The page for another practice's host says "not found", like a host that does not exist.
    await page.goto(`${dashboard.url}/#/host/${northsideHost.agentId}`);
    await page.locator('.not-found').waitFor();
    expect(await text(page.locator('main'))).toMatch(/Not found\s*no host ag_/);
    expect(await text(page.locator('main'))).not.toContain('EMR-SRV01');

    // The API says the same to the viewer's session.
    const host = await pageFetch(`/api/v1/hosts/${northsideHost.agentId}`);
    expect(host).toEqual({ status: 404, json: { error: 'not_found', message: `no host ${northsideHost.agentId}` } });
    const series = await pageFetch(`/api/v1/hosts/${northsideHost.agentId}/series?check=cpu&metric=used_percent`);
    expect(series.status).toBe(404);
    const alerts = await pageFetch('/api/v1/alerts?state=all');
    expect(alerts.status).toBe(200);
    expect(JSON.stringify(alerts.json)).not.toContain(NORTHSIDE);
    const own = await pageFetch(`/api/v1/hosts/${hosts.get('DENTAL-SRV')?.agentId}`);
    expect(own.status).toBe(200);

    // A viewer gets no acknowledge or silence buttons (and the API would say 403).
    await page.goto(`${dashboard.url}/#/alerts?tab=history`);
    await page.locator('.tabs').waitFor();
    expect(await page.locator('button.ack-button, button.silence-button').count()).toBe(0);
    await logOut();
  }, 60_000);

  it('refuses a state change without the CSRF token (403) and accepts it with the token', async () => {
    await logIn(page, TECH.email, TECH.password);
    const silence = { matchers: ['host=EMR-SRV01'], duration: '1h', reason: 'csrf probe' };
    const refused = await pageFetch('/api/v1/silences', { method: 'POST', body: silence });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toBe('csrf');
    const wrong = await pageFetch('/api/v1/silences', { method: 'POST', body: silence, csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    expect((await pageFetch('/api/v1/silences')).json).toEqual({ silences: [] });

    // The page's own client sends the token it got from GET /api/v1/session.
    const { json: session } = await pageFetch('/api/v1/session');
    const accepted = await pageFetch('/api/v1/silences', {
      method: 'POST',
      body: silence,
      csrf: String(session.csrf_token),
    });
    expect(accepted.status).toBe(201);
    // Logging out is a state change too; without the token the session survives.
    expect((await pageFetch('/api/v1/session', { method: 'DELETE' })).status).toBe(403);
    expect((await pageFetch('/api/v1/session')).status).toBe(200);
    await logOut();
    expect((await pageFetch('/api/v1/session')).status).toBe(401);
  }, 60_000);

  it('shows the rate-limit message on the login screen after five wrong passwords', async () => {
    await page.goto(`${dashboard.url}/`);
    await page.locator('#login-email').waitFor();
    const message = page.locator('.login-message');
    for (let attempt = 1; attempt <= 5; attempt++) {
      await page.locator('#login-email').fill(ADMIN.email);
      await page.locator('#login-password').fill(`wrong password ${attempt}`);
      await page.locator('.login-card button[type=submit]').click();
      await expect.poll(() => text(message)).toBe('Email or password is wrong.');
      await page.locator('.login-card button[type=submit]:not([disabled])').waitFor();
      await message.evaluate((el) => {
        el.textContent = '';
      });
    }
    // The sixth try, even with the right password, is refused with the time to wait.
    await page.locator('#login-password').fill(ADMIN.password);
    await page.locator('.login-card button[type=submit]').click();
    await expect.poll(() => text(message)).toMatch(/^Too many attempts, try again in \d+ s\.$/);
    const seconds = Number((await text(message)).match(/in (\d+) s/)?.[1]);
    expect(seconds).toBeGreaterThan(800);
    expect(seconds).toBeLessThanOrEqual(900);
    expect(await page.locator('.login-card button[type=submit]').isDisabled()).toBe(true);
    expect(await page.locator('.topbar').count()).toBe(0);
  }, 60_000);
});
