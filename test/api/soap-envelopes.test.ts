import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Hand-written SOAP 1.1 envelopes through app.inject(): each way of authenticating, the faults,
 * and the envelopes an attacker sends (XXE, entity expansion, oversize, unknown operations).
 */

const PASSWORD = 'Magento-sync-2026!';
const NS = 'urn:apiusers:api:v2';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';
const PASSWORD_DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const BODY_LIMIT = 16384;

const envelope = (body: string, header = '') =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:api="${NS}">` +
  `${header ? `<soap:Header>${header}</soap:Header>` : ''}<soap:Body>${body}</soap:Body></soap:Envelope>`;
const usernameToken = (username: string, password: string, type = PASSWORD_TEXT) =>
  `<wsse:Security xmlns:wsse="${WSSE}" soap:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>${username}</wsse:Username><wsse:Password Type="${type}">${password}</wsse:Password></wsse:UsernameToken></wsse:Security>`;
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The text of the first `<name>` element of a response (enough for these assertions). */
const elementText = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** A fault with the REST code and status, as text/xml; the instance is the request id. */
function assertFault(response: LightMyRequestResponse, status: number, code: string, faultcode = 'soap:Client'): void {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^text\/xml; charset=utf-8/);
  assert.match(response.body, /^<\?xml version="1.0" encoding="utf-8"\?><soap:Envelope xmlns:soap="http:\/\/schemas.xmlsoap.org\/soap\/envelope\/"/);
  assert.equal(elementText(response.body, 'faultcode'), faultcode);
  assert.equal(elementText(response.body, 'code'), code, response.body);
  assert.equal(elementText(response.body, 'status'), String(status));
  assert.equal(elementText(response.body, 'instance'), response.headers['x-request-id']);
  assert.ok(elementText(response.body, 'faultstring'), 'a human detail');
}

describe(`SOAP envelopes (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let owner: TestSession;
  let pat: string;
  let user: { id: string; username: string; version: number };
  let ipCounter = 0;
  /** Failures are throttled per IP too: each test gets its own client address. */
  const freshIp = () => `198.51.100.${++ipCounter}`;

  before(async () => {
    t = await startTestApp({ env: { BODY_LIMIT: String(BODY_LIMIT), PUBLIC_URL: 'https://api.acme.example' } });
    owner = await setupOrganization(t, { name: 'Acme Corp' });
    pat = (await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'soap' } })).json().token;
    user = await createApiUser();
  });
  after(() => t.close());

  async function createApiUser(payload: Record<string, unknown> = {}): Promise<{ id: string; username: string; version: number }> {
    const response = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
      payload: { description: 'SAP connector', password: PASSWORD, password_confirmation: PASSWORD, ...payload },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().api_user;
  }
  const post = (payload: string, headers: Record<string, string> = {}, remoteAddress = freshIp()) =>
    t.app.inject({ method: 'POST', url: '/v2/api.svc', payload, remoteAddress, headers: { 'content-type': 'text/xml; charset=utf-8', ...headers } });
  const accountInfo = (inner = '') => envelope(`<api:GetCurrentAccountInfo>${inner}</api:GetCurrentAccountInfo>`);
  const bodyCredentials = (username: string, password: string) => `<api:username>${escapeXml(username)}</api:username><api:password>${escapeXml(password)}</api:password>`;

  describe('API user authentication, three ways', () => {
    it('HTTP Basic -> 200 with the account info and the RateLimit headers', async () => {
      const response = await post(accountInfo(), { authorization: basic(user.username, PASSWORD), soapaction: `"${NS}/GetCurrentAccountInfo"` });
      assert.equal(response.statusCode, 200, response.body);
      assert.match(response.body, /<GetCurrentAccountInfoResponse xmlns="urn:apiusers:api:v2"><api_user><id>/);
      assert.equal(elementText(response.body, 'id'), user.id);
      assert.equal(response.headers['ratelimit-limit'], '300');
    });

    it('WS-Security UsernameToken with PasswordText -> 200', async () => {
      const response = await post(envelope('<api:GetCurrentAccountInfo/>', usernameToken(user.username, PASSWORD)));
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(elementText(response.body, 'id'), user.id);
    });

    it('username and password in the body (dotdigital) -> 200, and the last sign-in is recorded', async () => {
      const fresh = await createApiUser();
      const response = await post(accountInfo(bodyCredentials(fresh.username, PASSWORD)));
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(elementText(response.body, 'username'), fresh.username);
      await new Promise((resolve) => setTimeout(resolve, 50)); // written off the request path
      const rest = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/api-users/${fresh.id}` });
      assert.notEqual(rest.json().last_sign_in_at, null);
    });

    it('WS-Security PasswordDigest -> 401 credential.malformed (a digest cannot be checked against a password hash)', async () => {
      assertFault(await post(envelope('<api:GetCurrentAccountInfo/>', usernameToken(user.username, 'ZGlnZXN0', PASSWORD_DIGEST))), 401, 'credential.malformed');
    });

    it('no credentials -> 401 auth.unauthenticated with a WWW-Authenticate challenge', async () => {
      const response = await post(accountInfo());
      assertFault(response, 401, 'auth.unauthenticated');
      assert.match(String(response.headers['www-authenticate']), /^Basic realm="apiusers"/);
    });

    it('a wrong password -> 401, each way; failures are throttled together with REST -> 429 with Retry-After', async () => {
      const target = await createApiUser();
      const ip = freshIp();
      assertFault(await post(accountInfo(), { authorization: basic(target.username, 'wrong-1') }, ip), 401, 'api_user.invalid_credentials');
      assertFault(await post(envelope('<api:GetCurrentAccountInfo/>', usernameToken(target.username, 'wrong-2')), {}, ip), 401, 'api_user.invalid_credentials');
      assertFault(await post(accountInfo(bodyCredentials(target.username, 'wrong-3')), {}, ip), 401, 'api_user.invalid_credentials');
      // Ten failures per username in the window, counted across SOAP and REST.
      for (let i = 4; i <= 10; i++) {
        const rest = await t.app.inject({ method: 'GET', url: '/v2/account-info', headers: { authorization: basic(target.username, `wrong-${i}`) }, remoteAddress: ip });
        assert.equal(rest.statusCode, 401);
      }
      const throttled = await post(accountInfo(bodyCredentials(target.username, PASSWORD)), {}, freshIp());
      assertFault(throttled, 429, 'api_user.too_many_attempts');
      assert.ok(Number(throttled.headers['retry-after']) > 0);
      assert.ok(Number(elementText(throttled.body, 'retry_after')) > 0);
    });

    it('the application rule: X-Application or the application element; an HttpApi-only user as Salesforce -> 403', async () => {
      const byHeader = await post(accountInfo(bodyCredentials(user.username, PASSWORD)), { 'x-application': 'salesforce' });
      assertFault(byHeader, 403, 'application_not_assigned');
      const byElement = await post(accountInfo(`${bodyCredentials(user.username, PASSWORD)}<api:application>salesforce</api:application>`));
      assertFault(byElement, 403, 'application_not_assigned');
      const badKey = await post(accountInfo(`${bodyCredentials(user.username, PASSWORD)}<api:application>Not An App</api:application>`));
      assertFault(badKey, 400, 'request.invalid');
      assert.equal(elementText(badKey.body, 'pointer'), '/GetCurrentAccountInfo/application');
    });

    it('the API user\'s rate limit applies -> 429 api_user.rate_limited with Retry-After', async () => {
      const limited = await createApiUser();
      const etag = (await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/api-users/${limited.id}` })).headers.etag as string;
      const patch = await as(t.app, owner, { method: 'PATCH', url: `/v1/organizations/${owner.organizationId}/api-users/${limited.id}`, headers: { 'if-match': etag }, payload: { rate_limit_tier: 'low' } });
      assert.equal(patch.statusCode, 200, patch.body);
      const ip = freshIp();
      let last: LightMyRequestResponse | undefined;
      for (let i = 0; i <= 60; i++) last = await post(accountInfo(bodyCredentials(limited.username, PASSWORD)), {}, ip);
      assertFault(last!, 429, 'api_user.rate_limited');
      assert.ok(Number(last!.headers['retry-after']) > 0);
    });
  });

  describe('administrator authentication for management', () => {
    const list = envelope('<api:ListApiUsers><api:limit>2</api:limit></api:ListApiUsers>');

    it('Authorization: Bearer <personal access token> -> 200', async () => {
      const response = await post(list, { authorization: `Bearer ${pat}` });
      assert.equal(response.statusCode, 200, response.body);
      assert.match(response.body, /<ListApiUsersResponse xmlns="urn:apiusers:api:v2"><api_users><api_user>/);
    });

    it('HTTP Basic, WS-Security or body with the administrator email and the token as password -> 200', async () => {
      assert.equal((await post(list, { authorization: basic(owner.email, pat) })).statusCode, 200);
      assert.equal((await post(envelope('<api:ListApiUsers/>', usernameToken(owner.email, pat)))).statusCode, 200);
      assert.equal((await post(envelope(`<api:ListApiUsers>${bodyCredentials(owner.email, pat)}</api:ListApiUsers>`))).statusCode, 200);
    });

    it('an API user\'s password, a revoked-looking or wrong token -> 401', async () => {
      assertFault(await post(list, { authorization: basic(user.username, PASSWORD) }), 401, 'auth.unauthenticated');
      assertFault(await post(list, { authorization: 'Bearer au_pat_notarealtoken' }), 401, 'auth.unauthenticated');
      assertFault(await post(list), 401, 'auth.unauthenticated');
    });
  });

  describe('responses follow the XSD', () => {
    it('GetApiUser -> elements in the sequence order of tns:ApiUser (WCF reads by order), nulls left out', async () => {
      const app = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/applications`, payload: { key: 'sap-erp', name: 'SAP ERP' } });
      assert.equal(app.statusCode, 201, app.body);
      // The only API user of SAP ERP: GetApiUser carries the delete warning.
      const lonely = await createApiUser({ first_name: 'Melanie', last_name: 'Allen', applications: ['sap-erp'] });
      const response = await post(envelope(`<api:GetApiUser><api:id>${lonely.id}</api:id></api:GetApiUser>`), { authorization: `Bearer ${pat}` });
      assert.equal(response.statusCode, 200, response.body);
      const order = ['<username>', '<description>', '<role>', '<applications>', '<organization>', '<time_zone>', '<delete_warning>', '<effective_rate_limit>', '<version>', '<created_at>', '<updated_at>'].map((tag) => response.body.indexOf(tag));
      assert.ok(order.every((at) => at > 0), 'every element is there');
      assert.deepEqual(order, [...order].sort((a, b) => a - b), 'in the XSD order');
      assert.doesNotMatch(response.body, /<email|<last_sign_in_at|<rate_limit_tier|nil=/, 'null fields are absent');
    });
  });

  describe('faults for bad requests, never a 5xx', () => {
    const asAdmin = () => ({ authorization: `Bearer ${pat}` });

    it('an id that is not a UUID -> 400 naming the element; a missing version -> 428', async () => {
      const badId = await post(envelope('<api:GetApiUser><api:id>../../etc/passwd</api:id></api:GetApiUser>'), asAdmin());
      assertFault(badId, 400, 'request.invalid');
      assert.equal(elementText(badId.body, 'pointer'), '/GetApiUser/id');
      assertFault(await post(envelope(`<api:DeleteApiUser><api:id>${user.id}</api:id></api:DeleteApiUser>`), asAdmin()), 428, 'precondition.required');
    });

    it('an element the operation does not declare -> 400 naming it', async () => {
      const response = await post(envelope(`<api:GetApiUser><api:id>${user.id}</api:id><api:org>x</api:org></api:GetApiUser>`), asAdmin());
      assertFault(response, 400, 'request.invalid');
      assert.equal(elementText(response.body, 'pointer'), '/GetApiUser/org');
    });

    it('CreateApiUser with mismatched passwords or an unknown application -> 400 pointing under api_user', async () => {
      const mismatch = await post(envelope('<api:CreateApiUser><api:api_user><api:description>x</api:description><api:password>Magento-sync-2026!</api:password><api:password_confirmation>other</api:password_confirmation></api:api_user></api:CreateApiUser>'), asAdmin());
      assertFault(mismatch, 400, 'request.invalid');
      assert.equal(elementText(mismatch.body, 'pointer'), '/CreateApiUser/api_user/password_confirmation');
      const unknownApp = await post(envelope('<api:CreateApiUser><api:api_user><api:password>Magento-sync-2026!</api:password><api:password_confirmation>Magento-sync-2026!</api:password_confirmation><api:applications><api:application>httpapi</api:application><api:application>no-such-app</api:application></api:applications></api:api_user></api:CreateApiUser>'), asAdmin());
      assertFault(unknownApp, 400, 'request.invalid');
      assert.equal(elementText(unknownApp.body, 'pointer'), '/CreateApiUser/api_user/applications/1');
      const extra = await post(envelope('<api:CreateApiUser><api:api_user><api:role_id>owner</api:role_id></api:api_user></api:CreateApiUser>'), asAdmin());
      assertFault(extra, 400, 'request.invalid');
      assert.equal(elementText(extra.body, 'pointer'), '/CreateApiUser/api_user/role_id');
    });

    it('an unknown operation, or a name every JavaScript object has -> 400 request.unknown_operation naming it', async () => {
      for (const name of ['DropAllTables', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'GetApiUserResponse', 'ApiFault', 'Fault', 'Ünïcode']) {
        const response = await post(envelope(`<api:${name}/>`), asAdmin());
        assertFault(response, 400, 'request.unknown_operation');
        assert.equal(elementText(response.body, 'pointer'), `/Envelope/Body/${name}`);
      }
    });

    it('elements or xsi:types named like Object.prototype members, text where elements belong -> 400 request.invalid', async () => {
      const xsi = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
      for (const body of ['<api:ListApiUsers><api:constructor>1</api:constructor></api:ListApiUsers>',
        '<api:CreateApiUser><api:api_user><api:__proto__><api:status>x</api:status></api:__proto__></api:api_user></api:CreateApiUser>',
        `<api:GetApiUser><api:id xsi:type="api:constructor" ${xsi}>x</api:id></api:GetApiUser>`]) {
        const response = await post(envelope(body), asAdmin());
        assertFault(response, 400, 'request.invalid');
        assert.match(elementText(response.body, 'faultstring')!, /names an element or type this service does not declare/);
      }
      const text = await post(envelope('<api:GetApiUser>text</api:GetApiUser>'), asAdmin());
      assertFault(text, 400, 'request.invalid');
      assert.equal(elementText(text.body, 'pointer'), '/GetApiUser');
    });

    it('a SOAPAction naming another operation than the body -> 400', async () => {
      assertFault(await post(envelope(`<api:GetApiUser><api:id>${user.id}</api:id></api:GetApiUser>`), { ...asAdmin(), soapaction: `"${NS}/DeleteApiUser"` }), 400, 'request.invalid');
    });

    it('truncated XML, text, an empty body -> 400 request.malformed_xml', async () => {
      for (const payload of [envelope('<api:GetApiUser><api:id>x</api:id>').slice(0, -20), 'definitely not xml', ' ', envelope('<api:GetApiUser><api:id>x</api:GetApiUser>')]) {
        assertFault(await post(payload, asAdmin()), 400, 'request.malformed_xml');
      }
    });

    it('XML that is not a SOAP envelope: no Envelope, an Envelope in no SOAP namespace, two operations -> 400 request.not_soap_envelope', async () => {
      for (const payload of ['<hello>world</hello>', envelope(''),
        '<env:Envelope xmlns:env="urn:not-soap"><env:Body><api:GetCurrentAccountInfo xmlns:api="urn:apiusers:api:v2"/></env:Body></env:Envelope>',
        envelope('<api:GetCurrentAccountInfo/><api:ListApiUsers/>')]) {
        assertFault(await post(payload, asAdmin()), 400, 'request.not_soap_envelope');
      }
    });

    it('JSON or a form -> 415; the REST API still answers 415 problem+json to XML', async () => {
      assertFault(await post('{"GetCurrentAccountInfo":{}}', { 'content-type': 'application/json' }), 415, 'request.unsupported_media_type');
      assertFault(await post('a=b', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'request.unsupported_media_type');
      const rest = await t.app.inject({ method: 'POST', url: '/v1/verify', headers: { authorization: `Bearer ${pat}`, 'content-type': 'text/xml' }, payload: '<credential>x</credential>' });
      assert.equal(rest.statusCode, 415);
      assert.match(String(rest.headers['content-type']), /^application\/problem\+json/);
    });
  });

  describe('XML attacks', () => {
    it('XXE: an external entity naming /etc/passwd -> 400 before parsing; nothing of the file comes back', async () => {
      const xxe = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${envelope(`<api:GetCurrentAccountInfo><api:username>&xxe;</api:username><api:password>x</api:password></api:GetCurrentAccountInfo>`).replace(/^<\?xml[^>]*\?>/, '')}`;
      const response = await post(xxe);
      assertFault(response, 400, 'request.dtd_not_allowed');
      assert.match(elementText(response.body, 'faultstring')!, /^Document type declarations/);
      assert.doesNotMatch(response.body, /root:|nologin|\/bin\//);
    });

    it('entity expansion (billion laughs) -> 400 at once', async () => {
      const lol = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)].join('');
      const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [${lol}]>${envelope('<api:GetCurrentAccountInfo><api:username>&lol9;</api:username></api:GetCurrentAccountInfo>').replace(/^<\?xml[^>]*\?>/, '')}`;
      const started = performance.now();
      const response = await post(bomb);
      assert.ok(performance.now() - started < 1000, 'answered without expanding anything');
      assertFault(response, 400, 'request.dtd_not_allowed');
      assert.match(elementText(response.body, 'faultstring')!, /^Document type declarations/);
    });

    it('elements nested thousands deep -> 400 before parsing (no recursion runs out of stack)', async () => {
      const deep = `${'<a>'.repeat(1500)}x${'</a>'.repeat(1500)}`;
      const response = await post(envelope(`<api:GetApiUser><api:id>${deep}</api:id></api:GetApiUser>`), { authorization: `Bearer ${pat}` });
      assertFault(response, 400, 'request.xml_too_complex');
      assert.match(elementText(response.body, 'faultstring')!, /nested more than 32 deep/);
    });

    it('more elements than any operation uses -> 400 before parsing (parsing costs CPU per element, before authentication)', async () => {
      const response = await post(envelope(`<api:ListApiUsers>${'<a/>'.repeat(2001)}</api:ListApiUsers>`));
      assertFault(response, 400, 'request.xml_too_complex');
      assert.match(elementText(response.body, 'faultstring')!, /more than 2000 elements/);
    });

    it('id/href references naming Object.prototype members -> 400 before parsing; nothing is polluted and the next call works', async () => {
      const refs = ['<api:username id="__proto__">x</api:username>', '<api:username href="#__proto__"/>', '<api:username id="constructor">x</api:username>',
        '<api:username\n  id = \'&#95;_proto__\'>x</api:username>', '<api:username href="#a"/><api:password id="a">x</api:password>'];
      for (const inner of refs) {
        const response = await post(accountInfo(inner));
        assertFault(response, 400, 'request.invalid');
        assert.match(elementText(response.body, 'faultstring')!, /^SOAP encoding references/);
      }
      assert.equal(({} as Record<string, unknown>).obj, undefined, 'Object.prototype untouched');
      assert.equal((Object as unknown as Record<string, unknown>).obj, undefined, 'Object untouched');
      assert.equal((await post(accountInfo(bodyCredentials(user.username, PASSWORD)))).statusCode, 200);
    });

    it('an undeclared entity reference -> 400 (the parser is strict)', async () => {
      assertFault(await post(accountInfo('<api:username>&xxe;</api:username>')), 400, 'request.malformed_xml');
    });

    it(`a body over BODY_LIMIT (${BODY_LIMIT} bytes) -> 413 fault`, async () => {
      const padding = 'x'.repeat(BODY_LIMIT);
      assertFault(await post(accountInfo(`<api:username>${padding}</api:username>`)), 413, 'request.body_too_large');
    });
  });

  describe('SOAP 1.2', () => {
    const SOAP12 = 'application/soap+xml; charset=utf-8';
    const envelope12 = (body: string, header = '') =>
      `<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:api="${NS}">` +
      `${header ? `<env:Header>${header.replaceAll('soap:mustUnderstand', 'env:mustUnderstand')}</env:Header>` : ''}<env:Body>${body}</env:Body></env:Envelope>`;

    it('a SOAP 1.2 envelope -> 200 application/soap+xml in a SOAP 1.2 envelope, each way of authenticating', async () => {
      const calls = [
        post(envelope12('<api:GetCurrentAccountInfo/>'), { 'content-type': `${SOAP12}; action="${NS}/GetCurrentAccountInfo"`, authorization: basic(user.username, PASSWORD) }),
        post(envelope12('<api:GetCurrentAccountInfo/>', usernameToken(user.username, PASSWORD)), { 'content-type': SOAP12 }),
        post(envelope12(`<api:GetCurrentAccountInfo>${bodyCredentials(user.username, PASSWORD)}</api:GetCurrentAccountInfo>`), { 'content-type': SOAP12 }),
      ];
      for (const response of await Promise.all(calls)) {
        assert.equal(response.statusCode, 200, response.body);
        assert.match(String(response.headers['content-type']), /^application\/soap\+xml; charset=utf-8/);
        assert.match(response.body, /<soap:Envelope xmlns:soap="http:\/\/www.w3.org\/2003\/05\/soap-envelope"/);
        assert.equal(elementText(response.body, 'id'), user.id);
      }
    });

    it('a SOAP 1.2 fault: Code soap:Sender, Reason/Text, Detail/ApiFault in our namespace, the REST status', async () => {
      const response = await post(envelope12(`<api:GetApiUser><api:id>${user.id}</api:id></api:GetApiUser>`), { 'content-type': SOAP12 });
      assert.equal(response.statusCode, 401, response.body);
      assert.match(String(response.headers['content-type']), /^application\/soap\+xml/);
      assert.match(response.body, /<soap:Fault><soap:Code><soap:Value>soap:Sender<\/soap:Value><\/soap:Code><soap:Reason><soap:Text xml:lang="en">[^<]+<\/soap:Text><\/soap:Reason><soap:Detail><ApiFault xmlns="urn:apiusers:api:v2"><code>auth.unauthenticated<\/code><status>401<\/status>/);
    });

    it('an action parameter naming another operation -> 400; a refused 1.2 envelope is answered in 1.2', async () => {
      const mismatch = await post(envelope12(`<api:GetApiUser><api:id>${user.id}</api:id></api:GetApiUser>`), { 'content-type': `${SOAP12}; action="${NS}/DeleteApiUser"`, authorization: `Bearer ${pat}` });
      assert.equal(mismatch.statusCode, 400, mismatch.body);
      assert.match(mismatch.body, /<code>request.invalid<\/code>/);
      const dtd = await post(`<!DOCTYPE x [<!ENTITY a "b">]>${envelope12('<api:GetCurrentAccountInfo/>').replace(/^<\?xml[^>]*\?>/, '')}`, { 'content-type': SOAP12 });
      assert.equal(dtd.statusCode, 400);
      assert.match(dtd.body, /<soap:Envelope xmlns:soap="http:\/\/www.w3.org\/2003\/05\/soap-envelope"/);
    });
  });

  describe('the WSDL and metrics', () => {
    it('GET ?wsdl -> 200 text/xml with the PUBLIC_URL address; GET without ?wsdl -> 400 fault', async () => {
      const wsdl = await t.app.inject({ url: '/v2/api.svc?wsdl' });
      assert.equal(wsdl.statusCode, 200);
      assert.match(String(wsdl.headers['content-type']), /^text\/xml/);
      assert.match(wsdl.body, /<soap:address location="https:\/\/api\.acme\.example\/v2\/api\.svc"\/>/);
      assert.match(wsdl.body, /<xs:element name="DeleteApiUserResponse">/);
      assert.equal((await t.app.inject({ url: '/v2/api.svc?singleWsdl' })).body, wsdl.body);
      assertFault(await t.app.inject({ url: '/v2/api.svc' }), 400, 'request.invalid');
    });

    it('calls are counted per operation in /metrics, and by route in the request histogram', async () => {
      await post(accountInfo(bodyCredentials(user.username, PASSWORD)));
      const metrics = (await t.app.inject({ url: '/metrics' })).body;
      assert.match(metrics, /apiusers_soap_calls_total\{operation="GetCurrentAccountInfo",status_code="200"\} [1-9]/);
      assert.match(metrics, /apiusers_soap_calls_total\{operation="unknown",status_code="413"\} [1-9]|apiusers_soap_calls_total\{operation="unknown",status_code="400"\} [1-9]/);
      assert.match(metrics, /apiusers_http_request_duration_seconds_count\{(?=[^}]*method="POST")(?=[^}]*route="\/v2\/api.svc")(?=[^}]*status_code="200")[^}]*\} [1-9]/);
    });
  });
});
