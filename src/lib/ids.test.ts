import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isId, newId } from './ids.js';

describe('newId: UUIDv7 (RFC 9562 §5.7)', () => {
  it('carries the time in its first 48 bits, version 7 and variant 10', () => {
    const at = new Date('2026-12-05T23:59:58.123Z');
    const id = newId(at);
    assert.ok(isId(id), id);
    assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at.getTime());
    assert.equal(id[14], '7');
    assert.match(id[19]!, /^[89ab]$/);
  });

  it('sorts by creation time as text, and never repeats', () => {
    const ids = [0, 1, 2, 1000, 86_400_000].map((offset) => newId(new Date(1_700_000_000_000 + offset)));
    assert.deepEqual([...ids].sort(), ids);
    const many = new Set(Array.from({ length: 10_000 }, () => newId(new Date(1_700_000_000_000))));
    assert.equal(many.size, 10_000, 'the same millisecond still gives distinct ids');
  });

  it('keeps 74 random bits: every random hex digit varies', () => {
    const ids = Array.from({ length: 2_000 }, () => newId(new Date(0)));
    for (const position of [15, 16, 17, 20, 21, 22, ...Array.from({ length: 12 }, (_, i) => 24 + i)]) {
      assert.ok(new Set(ids.map((id) => id[position])).size >= 15, `position ${position}`);
    }
    assert.equal(new Set(ids.map((id) => id[19])).size, 4, 'the variant digit takes 8, 9, a and b');
  });
});
