import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

/** A built UI in miniature: index.html and one hashed asset, as `vite build` writes them. */
function fakeBuild(): string {
  const root = mkdtempSync(join(tmpdir(), 'apiusers-web-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>apiusers</title><div id="root"></div>');
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'assets', 'index-3f9a1c.js'), 'console.log("ui")');
  return root;
}

describe(`Web UI serving and the SPA fallback (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let root: string;
  before(async () => {
    root = fakeBuild();
    t = await startTestApp({ webRoot: root });
  });
  after(async () => {
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('a page of the UI (reload of /administrators) answers index.html, revalidated on every load', async () => {
    for (const url of ['/', '/administrators', '/settings/access/api-users?q=magento']) {
      const response = await t.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200, url);
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.equal(response.headers['cache-control'], 'no-cache');
      assert.match(response.body, /<div id="root">/);
    }
  });

  it('hashed assets are cached for a year', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/assets/index-3f9a1c.js' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  it('server paths keep their problem+json 404 and 405; a POST to a UI path is not answered with HTML', async () => {
    for (const url of ['/v1/nothing-here', '/v2/nothing', '/oauth/nothing', '/metrics/x', '/docs/nothing/here/at/all']) {
      const response = await t.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.headers['content-type'], 'application/problem+json', url);
    }
    const wrongMethod = await t.app.inject({ method: 'DELETE', url: '/v2/account-info' });
    assert.equal(wrongMethod.statusCode, 405);
    assert.equal(wrongMethod.headers.allow, 'GET');
    const post = await t.app.inject({ method: 'POST', url: '/administrators', payload: {} });
    assert.equal(post.statusCode, 404);
    assert.equal(post.headers['content-type'], 'application/problem+json');
  });

  it('without a built UI, / is a problem+json 404 (the API never depends on the UI build)', async () => {
    const bare = await startTestApp({ webRoot: null });
    try {
      const response = await bare.app.inject({ method: 'GET', url: '/administrators' });
      assert.equal(response.statusCode, 404);
      assert.equal(response.headers['content-type'], 'application/problem+json');
    } finally {
      await bare.close();
    }
  });
});
