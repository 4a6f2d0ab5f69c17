import { describe, expect, it } from 'vitest';
import { RegisterForm } from '@tessera/auth';
import { blogSite } from './helpers.ts';

// The mistakes a site can make in the blog's options, made from untyped JavaScript settings (what
// `tsc` refuses in types.test.ts): each fails the boot naming the app, the option and the closest
// valid value — none reaches a request.
const untyped = (options: Record<string, unknown>) => options as never;

describe('the blog’s options at boot', () => {
  it('refuses a misspelled option, or the old nested templates option, naming the closest', async () => {
    const boot = blogSite(untyped({ paginatBy: 5, templates: { detail: 'x.njk' } }));
    await expect(boot).rejects.toThrow(
      /tessera\.E005: App 'blog': 'paginatBy' is not an option of this app\.\s+HINT: Did you mean 'paginateBy'\?/,
    );
    await expect(boot).rejects.toThrow(
      /tessera\.E005: App 'blog': 'templates' is not an option of this app\.\s+HINT: Its options: .*, listTemplate, detailTemplate,/,
    );
  });

  it('refuses a form that does not extend the entry form, naming the fields it lacks', async () => {
    await expect(blogSite(untyped({ form: RegisterForm }))).rejects.toThrow(
      /tessera\.E007: App 'blog': option 'form' must extend the app's form 'entry', but form '[a-z-]+' lacks 'title', 'slug', 'body'/,
    );
    await expect(blogSite(untyped({ form: 'entry' }))).rejects.toThrow(
      /tessera\.E005: App 'blog': option 'form' must be a form made with defineForm\(\)/,
    );
  });

  it('refuses a redirect to a route no app declares, or one that needs parameters', async () => {
    await expect(blogSite(untyped({ successRedirect: 'blog:entry-lst' }))).rejects.toThrow(
      /tessera\.E008: App 'blog': option 'successRedirect' names route 'blog:entry-lst', which no installed app or the site declares\.\s+HINT: Did you mean 'blog:entry-list'\?/,
    );
    await expect(blogSite(untyped({ deleteRedirect: 'blog:entry-detail' }))).rejects.toThrow(
      /tessera\.E008: App 'blog': option 'deleteRedirect' names route 'blog:entry-detail' \(\/blog\/:year\/:month\/:slug\), which needs parameters/,
    );
  });

  it('refuses a template no template folder has, naming the closest', async () => {
    await expect(blogSite(untyped({ detailTemplate: 'blog/entry_detial.njk' }))).rejects.toThrow(
      /tessera\.E009: App 'blog': option 'detailTemplate' names template 'blog\/entry_detial\.njk', which is not on the template search path\.\s+HINT: Did you mean 'blog\/entry_detail\.njk'\?/,
    );
  });
});
