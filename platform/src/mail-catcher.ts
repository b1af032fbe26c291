import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message a catcher received over SMTP. */
export interface CaughtMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  receivedAt: Date;
}

export interface MailCatcher {
  /** Where to send: `smtp://127.0.0.1:<port>` (no TLS, no authentication). */
  readonly url: string;
  /** Every message received so far, oldest first. */
  mails(): readonly CaughtMail[];
  /**
   * The first message to `to` (any letter case) received after `since` (default: ever), now or
   * when it arrives; rejects after `timeoutMs` (default 10 s) with what did arrive.
   */
  waitFor(to: string, options?: { since?: Date; timeoutMs?: number }): Promise<CaughtMail>;
  close(): Promise<void>;
}

/**
 * A real SMTP server that keeps what it receives in memory: where mail goes in development
 * (`pnpm start` without SMTP_URL: identity logs each message) and in tests, which read codes out
 * of it as a person would out of their inbox. Production sends through SMTP_URL instead.
 */
export async function startMailCatcher(
  options: { host?: string; port?: number; onMail?: (mail: CaughtMail) => void } = {},
): Promise<MailCatcher> {
  const received: CaughtMail[] = [];
  const waiters = new Set<(mail: CaughtMail) => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const mail: CaughtMail = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            receivedAt: new Date(),
          };
          received.push(mail);
          options.onMail?.(mail);
          for (const waiter of waiters) waiter(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://${host}:${port}`,
    mails: () => received,
    waitFor(to, { since = new Date(0), timeoutMs = 10_000 } = {}) {
      const address = to.toLowerCase();
      const matches = (mail: CaughtMail) => mail.to.includes(address) && mail.receivedAt >= since;
      const already = received.find(matches);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = received.map((m) => `${m.to.join(',')}: ${m.subject}`).join('; ') || 'none';
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms (received: ${seen})`));
        }, timeoutMs);
        const waiter = (mail: CaughtMail) => {
          if (!matches(mail)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(mail);
        };
        waiters.add(waiter);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
