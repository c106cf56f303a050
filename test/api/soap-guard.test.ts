import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The last-user-of-an-application guard over SOAP: the fault keeps the seed guide's warning word
 * for word (as REST does) and tells a SOAP caller how to confirm — it has no query string.
 */

const NS = 'urn:apiusers:api:v2';
const PASSWORD = 'Magento-sync-2026!';
const SOAP11 = ['http://schemas.xmlsoap.org/soap/envelope/', 'text/xml; charset=utf-8'] as const;
const SOAP12 = ['http://www.w3.org/2003/05/soap-envelope', 'application/soap+xml; charset=utf-8'] as const;

const unescape = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const elementText = (xml: string, name: string) => {
  const text = new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>`).exec(xml)?.[1];
  return text === undefined ? undefined : unescape(text);
};

describe(`SOAP last-user guard (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let owner: TestSession;
  let pat: string;
  const usersUrl = () => `/v1/organizations/${owner.organizationId}/api-users`;

  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t, { name: 'Acme Corp' });
    pat = (await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'soap' } })).json().token;
    for (const [key, name] of [['sap-erp', 'SAP ERP'], ['netsuite', 'NetSuite']]) {
      const app = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/applications`, payload: { key, name } });
      assert.equal(app.statusCode, 201, app.body);
    }
  });
  after(() => t.close());

  async function lonelyUser(applications: string[]): Promise<{ id: string; version: number }> {
    const response = await as(t.app, owner, {
      method: 'POST', url: usersUrl(),
      payload: { first_name: 'Melanie', last_name: 'Allen', password: PASSWORD, password_confirmation: PASSWORD, applications },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().api_user;
  }
  const post = ([namespace, contentType]: readonly [string, string], body: string) => t.app.inject({
    method: 'POST', url: '/v2/api.svc', headers: { 'content-type': contentType, authorization: `Bearer ${pat}` },
    payload: `<e:Envelope xmlns:e="${namespace}" xmlns:api="${NS}"><e:Body>${body}</e:Body></e:Envelope>`,
  });

  it('DisableApiUser of the only user of SAP ERP -> 409 "If you disable this user … Send <confirm>true</confirm> to disable anyway.", REST\'s warning; nothing changes', async () => {
    const user = await lonelyUser(['sap-erp']);
    const warning = "'Melanie Allen' is used to connect to 'SAP ERP'. If you disable this user, the integration with 'SAP ERP' will fail.";
    const rest = await as(t.app, owner, { method: 'PATCH', url: `${usersUrl()}/${user.id}`, headers: { 'if-match': `"${user.version}"` }, payload: { status: 'disabled' } });
    assert.equal(rest.statusCode, 409);
    assert.equal(rest.json().detail, `${warning} Repeat with ?confirm=true to disable anyway.`);

    const response = await post(SOAP11, `<api:DisableApiUser><api:id>${user.id}</api:id><api:version>${user.version}</api:version></api:DisableApiUser>`);
    assert.equal(response.statusCode, 409, response.body);
    assert.equal(elementText(response.body, 'code'), 'api_user.last_for_application');
    assert.equal(elementText(response.body, 'faultstring'), `${warning} Send <confirm>true</confirm> to disable anyway.`);
    assert.equal(elementText(response.body, 'detail'), `${warning} Send <confirm>true</confirm> to disable anyway.`);
    assert.equal(elementText(response.body, 'warning'), rest.json().warning);
    assert.doesNotMatch(response.body, /\?confirm=true/);
    const after = await as(t.app, owner, { method: 'GET', url: `${usersUrl()}/${user.id}` });
    assert.equal(after.json().status, 'enabled');
  });

  it('SOAP 1.2 UpdateApiUser removing NetSuite from its only user -> 409 Reason "… Send <confirm>true</confirm> to remove it anyway."; confirm 1 removes it', async () => {
    const user = await lonelyUser(['httpapi', 'netsuite']);
    const change = (confirm: string) => post(SOAP12, `<api:UpdateApiUser><api:id>${user.id}</api:id><api:version>${user.version}</api:version>${confirm}<api:changes><api:applications><api:application>httpapi</api:application></api:applications></api:changes></api:UpdateApiUser>`);
    const refused = await change('');
    assert.equal(refused.statusCode, 409, refused.body);
    const warning = "'Melanie Allen' is used to connect to 'NetSuite'. If you remove 'NetSuite' from this user, the integration with 'NetSuite' will fail.";
    assert.equal(elementText(refused.body, 'soap:Text'), `${warning} Send <confirm>true</confirm> to remove it anyway.`);
    assert.equal(elementText(refused.body, 'warning'), warning);
    const confirmed = await change('<api:confirm>1</api:confirm>');
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.doesNotMatch(confirmed.body, /NetSuite/);
  });
});
