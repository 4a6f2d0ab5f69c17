import { createServer, type Socket } from 'node:net';

/** One message an SMTP capture received: its envelope recipients and its raw DATA (dot-unstuffed). */
export interface CapturedMail {
  to: string[];
  data: string;
}

/** A running SMTP capture: its port, what it received in order, and `close()`. */
export interface SmtpCapture {
  port: number;
  messages: CapturedMail[];
  /** Drops open connections and stops listening. */
  close(): Promise<void>;
}

/**
 * Just enough of an SMTP server on loopback to accept messages and keep each one, for tests that
 * watch what a separate process mails (`SMTP_URL=smtp://127.0.0.1:<port>`). Port 0 picks a free one.
 */
export function startSmtpCapture(opts: { port?: number } = {}): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
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
            messages.push({ to, data });
            data = '';
            to = [];
            socket.write('250 queued\r\n');
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
        close: () =>
          new Promise<void>((res) => {
            for (const s of sockets) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}
