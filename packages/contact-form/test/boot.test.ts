// A site that composes the contact form wrongly does not boot: the error names the app, the option
// and the fix — from untyped JavaScript settings too, where no compiler helps — and no request is
// ever served by a site that would fail it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import {
  SiteState,
  SystemCheckFailed,
  checkOptions,
  createSite,
  defineSettings,
  tessera,
  type CheckMessage,
  type InstalledApp,
  type SettingsInput,
} from '@tessera/core';
import { TEST_MANAGERS, TEST_SECRET_KEY, type TestSite } from '@tessera/testing';
import { ContactFormOptions, ContactMessage, contactForm } from '../src/index.ts';
import { CONTACT_FORM } from '../src/runtime.ts';
import { DEFAULT_MESSAGE, DEFAULT_MOUNT, createContactSite } from './helpers.ts';

/** The mistakes, made in a plain JavaScript module (nothing typed them). */
const { mistakes } = (await import(
  new URL('./fixtures/untyped/mistakes.js', import.meta.url).href
)) as {
  mistakes: Record<string, () => InstalledApp>;
};

let t: TestSite;

beforeAll(async () => {
  // A site that boots: its database serves the ones that must not.
  t = await createContactSite();
});
afterAll(() => t.close());

/** The settings of a site with `apps` on the test site's database. */
function settings(apps: InstalledApp[], more: Partial<SettingsInput> = {}) {
  return defineSettings({
    env: 'test',
    secretKey: TEST_SECRET_KEY,
    logLevel: 'silent',
    databaseUrl: t.databaseUrl,
    apps,
    routes: { mounts: DEFAULT_MOUNT },
    mail: { transport: 'outbox', from: 'site@example.com', managers: TEST_MANAGERS },
    ...more,
  });
}

/** What the boot refused with: every finding of the failed system checks. */
async function refused(
  apps: InstalledApp[],
  more?: Partial<SettingsInput>,
): Promise<CheckMessage[]> {
  let app;
  try {
    app = await createSite(settings(apps, more));
  } catch (err) {
    if (err instanceof SystemCheckFailed) return [...err.messages];
    throw err;
  }
  await app.close();
  throw new Error('The site booted.');
}

describe('mistakes in untyped settings fail at boot, naming the app, the option and the fix', () => {
  it.each([
    [
      'a misspelled route name for successRedirect',
      'misspelledRoute',
      'tessera.E008',
      "App 'contact-form': option 'successRedirect' names route 'contact-form:snet', which no installed app or the site declares.",
      "Did you mean 'contact-form:sent'?",
    ],
    [
      'a misspelled option',
      'misspelledOption',
      'tessera.E005',
      "App 'contact-form': 'sucessRedirect' is not an option of this app.",
      "Did you mean 'successRedirect'?",
    ],
    [
      'a form of another shape',
      'formOfAnotherShape',
      'tessera.E007',
      "App 'contact-form': option 'form' must extend the app's form 'contact', but form 'register' lacks 'name', 'email', 'message'.",
      'Make it with contact.extend(',
    ],
    [
      'a template that does not exist',
      'misspelledTemplate',
      'tessera.E009',
      "App 'contact-form': option 'sentTemplate' names template 'contact-form/snet.njk', which is not on the template search path.",
      "Did you mean 'contact-form/sent.njk'?",
    ],
    [
      'a honeypot named after a field of the form',
      'honeypotIsAField',
      'contact-form.E001',
      "App 'contact-form': option 'honeypot' is 'email', a field of form 'contact': every message would fill it in",
      "Name the honeypot after no input of the form (the default is 'homepage'), or set honeypot: false.",
    ],
    [
      'a honeypot named after an input every form takes',
      'reservedHoneypot',
      'contact-form.E001',
      "App 'contact-form': option 'honeypot' is '_csrf', an input every form takes (_csrf, csrf_token, submit, next)",
      "the default is 'homepage'",
    ],
    [
      'recipients that are not addresses',
      'recipientsNotAddresses',
      'tessera.E005',
      "App 'contact-form': option 'recipients' must be a non-empty list of email addresses (['you@example.com']) or a function of the message (got [\"nobody\"]).",
      undefined,
    ],
  ])('%s', async (_what, mistake, id, message, hint) => {
    const found = await refused([mistakes[mistake]!()]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ id, level: 'error' });
    expect(found[0]!.message).toContain(message);
    if (hint) expect(found[0]!.hint).toContain(hint);
  });

  it('nobody to mail: no recipients and no managers', async () => {
    const found = await refused([contactForm()], {
      mail: { transport: 'outbox', from: 'site@example.com', managers: [] },
    });
    expect(found).toEqual([
      {
        id: 'contact-form.E002',
        level: 'error',
        message:
          "App 'contact-form' has nobody to mail: neither its option 'recipients' nor the site's mail.managers is set.",
        hint: "Set recipients: ['you@example.com'] (or a function of the message), or the site's mail.managers (MANAGERS).",
      },
    ]);
    // Recipients of its own are enough without managers.
    const own = await createSite(
      settings([contactForm({ recipients: ['desk@example.com'] })], {
        mail: { transport: 'outbox', from: 'site@example.com', managers: [] },
      }),
    );
    await own.close();
  });

  it('reports every finding at once, the app’s beside core’s', async () => {
    const found = await refused([mistakes.twoAtOnce!()], {
      mail: { transport: 'outbox', from: 'site@example.com', managers: [] },
    });
    expect(found.map((m) => m.id)).toEqual([
      'tessera.E008',
      'contact-form.E001',
      'contact-form.E002',
    ]);
  });
});

describe('the app’s checks, as `tessera check` runs them', () => {
  it('find nothing on a site composed well', async () => {
    expect(await contactForm.spec.checks!(t.site)).toEqual([]);
  });

  it('look at the options the site resolved', async () => {
    const state = new SiteState();
    const { options } = checkOptions('contact-form', ContactFormOptions, { honeypot: 'message' });
    state.set(CONTACT_FORM, { options, delivery: t.site.state.get(CONTACT_FORM).delivery });
    const found = await contactForm.spec.checks!({ ...t.site, state });
    expect(found.map((m) => m.id)).toEqual(['contact-form.E001']);
  });
});

describe('regressions', () => {
  // Issue 16: `successRedirect: 'contact-form:snet'` compiled and booted; the POST then answered
  // 500 after the message had been stored and mailed.
  it('a misspelled successRedirect stops the boot, so no request is ever reached', async () => {
    const reached: string[] = [];
    const host = Fastify();
    host.addHook('onRequest', async function seen(request) {
      reached.push(request.url);
    });
    host.register(tessera, {
      ...settings([mistakes.misspelledRoute!()]),
      listeners: (hooks) =>
        hooks.on('contact-form:validate', function spamFilter() {
          reached.push('contact-form:validate');
        }),
    });
    await expect(
      host.inject({ method: 'POST', url: '/contact', payload: DEFAULT_MESSAGE }),
    ).rejects.toThrow(/tessera\.E008: App 'contact-form': option 'successRedirect'/);
    expect(reached).toEqual([]);
    expect(await t.em().count(ContactMessage, {})).toBe(0);
    expect(host.tessera.mail.outbox).toEqual([]);
  });
});
