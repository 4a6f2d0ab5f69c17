// The site's main flows in a real browser: Debian's Chromium driven by playwright-core, at 1280 px
// and on a 390 px phone, light and dark. On every page it visits it runs axe-core (serious and
// critical violations fail) and, on the phone, checks nothing scrolls sideways; the console must
// stay free of errors (a CSP violation is one) and no request of the site's may fail.
//
// Screenshots: `TESSERA_SCREENSHOTS=1` writes them to docs/screenshots (the README shows them);
// otherwise to apps/site/.reports/screenshots, which git ignores, so `npm test` leaves the tree clean.
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSite } from '@tessera/testing';
import { createDemoSite, EDITOR_EMAIL, EDITOR_PASSWORD } from './helpers.ts';

const SCREENSHOTS = new URL(
  process.env.TESSERA_SCREENSHOTS === '1'
    ? '../../../docs/screenshots/'
    : '../.reports/screenshots/',
  import.meta.url,
).pathname;
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
};
/** A flow visits a dozen pages, each audited by axe: far longer than a unit test. */
const FLOW = { timeout: 180_000 };

/** A browser tab that records what went wrong on every page it showed. */
interface Tab {
  page: Page;
  /** Problems found so far: axe violations, sideways scrolling, console errors, failed requests. */
  problems: string[];
  /** Audits the page now shown, and screenshots it as `<name>-<kind>.png` when named (`whole`: all of it). */
  check(name?: string, whole?: boolean): Promise<void>;
  /** The next page is meant to answer `status` (a refused form): not a problem, once. */
  expectStatus(status: number): void;
}

