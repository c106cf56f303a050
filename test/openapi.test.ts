import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestApp, type TestApp } from './support/test-app.js';

const run = promisify(execFile);

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: { openapi: string; paths: Record<string, Record<string, { operationId?: string; summary?: string; description?: string; tags?: string[] }>> };
  before(async () => {
    t = await startTestApp();
    const response = await t.app.inject({ url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    doc = response.json();
  });
  after(() => t.close());

  it('is OpenAPI 3.1 and every operation has an id, a summary, a description and a tag', () => {
    assert.equal(doc.openapi, '3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
    assert.ok(operations.length >= 25, `only ${operations.length} operations documented`);
    for (const { path, method, op } of operations) {
      assert.ok(op.operationId, `${method} ${path} has no operationId`);
      assert.ok(op.summary, `${method} ${path} has no summary`);
      assert.ok(op.description, `${method} ${path} has no description`);
      assert.ok(op.tags?.length, `${method} ${path} has no tag`);
    }
  });

  it('lints clean with Redocly recommended rules (no errors, no warnings)', async () => {
    mkdirSync('dist', { recursive: true });
    writeFileSync('dist/openapi.json', JSON.stringify(doc));
    const { stdout, stderr } = await run('npx', ['redocly', 'lint', 'dist/openapi.json', '--format=stylish'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    const output = stdout + stderr;
    assert.match(output, /Your API description is valid/, output);
    assert.doesNotMatch(output, /\d+ warnings?\./, output);
  });

  it('/docs serves the interactive documentation', async () => {
    const response = await t.app.inject({ url: '/docs' });
    assert.ok([200, 302].includes(response.statusCode));
    const page = await t.app.inject({ url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger/i);
  });
});
