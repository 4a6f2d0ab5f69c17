// The site's main flows in a real browser: Debian's Chromium driven by playwright-core.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { createDemoSite, EDITOR_EMAIL, EDITOR_PASSWORD } from './helpers.ts';

const SCREENSHOTS = new URL('../../../docs/screenshots/', import.meta.url).pathname;
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('a visitor and an editor in a real browser', () => {
  let t: TestSite;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    t = await createDemoSite();
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 1100, height: 850 } });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const shot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png` });

  it('registers, logs in, writes a tagged entry, finds it on the list and its tag page, writes to the site, logs out', async () => {
    await page.goto(`${base}/`);
    await expect(page.title()).resolves.toContain('Tessera');
    await shot('home');

    // Register: the new account is signed in and lands on the home page (the site's redirect).
    await page.click('text=Register');
    await page.fill('#id_email', 'reader@example.com');
    await page.fill('#id_displayName', 'Rita Reader');
    await page.fill('#id_password', 'a long and unusual passphrase 9');
    await page.fill('#id_passwordConfirm', 'a long and unusual passphrase 9');
    await Promise.all([page.waitForURL(`${base}/`), page.click('main form button[type=submit]')]);
    await expect(page.locator('header').textContent()).resolves.toContain('Rita Reader');
    await Promise.all([
      page.waitForLoadState('load'),
      page.click('header button:has-text("Log out")'),
    ]);

    // Log in as the staff editor.
    await page.click('text=Log in');
    await shot('login');
    await page.fill('#id_email', EDITOR_EMAIL);
    await page.fill('#id_password', EDITOR_PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
    await expect(page.locator('header').textContent()).resolves.toContain('Log out');

    // Write an entry with tags.
    await page.click('header >> text=Write');
    await page.fill('#id_title', 'Composing sites from parts');
    await page.fill('#id_body', 'A site is a list of apps.\n\n**Each app does one thing.**');
    await page.selectOption('#id_status', 'live');
    await page.fill('#id_tags', 'browser-test, "reusable apps"');
    await Promise.all([
      page.waitForNavigation(),
      page.click('main form button[type=submit]:not([name=preview])'),
    ]);
    await expect(page.locator('h1').first().textContent()).resolves.toContain(
      'Composing sites from parts',
    );
    await expect(
      page.locator('strong', { hasText: 'Each app does one thing.' }).count(),
    ).resolves.toBe(1);
    await shot('entry');

    // It is on the blog's list and on its tag's page.
    await page.click('header >> text=Blog');
    await expect(page.locator('main').textContent()).resolves.toContain(
      'Composing sites from parts',
    );
    await page.goto(`${base}/tags/browser-test`);
    await expect(page.locator('main').textContent()).resolves.toContain(
      'Composing sites from parts',
    );

    // The contact form, with the site's extra field, ends on the site's own thank-you page.
    await page.click('header >> text=Contact');
    await page.fill('#id_name', 'Rita Reader');
    await page.fill('#id_email', 'rita@example.com');
    await page.selectOption('#id_topic', 'work');
    await page.fill('#id_message', 'Could we build a site together?');
    await shot('contact');
    await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Thanks for writing');
    const mail = t.outbox.at(-1);
    expect(mail?.text).toContain('Could we build a site together?');
    expect(mail?.text).toMatch(/Topic:?\s+(work|Working together)/);

    // Log out: the header offers logging in again.
    await Promise.all([
      page.waitForLoadState('load'),
      page.click('header button:has-text("Log out")'),
    ]);
    await expect(page.locator('header').textContent()).resolves.toContain('Log in');
  });
});
