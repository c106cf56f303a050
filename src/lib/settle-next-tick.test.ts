import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settleNextTick } from './settle-next-tick.js';

describe('settleNextTick', () => {
  it('runs every arity from 0 to 4 arguments, with every kind of value, and resolves after all of them', async () => {
    const arities = new Map<number, number>();
    const kinds = new Set<string>();
    let ran = 0;
    const settled = settleNextTick(14, (...args) => {
      ran++;
      arities.set(args.length, (arities.get(args.length) ?? 0) + 1);
      for (const arg of args) kinds.add(arg === null ? 'null' : typeof arg);
    });
    assert.equal(ran, 0, 'the ticks run on the next tick, not synchronously');
    await settled;
    assert.equal(ran, 14 * 5);
    assert.deepEqual([...arities.entries()].sort(), [[0, 14], [1, 14], [2, 14], [3, 14], [4, 14]]);
    assert.deepEqual([...kinds].sort(), ['function', 'null', 'number', 'object', 'string', 'undefined']);
  });
});
