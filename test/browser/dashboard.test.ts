// The technician's path through the real dashboard in Debian's Chromium: log in, find the
// CRITICAL host first in the fleet, open it, read its disk forecast off the chart, acknowledge
// its alert with a comment, silence another from the alerts page. Saves the README's screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll } from '../e2e/harness.js';
import { addUser, type Dashboard, launchChromium, logIn, SCREENSHOTS, startDashboard } from './dashboard-harness.js';
import { FILLING_DISK, type SeededHost, seedFleet } from './fleet-seed.js';

const ADMIN = { email: 'ada@msp.example', password: 'correct horse battery staple', name: 'Ada Lovelace' };

let dashboard: Dashboard;
let browser: BrowserContext;
let page: Page;
let hosts: Map<string, SeededHost>;

beforeAll(async () => {
  dashboard = await startDashboard();
  addUser(dashboard.dataDir, { ...ADMIN, role: 'admin' });
  hosts = await seedFleet(dashboard.url, dashboard.dataDir);
  browser = await launchChromium();
  page = await browser.newPage();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  cleanupAll();
});

/** The element's text as the DOM holds it (no layout spacing between elements). */
async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** Pixels of the forecast line's colour (#d32f2f) on a chart's canvas. */
function forecastPixels(chart: Locator): Promise<number> {
  return chart.locator('canvas').evaluate((canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = (c.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0, data[i + 3] ?? 0];
      if (a > 128 && r > 180 && g < 90 && b < 90) n++;
    }
    return n;
  });
}

