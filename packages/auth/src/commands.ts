import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fields, pruneRateLimits, type AppCommand, type SiteContext } from '@tessera/core';
import { AUTH } from './runtime.ts';
import { createUser } from './users.ts';

/** How a command talks to whoever runs it; tests pass their own. */
export interface CommandIo {
  /** Standard input: a terminal (prompt) or a pipe (the password is its first line). */
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  out(line: string): void;
  /** Asks a question without echoing the answer. */
  promptHidden(question: string): Promise<string>;
}

async function firstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0]!;
}

/* v8 ignore start -- needs a real terminal; the command is tested with a piped password */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
    let asked = false;
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (!asked) {
        asked = true;
        write.call(rl, s);
      }
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}
/* v8 ignore stop */

/** The process's own terminal. */
export const processIo: CommandIo = {
  input: process.stdin,
  out: (line) => console.log(line),
  promptHidden,
};

const USAGE =
  'usage: tessera createuser --email <address> [--name <display name>] [--staff] [--superuser] [--no-password]\n' +
  '  The password is asked twice on a terminal, or read from the first line of standard input.';

/**
 * `tessera createuser --email a@example.com [--staff] [--superuser]`: makes an account from the
 * command line. Answers 0 when created, 1 when refused (taken email, weak password), 2 on bad usage.
 */
export function createUserCommand(io: CommandIo = processIo): AppCommand {
  return {
    description:
      'createuser --email <address> [--staff] [--superuser]: make an account (password from the prompt or stdin).',
    async run(site: SiteContext, args: string[]) {
      let values;
      try {
        ({ values } = parseArgs({
          args,
          strict: true,
          options: {
            email: { type: 'string' },
            name: { type: 'string', default: '' },
            staff: { type: 'boolean', default: false },
            superuser: { type: 'boolean', default: false },
            'no-password': { type: 'boolean', default: false },
          },
        }));
      } catch (err) {
        io.out(`${(err as Error).message}\n${USAGE}`);
        return 2;
      }
      const parsed = fields.email({ label: 'Email' }).parse(values.email);
      if ('error' in parsed) {
        io.out(
          `--email: ${values.email === undefined ? 'This field is required.' : parsed.error}\n${USAGE}`,
        );
        return 2;
      }
      const email = parsed.value;
      const rt = site.state.get(AUTH);
      let password: string | null = null;
      if (!values['no-password']) {
        if (io.input.isTTY) {
          password = await io.promptHidden('Password: ');
          if ((await io.promptHidden('Password (again): ')) !== password) {
            io.out("Error: the two passwords didn't match.");
            return 1;
          }
        } else {
          password = await firstLine(io.input);
        }
        const weak = await rt.validatePassword(password, { email, displayName: values.name });
        if (weak.length) {
          io.out(weak.map((w) => `Error: ${w}`).join('\n'));
          return 1;
        }
      }
      try {
        const user = await createUser(site.orm.em.fork(), {
          email,
          password,
          displayName: values.name,
          isStaff: values.staff || values.superuser,
          isSuperuser: values.superuser,
        });
        io.out(
          `Created user ${user.email} (id ${user.id})${values.superuser ? ' as a superuser' : values.staff ? ' as staff' : ''}.`,
        );
        return 0;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code !== 'TESSERA_AUTH_EMAIL_TAKEN' && code !== 'TESSERA_AUTH_INVALID_EMAIL') throw err;
        io.out(`Error: ${(err as Error).message}`);
        return 1;
      }
    },
  };
}

/**
 * `tessera auth:prune`: deletes rate-limit counters whose window has ended — auth's and every
 * other app's, which share core's table (core's `pruneRateLimits`).
 */
export function pruneCommand(io: CommandIo = processIo): AppCommand {
  return {
    description: 'Delete rate-limit counters (failed sign-ins and others) whose window has ended.',
    async run(site: SiteContext) {
      const removed = await pruneRateLimits(site.orm.em.fork());
      io.out(`Removed ${removed} expired rate-limit counter${removed === 1 ? '' : 's'}.`);
      return 0;
    },
  };
}
