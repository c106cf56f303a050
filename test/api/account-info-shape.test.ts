import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * GET /v2/account-info is serialized by hand once per cached credential (the hot path); these
 * tests hold that text to the schema the OpenAPI document promises, on the first (uncached) call
 * and on cached ones, for every application the user may use.
 */
describe('GET /v2/account-info answers what its schema promises', () => {
  let t: TestApp;
  let owner: TestSession;
  let validate: ReturnType<Ajv['compile']>;

  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t, { name: 'Acme "Quoted" Corp' });
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    const schema = doc.paths['/v2/account-info'].get.responses['200'].content['application/json'].schema;
    const ajv = new Ajv({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    validate = ajv.compile({ ...schema, additionalProperties: false });
  });
  after(() => t.close());

  it('200 body is valid JSON matching the schema, uncached and cached, with the application asked for', async () => {
    const created = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
      payload: { first_name: 'Zoë', last_name: 'O\'Brien "QA"', description: 'line\nbreak \\ and "quotes"', applications: ['httpapi', 'salesforce'], password: 'Shape-check-2026!', password_confirmation: 'Shape-check-2026!' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const basic = `Basic ${Buffer.from(`${created.json().api_user.username}:Shape-check-2026!`).toString('base64')}`;
    for (const application of ['httpapi', 'salesforce', 'httpapi']) {
      const response = await t.app.inject({ url: '/v2/account-info', headers: { authorization: basic, 'x-application': application } });
      assert.equal(response.statusCode, 200, response.body);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      const body = response.json();
      assert.ok(validate(body), JSON.stringify(validate.errors));
      assert.equal(body.application.key, application);
      assert.equal(body.api_user.name, 'Zoë O\'Brien "QA"');
      assert.equal(body.api_user.description, 'line\nbreak \\ and "quotes"');
      assert.equal(body.organization.name, 'Acme "Quoted" Corp');
      assert.match(body.organization.time_zone_label, /^US - Central \(C[DS]T\)$/);
      assert.deepEqual(body.applications.map((a: { key: string }) => a.key).sort(), ['httpapi', 'salesforce']);
    }
  });
});
