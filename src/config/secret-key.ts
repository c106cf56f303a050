import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomKeyMaterial } from '../lib/random.js';
import { decodeSecret, type Config } from './config.js';

export const SECRET_KEY_FILE = 'secret-key';

/**
 * The server secret: SECRET_KEY when set, else the key file in DATA_DIR, created (mode 0600) on
 * first start. Several instances must share one key: set SECRET_KEY for them.
 * @example const key = resolveSecretKey(config);
 */
export function resolveSecretKey(config: Pick<Config, 'secretKey' | 'dataDir'>): { key: Buffer; created: boolean } {
  if (config.secretKey) return { key: decodeSecret(config.secretKey)!, created: false };
  const file = join(config.dataDir, SECRET_KEY_FILE);
  if (existsSync(file)) {
    const key = decodeSecret(readFileSync(file, 'utf8').trim());
    if (!key) throw new Error(`${file} does not hold a valid key (64+ hex characters); remove it or set SECRET_KEY`);
    return { key, created: false };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomKeyMaterial(32);
  writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return { key, created: true };
}
