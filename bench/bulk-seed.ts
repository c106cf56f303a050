import type { Insertable, Selectable } from 'kysely';
import type { Db, Executor } from '../src/db/database.js';
import type { CredentialTable, UserApplicationTable, UserTable } from '../src/db/schema.js';
import { credentialHint, generateCredential } from '../src/lib/credential-format.js';
import { newId } from '../src/lib/ids.js';
import { hashPassword } from '../src/lib/password-hash.js';
import { generatedPasswordHash } from '../src/modules/api-users/api-user-credentials.js';

/*
 * Bulk seeding for the memory bench: rows are cloned from an API user (and key) the REST API
 * created, so every column the application wrote is there, with new ids, usernames and secrets.
 * Straight Kysely inserts, one transaction per batch: 100,000 users through the REST API would
 * take an hour of argon2.
 */

/** The credentials the load phase presents, as an integration would. */
export interface SeededCredentials {
  /** HTTP Basic with a generated password (HMAC-checked): the bulk of the users. */
  generated: Array<{ username: string; password: string }>;
  /** HTTP Basic with a typed password (argon2id on the first call). */
  typed: Array<{ username: string; password: string }>;
  keys: string[];
}

export interface Template {
  user: Selectable<UserTable>;
  password: Selectable<CredentialTable>;
  applications: Array<Selectable<UserApplicationTable>>;
  key: Selectable<CredentialTable> | null;
}

/** Reads the rows of a user the REST API created, to clone. */
export async function readTemplate(db: Executor, userId: string): Promise<Template> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  const credentials = await db.selectFrom('credentials').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  const applications = await db.selectFrom('user_applications').selectAll().where('user_id', '=', userId).execute();
  const password = credentials.find((c) => c.kind === 'password');
  if (!password) throw new Error('the template API user has no password');
  return { user, password, applications, key: credentials.find((c) => c.kind === 'api_key') ?? null };
}

const TYPED_PASSWORD = 'Typed-bench-pw-2026';

/** Shaped like a generated name (apiuser-<12 digits>@domain), numbered so they never collide with each other. */
function username(index: number, domain: string): string {
  return `apiuser-9${String(index).padStart(11, '0')}@${domain}`;
}

async function insertInChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>, size = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

/**
 * Inserts `users` API users cloned from the template, `keysPerUser` API keys each (when the
 * build has keys: `apiKeyHash` given), and gives the first `typedUsers` an argon2id password.
 * @example await bulkSeed(db, template, { users: 100_000, keysPerUser: 2, typedUsers: 200, secretKey, apiKeyHash })
 */
export async function bulkSeed(db: Db, template: Template, options: {
  users: number; keysPerUser: number; typedUsers: number; secretKey: Buffer; apiKeyHash: ((secretKey: Buffer, key: string) => string) | null;
  batch?: number; onProgress?: (done: number) => void;
}): Promise<SeededCredentials> {
  const domain = template.user.username!.split('@')[1]!;
  const seeded: SeededCredentials = { generated: [], typed: [], keys: [] };
  const batch = options.batch ?? 1000;
  const keyTemplate = options.apiKeyHash ? template.key : null;
  for (let start = 0; start < options.users; start += batch) {
    const users: Array<Insertable<UserTable>> = [];
    const credentials: Array<Insertable<CredentialTable>> = [];
    const applications: Array<Insertable<UserApplicationTable>> = [];
    const count = Math.min(batch, options.users - start);
    const typedHashes = await Promise.all(Array.from({ length: Math.max(0, Math.min(count, options.typedUsers - start)) }, () => hashPassword(TYPED_PASSWORD)));
    for (let i = 0; i < count; i++) {
      const index = start + i;
      const id = newId();
      const name = username(index, domain);
      const { version: _version, ...userRow } = template.user;
      users.push({ ...userRow, id, username: name, description: `bench ${index}`, last_sign_in_at: null });
      for (const app of template.applications) applications.push({ ...app, user_id: id });
      const typedHash = typedHashes[i];
      let secretHash: string;
      if (typedHash) {
        secretHash = typedHash;
        seeded.typed.push({ username: name, password: TYPED_PASSWORD });
      } else {
        const password = `Bench${String(index).padStart(19, '0')}`;
        secretHash = generatedPasswordHash(options.secretKey, password);
        seeded.generated.push({ username: name, password });
      }
      credentials.push({ ...template.password, id: newId(), user_id: id, secret_hash: secretHash });
      if (keyTemplate && options.apiKeyHash) {
        for (let k = 0; k < options.keysPerUser; k++) {
          const key = generateCredential('key');
          credentials.push({ ...keyTemplate, id: newId(), user_id: id, secret_hash: options.apiKeyHash(options.secretKey, key), hint: credentialHint(key), name: `bench ${k}`, last_used_at: null });
          seeded.keys.push(key);
        }
      }
    }
    await db.transaction().execute(async (trx) => {
      await insertInChunks(users, (chunk) => trx.insertInto('users').values(chunk).execute());
      await insertInChunks(credentials, (chunk) => trx.insertInto('credentials').values(chunk).execute());
      await insertInChunks(applications, (chunk) => trx.insertInto('user_applications').values(chunk).execute());
    });
    options.onProgress?.(start + count);
  }
  return seeded;
}
