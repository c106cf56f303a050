import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on 127.0.0.1 for a browser test's server (SMTP_URL): keeps every message, parsed. */
export class SmtpInbox {
  readonly received: ParsedMail[] = [];
  private server: SMTPServer | undefined;
  port = 0;

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 1_000,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then((mail) => {
          this.received.push(mail);
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.server.address() as { port: number }).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  to(address: string): ParsedMail[] {
    return this.received.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.value.some((v) => v.address === address)));
  }

  /** Waits until `address` has received `count` messages and returns the last one. */
  async waitFor(address: string, count: number, ms = 15_000): Promise<ParsedMail> {
    const deadline = Date.now() + ms;
    for (;;) {
      const mails = this.to(address);
      if (mails.length >= count) return mails[count - 1]!;
      if (Date.now() > deadline) throw new Error(`${address} received ${mails.length} of ${count} emails within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The one-time reveal link of an API user's invitation email. */
export function revealLinkOf(mail: ParsedMail): string {
  const match = /https?:\/\/\S+\/reveal#token=[A-Za-z0-9_-]+/.exec(mail.text ?? '');
  if (!match) throw new Error(`no reveal link in: ${mail.text}`);
  return match[0];
}