/** A screenshot for the README, with the mouse out of the way so no row shows its hover colour. */
async function screenshot(name: string): Promise<void> {
  await page.mouse.move(0, 0);
  // The passing "Acknowledged: …" notice is not part of the page.
  await page.locator('.notice').evaluate((el) => {
    (el as HTMLElement).hidden = true;
  });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('dashboard in Chromium', () => {
  it('logs in and shows the fleet worst first, the CRITICAL host on top', async () => {
    await page.goto(`${dashboard.url}/`);
    await page.locator('#login-email').waitFor();
    expect(await page.title()).toBe('Log in · Vitals');
    await logIn(page, ADMIN.email, ADMIN.password);
    await expect.poll(() => page.locator('.host-row').count()).toBe(hosts.size);
    const first = page.locator('.host-row').first();
    expect(await first.getAttribute('data-host')).toBe('EMR-SRV01');
    expect(await first.getAttribute('data-level')).toBe('critical');
    expect(await text(first)).toMatch(/Critical[\s\S]*Disk D: has 4\.5 % free/);
    expect(await page.locator('.client h2').allInnerTexts()).toEqual([
      'Northside Family Practice',
      'Harbor Pediatrics',
      'Eastside Dental',
    ]);
    expect(await text(page.locator('.nav-user'))).toMatch(/Ada Lovelace\s*admin/i);
    expect(await text(first.locator('.host-seen'))).toMatch(/^seen (just now|\d+ (s|min) ago)$/);
    await screenshot('fleet');

    // Search and filters narrow the fleet without reloading the page.
    await page.locator('.chip[data-filter="critical"]').click();
    await expect.poll(() => page.locator('.host-row').count()).toBe(1);
    expect(page.url()).toContain('#/fleet?status=critical');
    await page.locator('.chip[data-filter="critical"]').click();
    await page.locator('input.search').fill('dental');
    await expect.poll(() => page.locator('.host-row').allInnerTexts()).toHaveLength(2);
    expect(await text(page.locator('.fleet-list'))).not.toContain('EMR-SRV01');
    await page.locator('input.search').fill('');
    await expect.poll(() => page.locator('.host-row').count()).toBe(hosts.size);
  }, 60_000);

  it('opens the host: its checks in words, charts drawn, the disk forecast dashed with "full in about N days"', async () => {
    await page.locator('.host-row[data-host="EMR-SRV01"]').click();
    await page.locator('h1', { hasText: 'EMR-SRV01' }).waitFor();
    expect(page.url()).toContain(`#/host/${hosts.get('EMR-SRV01')?.agentId}`);
    const critical = page.locator('tr[data-check="disk"][data-target="D:"]');
    expect(await text(critical)).toMatch(/Critical\s*disk D:\s*Disk D: has 4\.5 % free/);
    expect(await page.locator('table.results tbody tr').count()).toBe(6);

    const disk = page.locator(`[data-chart="disk:disk:${FILLING_DISK.target}"]`);
    await disk.locator('canvas').waitFor();
    await disk.locator('.chart-plot[data-drawn="true"]').waitFor();
    // 4.5 % left, 0.05 points an hour: about 90 hours.
    expect(await text(disk.locator('.chart-note.forecast'))).toMatch(/^Full in about [34] days \(/);
    // The forecast line is drawn: the chart's canvas has its red, the CPU chart's has none.
    expect(await forecastPixels(disk)).toBeGreaterThan(100);
    expect(await forecastPixels(page.locator('[data-chart="cpu"]'))).toBe(0);
    for (const key of ['cpu', 'memory', 'disk:disk:C:']) {
      await page.locator(`[data-chart="${key}"] .chart-plot[data-drawn="true"]`).waitFor();
    }
    expect(await text(page.locator('[data-chart="disk:disk:C:"] .chart-note'))).not.toMatch(/Full in/);

    // Another range reads the hourly rollups or raw data again, without leaving the page.
    await page.locator('.seg[data-range="7d"]').click();
    await expect.poll(() => page.url()).toContain('range=7d');
    expect(await text(disk.locator('.chart-note.forecast'))).toMatch(/^Full in about/);
    await page.locator('.seg[data-range="24h"]').click();
  }, 60_000);

  it('acknowledges the critical alert with a comment and shows it acknowledged', async () => {
    const alert = page.locator('.open-alerts article.alert[data-rule="disk_space"]');
    expect(await text(alert)).toContain('Disk D: has 4.5 % free');
    await alert.locator('button.ack-button').click();
    await alert.locator('textarea.ack-comment').fill('New 2 TB disk ordered, swapping it tonight');
    await alert.locator('.ack-form button[type=submit]').click();
    const acked = page.locator('.open-alerts article.alert[data-rule="disk_space"] .tag-ack');
    await acked.waitFor();
    expect(await text(acked)).toMatch(/^Acknowledged by Ada Lovelace/);
    expect(await text(page.locator('.open-alerts .ack-note'))).toBe(
      '“New 2 TB disk ordered, swapping it tonight” — Ada Lovelace',
    );
    await page.locator('[data-chart] .chart-plot[data-drawn="true"]').first().waitFor();
    await screenshot('host');

    // The audit log has it, with who did it.
    const audit = await page.evaluate(async () => (await fetch('/api/v1/audit?limit=20')).json());
    const entry = (
      audit as { audit: { action: string; actor: { name: string }; detail: { comment: string } }[] }
    ).audit.find((e) => e.action === 'alert.ack');
    expect(entry?.actor.name).toBe('Ada Lovelace');
    expect(entry?.detail.comment).toBe('New 2 TB disk ordered, swapping it tonight');
  }, 60_000);

  it('lists alerts by tab, silences one for a duration with a reason', async () => {
    await page.locator('.nav-link[data-route="alerts"]').click();
    await page.locator('.tab[data-tab="open"] .tab-count', { hasText: '4' }).waitFor();
    expect(await text(page.locator('.tab[data-tab="acknowledged"] .tab-count'))).toBe('1');
    expect(await text(page.locator('.tab[data-tab="history"] .tab-count'))).toBe('1');

    const memory = page.locator('article.alert[data-host="RECEPTION-02"]');
    await memory.locator('button.silence-button').click();
    await memory.locator('select.silence-duration').selectOption('24h');
    await memory.locator('input.silence-reason').fill('Waiting for the RAM upgrade on Thursday');
    await memory.locator('.silence-form button[type=submit]').click();
    await page.locator('.tab[data-tab="silenced"] .tab-count', { hasText: '1' }).waitFor();
    // Still open (a silence mutes notifications; the alert stays true), now handled: listed last.
    expect(await text(page.locator('.tab[data-tab="open"] .tab-count'))).toBe('4');
    const order = await page.locator('article.alert').evaluateAll((els) => els.map((e) => e.getAttribute('data-host')));
    expect(order.slice(2)).toEqual(['EMR-SRV01', 'RECEPTION-02']);
    expect(order.slice(0, 2).sort()).toEqual(['HP-WS-02', 'NAS-WG']);

    await page.locator('.tab[data-tab="silences"]').click();
    const silence = page.locator('article.silence');
    expect(await text(silence)).toContain('Waiting for the RAM upgrade on Thursday');
    expect(await silence.locator('.matcher').allInnerTexts()).toEqual([
      'client="Northside Family Practice"',
      'site="Main St"',
      'host=RECEPTION-02',
      'rule=memory',
    ]);
    expect(await text(silence)).toMatch(/by Ada Lovelace .* ends .* \(in 23 h\)/s);

    await page.locator('.tab[data-tab="acknowledged"]').click();
    expect(await text(page.locator('article.alert'))).toContain('Acknowledged by Ada Lovelace');
    await page.locator('.tab[data-tab="history"]').click();
    expect(await text(page.locator('article.alert'))).toMatch(/FRONT-DESK-01[\s\S]*Resolved/);
    await page.locator('.tab[data-tab="open"]').click();
    await screenshot('alerts');
  }, 60_000);

  it('fits a phone: the fleet has no horizontal scroll at 375 px', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${dashboard.url}/#/fleet`);
    await expect.poll(() => page.locator('.host-row').count()).toBe(hosts.size);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: (document.scrollingElement as Element).scrollWidth,
      innerWidth: window.innerWidth,
    }));
    expect(innerWidth).toBe(375);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await screenshot('fleet-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 60_000);
});
