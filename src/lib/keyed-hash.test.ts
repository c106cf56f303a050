import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { keyedHash } from './keyed-hash.js';

const reference = (key: Buffer, purpose: string, value: string) =>
  createHmac('sha256', key).update(purpose).update('\0').update(value).digest('base64url');

describe('keyedHash', () => {
  it('is HMAC-SHA-256 byte for byte, for keys shorter than, equal to and longer than a block', () => {
    for (const keyLength of [1, 16, 32, 63, 64, 65, 100, 200]) {
      const key = randomBytes(keyLength);
      for (const value of ['', 'a', 'au_key_Zo2580m7YtY0qJAsjCUC0RdYVf0HAFLm00a38g', randomBytes(300).toString('base64')]) {
        assert.equal(keyedHash(key, 'api_key', value), reference(key, 'api_key', value), `key of ${keyLength} bytes, value ${JSON.stringify(value.slice(0, 20))}`);
      }
    }
  });

  it('encodes the message as UTF-8, as createHmac does for a string', () => {
    const key = randomBytes(32);
    for (const value of ['Zürich', 'пароль', '日本語のパスワード', '😀 emoji \u{1F511}', 'nul\0inside', '\uD800 lone surrogate']) {
      assert.equal(keyedHash(key, 'password', value), reference(key, 'password', value), value);
    }
  });

  it('gives the same answer for messages that do not fit the reused buffer (and right after one)', () => {
    const key = randomBytes(32);
    const long = 'x'.repeat(5000);
    const wide = 'é'.repeat(400); // 800 UTF-8 bytes, 1,200 by the worst-case estimate
    assert.equal(keyedHash(key, 'session', long), reference(key, 'session', long));
    assert.equal(keyedHash(key, 'session', wide), reference(key, 'session', wide));
    // A short message after a long one: nothing of the long one's bytes is hashed with it.
    assert.equal(keyedHash(key, 'session', 'short'), reference(key, 'session', 'short'));
  });

  it('keeps each key apart (one buffer per key), and the purpose separates domains', () => {
    const one = randomBytes(32);
    const two = randomBytes(32);
    const value = 'same value';
    assert.equal(keyedHash(one, 'a', value), reference(one, 'a', value));
    assert.equal(keyedHash(two, 'a', value), reference(two, 'a', value));
    assert.equal(keyedHash(one, 'a', value), reference(one, 'a', value));
    assert.notEqual(keyedHash(one, 'a', value), keyedHash(two, 'a', value));
    assert.notEqual(keyedHash(one, 'a', value), keyedHash(one, 'b', value));
  });
});