describe('a visitor and an editor in a real browser', () => {
  let t: TestSite;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createDemoSite();
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function open(kind: 'desktop' | 'phone' | 'dark'): Promise<Tab> {
    const options = kind === 'phone' ? PHONE : DESKTOP;
    const context = await browser.newContext({
      ...options,
      colorScheme: kind === 'dark' ? 'dark' : 'light',
    });
    const page = await context.newPage();
    const problems: string[] = [];
    let expected: number | undefined;
    page.on('console', (m) => {
      // Chromium reports every 4xx document as a console error, the expected one too.
      if (m.type() === 'error' && !(expected && m.text().includes(`status of ${expected}`)))
        problems.push(`console on ${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`script error on ${page.url()}: ${e.message}`));
    page.on('response', (r) => {
      if (r.url().startsWith(base) && r.status() >= 400 && r.status() !== expected)
        problems.push(`${r.request().method()} ${r.url()} answered ${r.status()}`);
    });
    return {
      page,
      problems,
      expectStatus(status) {
        expected = status;
      },
      async check(name, whole = false) {
        await page.waitForLoadState('load');
        const where = `${kind} ${new URL(page.url()).pathname}`;
        const { violations } = await new AxeBuilder({ page }).analyze();
        for (const v of violations)
          if (v.impact === 'serious' || v.impact === 'critical')
            problems.push(
              `axe on ${where}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
            );
        // Expressions run in the page (this file is compiled without the DOM's types).
        const sideways = await page.evaluate<number>(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
        if (sideways > 0) problems.push(`${where} scrolls ${sideways} px sideways`);
        if (name) {
          await page.evaluate('window.scrollTo(0, 0)');
          await page.screenshot({ path: `${SCREENSHOTS}${name}-${kind}.png`, fullPage: whole });
        }
        expected = undefined;
      },
    };
  }

  /** Clicks and waits for the page it leads to. */
  const follow = (page: Page, selector: string) =>
    Promise.all([page.waitForNavigation(), page.click(selector)]);

  it(
    'registers, logs in, writes a tagged entry, finds it on the list and its tag page, writes to the site, logs out',
    FLOW,
    async () => {
      const tab = await open('desktop');
      const { page } = tab;
      await page.goto(`${base}/`);
      await expect(page.title()).resolves.toContain('Tessera');
      // The header names the site; the page's own heading says something else.
      await expect(page.locator('h1').textContent()).resolves.not.toBe('Tessera');
      await tab.check('home');

      // The favicon the pages name, and the conventional address, both answer.
      const icon = await page.locator('link[rel=icon]').getAttribute('href');
      expect((await page.request.get(`${base}${icon}`)).status()).toBe(200);
      expect((await page.request.get(`${base}/favicon.ico`)).status()).toBe(200);

      // Register: the new account is signed in, lands on the home page (the site's redirect) and
      // is welcomed there.
      await follow(page, 'header >> text=Register');
      await tab.check();
      await page.fill('#id_email', 'reader@example.com');
      await page.fill('#id_displayName', 'Rita Reader');
      await page.fill('#id_password', 'a long and unusual passphrase 9');
      await page.fill('#id_passwordConfirm', 'a long and unusual passphrase 9');
      await Promise.all([page.waitForURL(`${base}/`), page.click('main form button[type=submit]')]);
      await expect(page.locator('.messages').textContent()).resolves.toContain(
        'Welcome, Rita Reader',
      );
      await expect(page.locator('header .nav-user').textContent()).resolves.toBe('Rita Reader');
      await tab.check();
      await follow(page, 'header button:has-text("Log out")');

      // A wrong password: the error is said once, above the form.
      await follow(page, 'header >> text=Log in');
      await page.fill('#id_email', EDITOR_EMAIL);
      await page.fill('#id_password', 'not the password');
      tab.expectStatus(422);
      await follow(page, 'main form button[type=submit]');
      await expect(page.locator('.errorlist.nonfield').count()).resolves.toBe(1);
      await tab.check('login');

      // Log in as the staff editor: confirmed, with Write and Drafts in the header.
      await page.fill('#id_password', EDITOR_PASSWORD);
      await follow(page, 'main form button[type=submit]');
      await expect(page.locator('.messages').textContent()).resolves.toContain(
        'You are signed in as Demo Editor',
      );
      await expect(page.locator('header a:has-text("Drafts")').count()).resolves.toBe(1);
      await tab.check();
      await follow(page, 'header >> text=Drafts');
      await expect(page.locator('.drafts .status').first().textContent()).resolves.toBe('Draft');
      await tab.check();

      // Write an entry with tags, preview it, then save it.
      await follow(page, 'header >> text=Write');
      await page.fill('#id_title', 'Composing sites from parts');
      await page.fill(
        '#id_body',
        [
          'A site is a list of apps.',
          '',
          '**Each app does one thing.**',
          '',
          '```ts',
          "export const site = defineSettings({ apps: [auth(), tagging(), blog(), contactForm(), cache({ backend: 'redis' })] });",
          '```',
        ].join('\n'),
      );
      await page.selectOption('#id_status', 'live');
      await page.fill('#id_tags', 'browser-test, "reusable apps"');
      await tab.check('editor', true);
      await follow(page, 'main form button:has-text("Preview")');
      await expect(page.locator('.preview-frame .status').textContent()).resolves.toBe('Published');
      await expect(
        page.locator('.preview-frame .entry-tags .tag').allTextContents(),
      ).resolves.toEqual(['browser-test', 'reusable apps']);
      await tab.check('preview');
      await follow(page, 'main form button[type=submit]:not(:has-text("Preview"))');
      await expect(page.locator('h1').first().textContent()).resolves.toContain(
        'Composing sites from parts',
      );
      await expect(
        page.locator('strong', { hasText: 'Each app does one thing.' }).count(),
      ).resolves.toBe(1);
      await tab.check('entry');

      // It is on the blog's list, with an excerpt of its first paragraph, and on its tag's page.
      await follow(page, 'header >> text=Blog');
      const summary = page.locator('.entry-summary', { hasText: 'Composing sites from parts' });
      await expect(summary.locator('.entry-excerpt').textContent()).resolves.toBe(
        'A site is a list of apps. Each app does one thing.',
      );
      await tab.check();
      await page.goto(`${base}/tags/browser-test`);
      await expect(page.locator('main').textContent()).resolves.toContain(
        'Composing sites from parts',
      );
      await tab.check();
      await follow(page, 'header >> text=Tags');
      await tab.check();

      // The contact form, with the site's extra field before the message, ends on the site's own
      // thank-you page.
      await follow(page, 'header >> text=Contact');
      const names = await page
        .locator('main form .field')
        .evaluateAll((fields) => fields.map((f) => f.getAttribute('data-field')));
      expect(names).toEqual(['name', 'email', 'topic', 'message']);
      await page.fill('#id_name', 'Rita Reader');
      await page.fill('#id_email', 'rita@example.com');
      await page.selectOption('#id_topic', 'work');
      await page.fill('#id_message', 'Could we build a site together?');
      await tab.check('contact');
      await follow(page, 'main form button[type=submit]');
      await expect(page.locator('h1').textContent()).resolves.toBe('Thanks for writing');
      await tab.check();
      // Mailed by its delivery job, outside the request: run it as the worker would.
      await t.site.jobs.drain({ only: 'contact-form:deliver' });
      const mail = t.outbox.at(-1);
      expect(mail?.text).toContain('Could we build a site together?');
      expect(mail?.text).toMatch(/Topic:?\s+(work|Working together)/);

      // A form whose CSRF token went stale says so, without blaming the visitor.
      await follow(page, 'header >> text=Contact');
      await page.locator('main input[name=_csrf]').evaluate((input: { value: string }) => {
        input.value = 'stale';
      });
      await page.fill('#id_name', 'Rita Reader');
      await page.fill('#id_email', 'rita@example.com');
      await page.fill('#id_message', 'Hello again');
      tab.expectStatus(403);
      await follow(page, 'main form button[type=submit]');
      await expect(page.locator('h1').textContent()).resolves.toBe('This form has expired');
      await tab.check();

      // Log out: the header offers logging in again.
      await follow(page, 'header button:has-text("Log out")');
      await expect(page.locator('header').textContent()).resolves.toContain('Log in');
      expect(tab.problems).toEqual([]);
    },
  );

  it('fits a phone: a menu without script, nothing wider than the screen', FLOW, async () => {
    const tab = await open('phone');
    const { page } = tab;
    await page.goto(`${base}/`);
    // The navigation is folded behind "Menu" until it is opened.
    await expect(page.locator('.site-nav').isVisible()).resolves.toBe(false);
    await tab.check('home');
    await page.click('summary:has-text("Menu")');
    await expect(page.locator('.site-nav').isVisible()).resolves.toBe(true);
    await tab.check();
    await follow(page, '.site-nav >> text=Blog');
    await tab.check();
    // A demo entry: a heading, a list, a code block wider than the phone and a quote.
    await follow(page, 'main .entry-summary h2 a >> nth=1');
    await tab.check('entry');
    for (const path of ['/tags', '/contact', '/accounts/register']) {
      await page.goto(`${base}${path}`);
      await tab.check();
    }
    await page.goto(`${base}/accounts/login`);
    await tab.check();
    await page.fill('#id_email', EDITOR_EMAIL);
    await page.fill('#id_password', EDITOR_PASSWORD);
    await follow(page, 'main form button[type=submit]');
    await page.click('summary:has-text("Menu")');
    await tab.check('menu-editor');
    await follow(page, '.site-nav >> text=Write');
    await tab.check();
    expect(tab.problems).toEqual([]);
  });

  it('reads well in dark mode', FLOW, async () => {
    const tab = await open('dark');
    const { page } = tab;
    await page.goto(`${base}/`);
    await tab.check('home');
    await follow(page, 'main .entry-summary h3 a >> nth=1');
    await tab.check('entry');
    for (const path of ['/blog', '/tags', '/contact', '/accounts/login']) {
      await page.goto(`${base}${path}`);
      await tab.check();
    }
    expect(tab.problems).toEqual([]);
  });
});
