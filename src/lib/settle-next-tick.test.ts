import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settleNextTick } from './settle-next-tick.js';

describe('settleNextTick', () => {
  it('resolves after the ticks it scheduled, and after ticks scheduled before it', async () => {
    const order: string[] = [];
    process.nextTick(() => order.push('before'));
    await settleNextTick(100);
    order.push('settled');
    assert.deepEqual(order, ['before', 'settled']);
  });
});
