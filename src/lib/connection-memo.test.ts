import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionMemo } from './connection-memo.js';

describe('ConnectionMemo', () => {
  it('derives once per connection while the same credential repeats, again on any change', () => {
    const memo = new ConnectionMemo<string>();
    const derived: string[] = [];
    const derive = (credential: string) => {
      derived.push(credential);
      return `key(${credential})`;
    };
    const a = {};
    const b = {};
    assert.equal(memo.get(a, 'au_key_one', derive), 'key(au_key_one)');
    assert.equal(memo.get(a, 'au_key_one', derive), 'key(au_key_one)');
    assert.deepEqual(derived, ['au_key_one']);
    // Same length, one character off: a different credential, derived afresh.
    assert.equal(memo.get(a, 'au_key_onf', derive), 'key(au_key_onf)');
    assert.equal(memo.get(a, 'au_key_one', derive), 'key(au_key_one)');
    // Another connection never sees this one's entry.
    assert.equal(memo.get(b, 'au_key_one', derive), 'key(au_key_one)');
    assert.deepEqual(derived, ['au_key_one', 'au_key_onf', 'au_key_one', 'au_key_one']);
  });

  it('remembers null (not a credential) like any other outcome', () => {
    const memo = new ConnectionMemo<string | null>();
    let calls = 0;
    const connection = {};
    for (let i = 0; i < 3; i++) assert.equal(memo.get(connection, 'garbage', () => { calls++; return null; }), null);
    assert.equal(calls, 1);
  });
});
