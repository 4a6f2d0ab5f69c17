import { createServer, type Socket } from 'node:net';

/** One message an SMTP capture received: its envelope recipients and its raw DATA (dot-unstuffed). */
export interface CapturedMail {
  to: string[];
  data: string;
}

/** A running SMTP capture: its port, what it received in order, and `close()`. */
export interface SmtpCapture {
  port: number;
  /** The messages it accepted (answered `250`), in order. */
  messages: CapturedMail[];
  /**
   * With `hold`: messages whose DATA has ended and which wait for an answer, the sender's
   * connection held open. A message leaves when `release()` accepts it, or its sender goes away.
   */
  held: CapturedMail[];
  /** Stops holding: accepts every held message (and every later one at once). */
  release(): void;
  /** Drops open connections and stops listening. */
  close(): Promise<void>;
}

/**
 * Just enough of an SMTP server on loopback to accept messages and keep each one, for tests that
 * watch what a separate process mails (`SMTP_URL=smtp://127.0.0.1:<port>`). Port 0 picks a free one.
 * `hold: true` makes a slow mail server: it takes each message but answers nothing after its DATA
 * until `release()`, so the sender waits (see `held`).
 */
export function startSmtpCapture(
  opts: { port?: number; hold?: boolean } = {},
): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const held: CapturedMail[] = [];
  const waiting = new Map<CapturedMail, Socket>();
  let holding = opts.hold === true;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      // A sender that went away before the answer never had its message accepted.
      for (const [mail, s] of waiting)
        if (s === socket) {
          waiting.delete(mail);
          held.splice(held.indexOf(mail), 1);
        }
    });
    socket.on('error', () => {});
    let inData = false;
    let data = '';
    let to: string[] = [];
    let buffer = '';
    socket.write('220 tessera-test ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let at: number;
      while ((at = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const mail = { to, data };
            data = '';
            to = [];
            if (holding) {
              held.push(mail);
              waiting.set(mail, socket);
            } else {
              messages.push(mail);
              socket.write('250 queued\r\n');
            }
          } else data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
        } else if (/^(EHLO|HELO)/i.test(line)) socket.write('250 tessera-test\r\n');
        else if (/^RCPT TO:/i.test(line)) {
          to.push(line.replace(/^RCPT TO:\s*<?([^>\s]*)>?.*$/i, '$1'));
          socket.write('250 ok\r\n');
        } else if (/^DATA/i.test(line)) {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        port,
        messages,
        held,
        release() {
          holding = false;
          for (const [mail, socket] of waiting) {
            messages.push(mail);
            socket.write('250 queued\r\n');
          }
          waiting.clear();
          held.length = 0;
        },
        close: () =>
          new Promise<void>((res) => {
            for (const s of sockets) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}
