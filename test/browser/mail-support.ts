import type { ParsedMail } from 'mailparser';

export { SmtpInbox } from '../support/smtp-inbox.js';

/** The one-time reveal link of an API user's invitation email. */
export function revealLinkOf(mail: ParsedMail): string {
  const match = /https?:\/\/\S+\/reveal#token=[A-Za-z0-9_-]+/.exec(mail.text ?? '');
  if (!match) throw new Error(`no reveal link in: ${mail.text}`);
  return match[0];
}
