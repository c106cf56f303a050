import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 for tests: keeps every message it accepts, parsed, and can
 * refuse the next ones with a transient 451 (an outage the outbox must retry through).
 * @example const inbox = new SmtpInbox(); await inbox.start(); startTestApp({ env: { SMTP_URL: inbox.url } });
 */
export class SmtpInbox {
  readonly received: ParsedMail[] = [];
  /** Message-IDs of every DATA the server saw, accepted or refused. */
  readonly attempted: string[] = [];
  /** How many of the next messages to refuse with 451. */
  refuseNext = 0;
  private server: SMTPServer | undefined;
  port = 0;

  /** Listens on `port` (0: any free port; pass the old port to come back after stop()). */
  async start(port = 0): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 1_000,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then((mail) => {
          this.attempted.push(mail.messageId ?? '');
          if (this.refuseNext > 0) {
            this.refuseNext -= 1;
            // RFC 5321 §4.2.1: 4yz is a transient failure; the client is expected to retry.
            callback(Object.assign(new Error('Mailbox temporarily unavailable, try again later'), { responseCode: 451 }));
            return;
          }
          this.received.push(mail);
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
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

  /** The messages accepted for `address` (in To), oldest first. */
  to(address: string): ParsedMail[] {
    return this.received.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.value.some((v) => v.address === address)));
  }

  deliveredWith(messageId: string): ParsedMail[] {
    return this.received.filter((m) => m.messageId === messageId);
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
