// The admin in a real browser (Debian's Chromium through playwright-core, as browser.test.ts): a
// superuser makes a group that may change entries (and read contact messages, and merge tags),
// puts a user in it; that user signs in, edits an entry — its page and the cached list change —,
// reads a contact message and merges two tags. Every page is audited by axe (serious and critical
// violations fail), must not scroll sideways at 390 px, and the console stays free of errors.
//
// Screenshots: `TESSERA_SCREENSHOTS=1` writes them to docs/screenshots; otherwise to
// apps/site/.reports/screenshots, which git ignores.
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@tessera/auth';
import { makeMessage } from '@tessera/contact-form/testing';
import type { TestSite } from '@tessera/testing';
import { createDemoSite } from './helpers.ts';

const SCREENSHOTS = new URL(
  process.env.TESSERA_SCREENSHOTS === '1'
    ? '../../../docs/screenshots/'
    : '../.reports/screenshots/',
  import.meta.url,
).pathname;
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'];
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
};
const FLOW = { timeout: 240_000 };
const PASSWORD = 'a long and unusual passphrase 9';

describe('the admin in a real browser', () => {
  let t: TestSite;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createDemoSite();
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    mkdirSync(SCREENSHOTS, { recursive: true });
    const em = t.em();
    await createUser(em, { email: 'root@example.com', password: PASSWORD, isSuperuser: true });
    await createUser(em, { email: 'writer@example.com', password: PASSWORD, displayName: 'Wren' });
    await makeMessage(t, {
      data: { name: 'Ada', email: 'ada@example.com', topic: 'work', message: 'Shall we build?' },
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A tab whose every page is audited; `problems` collects what went wrong. */
  async function open(kind: 'desktop' | 'phone') {
    const context = await browser.newContext(kind === 'phone' ? PHONE : DESKTOP);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console on ${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`script error on ${page.url()}: ${e.message}`));
    page.on('response', (r) => {
      if (r.url().startsWith(base) && r.status() >= 400)
        problems.push(`${r.request().method()} ${r.url()} answered ${r.status()}`);
    });
    async function check(name?: string) {
      await page.waitForLoadState('load');
      const where = `${kind} ${new URL(page.url()).pathname}`;
      const { violations } = await new AxeBuilder({ page }).analyze();
      for (const v of violations)
        if (v.impact === 'serious' || v.impact === 'critical')
          problems.push(`axe on ${where}: ${v.id} at ${v.nodes.map((n) => n.target).join(', ')}`);
      const sideways = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      if (sideways > 0) problems.push(`${where} scrolls ${sideways} px sideways`);
      if (name) await page.screenshot({ path: `${SCREENSHOTS}${name}-${kind}.png` });
    }
    return { page, problems, check };
  }

  const follow = (page: Page, selector: string) =>
    Promise.all([page.waitForNavigation(), page.click(selector)]);

  async function signIn(page: Page, email: string) {
    await page.goto(`${base}/accounts/login?next=/admin`);
    await page.fill('#id_email', email);
    await page.fill('#id_password', PASSWORD);
    await follow(page, 'main form button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/admin');
  }

  /** The blog's public list as an anonymous visitor sees it (the cache app stores it). */
  const publicList = async () => (await fetch(`${base}/blog/`)).text();

  it(
    'a superuser grants a group "can change entry"; its member edits an entry, reads a message, merges tags',
    FLOW,
    async () => {
      const admin = await open('desktop');
      let { page } = admin;
      await signIn(page, 'root@example.com');
      await expect(page.locator('h1').textContent()).resolves.toBe('Administration');
      await admin.check('admin-home');

      // A group that may change entries, read contact messages and rename or merge tags.
      await follow(page, 'a[href="/admin/auth/group/add"]');
      await page.fill('#id_name', 'Entry editors');
      for (const permission of [
        'Can change entry (blog.change_entry)',
        'Can view message (contact-form.view_message)',
        'Can change tag (tagging.change_tag)',
      ])
        await page.getByLabel(permission, { exact: true }).check();
      await page.getByLabel('Can change entry (blog.change_entry)').scrollIntoViewIfNeeded();
      await admin.check('admin-group');
      await follow(page, 'main form.admin-form button[type=submit]');
      await expect(page.locator('.messages').textContent()).resolves.toContain('Entry editors');

      // The user joins it and becomes staff.
      await page.goto(`${base}/admin/auth/user?q=writer`);
      await admin.check('admin-users');
      await follow(page, 'main th[scope=row] a');
      await page.check('#id_isStaff');
      await page.getByLabel('Entry editors', { exact: true }).check();
      await admin.check('admin-user');
      await follow(page, 'main form.admin-form button[type=submit]');
      await follow(page, 'header button:has-text("Log out")');
      expect(admin.problems).toEqual([]);

      // The member signs in and sees what the group allows, no more.
      const tab = await open('desktop');
      page = tab.page;
      await signIn(page, 'writer@example.com');
      const offered = await page.locator('.admin-app th a').allTextContents();
      expect(offered.sort()).toEqual(['entries', 'messages', 'tags']);
      await tab.check();

      // Edit an entry: its page and the (cached) public list change.
      expect(await publicList()).not.toContain('Edited in the admin');
      await publicList();
      await follow(page, 'a[href="/admin/blog/entry"]');
      await tab.check('admin-entries');
      await page.goto(`${base}/admin/blog/entry?status=live`);
      const title = (await page.locator('main th[scope=row] a').first().textContent())!;
      await follow(page, 'main th[scope=row] a >> nth=0');
      await tab.check('admin-entry');
      await page.fill('#id_title', 'Edited in the admin');
      await follow(page, 'main form.admin-form button[type=submit]');
      await expect(page.locator('.messages').textContent()).resolves.toContain(
        'Edited in the admin',
      );
      const list = await publicList();
      expect(list).toContain('Edited in the admin');
      expect(list).not.toContain(`>${title}<`);
      await page.goto(`${base}/blog/`);
      await follow(page, 'main a:has-text("Edited in the admin") >> nth=0');
      await expect(page.locator('h1').first().textContent()).resolves.toContain(
        'Edited in the admin',
      );

      // Read the contact message.
      await page.goto(`${base}/admin/contact-form/message?state=pending`);
      await tab.check('admin-messages');
      await follow(page, 'main th[scope=row] a >> nth=0');
      await expect(page.locator('.admin-readonly').textContent()).resolves.toContain(
        'Shall we build?',
      );
      await tab.check('admin-message');

      // Merge two tags: every entry tagged with either keeps the one kept.
      await page.goto(`${base}/admin/tagging/tag`);
      await page.check('input[aria-label="Select caching"]');
      await page.check('input[aria-label="Select performance"]');
      await page.selectOption('#admin-action', 'merge');
      await tab.check('admin-tags');
      await follow(page, 'main form.admin-actions-form button:has-text("Go")');
      await expect(page.locator('.messages').textContent()).resolves.toMatch(/Merged “\w+” into/);
      await expect(page.locator('input[aria-label="Select performance"]').count()).resolves.toBe(
        (await page.locator('input[aria-label="Select caching"]').count()) === 1 ? 0 : 1,
      );

      // The admin's home lists every change, newest first.
      await page.goto(`${base}/admin`);
      await expect(page.locator('.admin-log').textContent()).resolves.toContain('merge');
      expect(tab.problems).toEqual([]);
    },
  );

  it('fits a 390 px phone', FLOW, async () => {
    const tab = await open('phone');
    const { page } = tab;
    await signIn(page, 'root@example.com');
    await tab.check('admin-home');
    await page.goto(`${base}/admin/blog/entry`);
    await tab.check('admin-entries');
    await follow(page, 'main th[scope=row] a >> nth=0');
    await tab.check('admin-entry');
    await page.goto(`${base}/admin/auth/user`);
    await tab.check();
    expect(tab.problems).toEqual([]);
  });
});
