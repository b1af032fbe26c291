import type { Clock } from '@walletgraph/platform/clock';
import { ConfigError } from '@walletgraph/platform/config';
import type { EffectHandlers } from '@walletgraph/platform/consumer';
import type { Logger } from '@walletgraph/platform/logger';
import { type MailCatcher, startMailCatcher } from '@walletgraph/platform/mail-catcher';
import { createTransport } from 'nodemailer';
import { addressReuseMail, verificationMail } from './domain/verification.ts';

/** Sends one plain-text mail; throws when the SMTP server did not accept it. */
export interface Mailer {
  send(mail: { to: string; subject: string; text: string }): Promise<void>;
  close(): Promise<void>;
}

export interface MailerOptions {
  /** SMTP_URL; without it (never in production) mail goes to an in-process catcher that logs it. */
  smtpUrl: string | undefined;
  from: string;
  isProduction: boolean;
  logger: Logger;
}

/**
 * The mailer over SMTP (nodemailer). Timeouts are short: a send runs in a consumer, which retries
 * with its backoff, so waiting minutes on a stuck server would only hold a message back.
 *
 * Without SMTP_URL outside production, identity starts its own catcher (a real SMTP server on a
 * free local port, platform/src/mail-catcher.ts) and logs each mail it receives, codes
 * included: `pnpm start` shows a developer the code without any mail service.
 */
export async function createMailer(options: MailerOptions): Promise<Mailer> {
  const { logger } = options;
  let catcher: MailCatcher | null = null;
  let url = options.smtpUrl;
  if (!url) {
    if (options.isProduction)
      throw new ConfigError('invalid configuration:\n  SMTP_URL: required in production');
    catcher = await startMailCatcher({
      onMail: (mail) =>
        logger.info(
          { to: mail.to, subject: mail.subject, text: mail.text },
          'mail caught (no SMTP_URL: development catcher)',
        ),
    });
    url = catcher.url;
  }
  const transport = createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail) {
      await transport.sendMail({ from: options.from, ...mail });
    },
    async close() {
      transport.close();
      await catcher?.close();
    },
  };
}

/**
 * The mailer's consumer: sends each verification code, and each notice to an address's holder
 * that someone registered with it, at least once (a repeat mails the same again, harmless). A request whose code expired while the mail was held back (a broker or
 * SMTP outage) is dropped: the user asks for a new code.
 */
export function mailerHandlers(mailer: Mailer, logger: Logger, clock: Clock): EffectHandlers {
  return {
    async 'identity.email_verification_requested.v1'(event) {
      const { email, code, expiresAt } = event.data;
      const expires = new Date(expiresAt);
      if (expires.getTime() <= clock.now().getTime()) {
        logger.warn({ userId: event.data.userId }, 'verification code expired before it could be mailed');
        return;
      }
      await mailer.send({ to: email, ...verificationMail(code, expires) });
    },
    async 'identity.address_reuse_attempted.v1'(event) {
      await mailer.send({ to: event.data.email, ...addressReuseMail() });
    },
  };
}
