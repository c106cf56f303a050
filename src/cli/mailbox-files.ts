import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * The local mailbox's `.eml` files by outbox job id. The mailbox names each file
 * `<time>-<outbox id>.eml` under DATA_DIR/mail (mail-transport.ts); a missing folder is an empty
 * mailbox.
 * @example (await mailboxFiles(config.dataDir)).get(message.outboxId) // '/srv/data/mail/2026-…-0193….eml'
 */
export async function mailboxFiles(dataDir: string): Promise<Map<string, string>> {
  const folder = resolve(join(dataDir, 'mail'));
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const files = new Map<string, string>();
  for (const name of names) {
    const match = /-([0-9a-f-]{36})\.eml$/.exec(name);
    if (match) files.set(match[1]!, join(folder, name));
  }
  return files;
}
