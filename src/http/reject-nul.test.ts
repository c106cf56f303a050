import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findNul } from './reject-nul.js';

describe('findNul', () => {
  it('answers the RFC 6901 pointer of the first value or key holding U+0000', () => {
    assert.equal(findNul({ name: 'ok', description: 'a\u0000b' }), '/description');
    assert.equal(findNul({ api_user: { applications: ['httpapi', 'sales\u0000force'] } }), '/api_user/applications/1');
    assert.equal(findNul({ 'a/b': { 'c~d': 'x\u0000' } }), '/a~1b/c~0d');
    assert.equal(findNul({ ['bad\u0000key']: 'fine' }), '/bad\u0000key');
    assert.equal(findNul('top\u0000level'), '/');
  });

  it('answers null for clean input of any shape', () => {
    for (const value of [{}, [], 'text', 42, null, undefined, true, { a: [{ b: 'c' }, 1, null] }, Object.create(null)]) assert.equal(findNul(value), null);
  });

  it('does not walk inherited properties', () => {
    const child = Object.create({ inherited: 'x\u0000' }) as Record<string, unknown>;
    child.own = 'clean';
    assert.equal(findNul(child), null);
  });
});
