import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * SOAP 1.1 §4.2.3 / SOAP 1.2 Part 1 §5.2.3: a header block targeted at us with mustUnderstand
 * true that we do not process answers a MustUnderstand fault before the operation runs.
 * Hand-written envelopes through app.inject().
 */

const PASSWORD = 'Magento-sync-2026!';
const NS = 'urn:apiusers:api:v2';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';
const TX = 'urn:example:transactions';
const ADDRESS = 'https://api.acme.example/v2/api.svc';

const envelope11 = (header: string, body = '<api:GetCurrentAccountInfo/>') =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP11}" xmlns:api="${NS}">` +
  `<soap:Header>${header}</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`;
const envelope12 = (header: string, body = '<api:GetCurrentAccountInfo/>') =>
  `<env:Envelope xmlns:env="${SOAP12}" xmlns:api="${NS}"><env:Header>${header}</env:Header><env:Body>${body}</env:Body></env:Envelope>`;
const security = (prefix: string, username: string, mustUnderstand: string) =>
  `<wsse:Security xmlns:wsse="${WSSE}" ${prefix}:mustUnderstand="${mustUnderstand}"><wsse:UsernameToken><wsse:Username>${username}</wsse:Username>` +
  `<wsse:Password Type="${PASSWORD_TEXT}">${PASSWORD}</wsse:Password></wsse:UsernameToken></wsse:Security>`;
const transaction = (attributes: string) => `<tx:Transaction xmlns:tx="${TX}" ${attributes}>5</tx:Transaction>`;
const basic = (username: string) => `Basic ${Buffer.from(`${username}:${PASSWORD}`, 'utf8').toString('base64')}`;
const elementText = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

describe(`SOAP mustUnderstand (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let owner: TestSession;
  let user: { id: string; username: string };
  let ipCounter = 0;

  before(async () => {
    t = await startTestApp({ env: { PUBLIC_URL: 'https://api.acme.example' } });
    owner = await setupOrganization(t, { name: 'Acme Corp' });
    const response = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
      payload: { description: 'SAP connector', password: PASSWORD, password_confirmation: PASSWORD },
    });
    assert.equal(response.statusCode, 201, response.body);
    user = response.json().api_user;
  });
  after(() => t.close());

  const post = (payload: string, version: '1.1' | '1.2', headers: Record<string, string> = {}) => t.app.inject({
    method: 'POST', url: '/v2/api.svc', payload, remoteAddress: `198.51.100.${++ipCounter}`,
    headers: { 'content-type': version === '1.1' ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8', ...headers },
  });
  const assertOk = (response: { statusCode: number; body: string }) => {
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(elementText(response.body, 'id'), user.id);
  };

  describe('SOAP 1.1 (soap:mustUnderstand, soap:actor)', () => {
    it('wsse:Security with mustUnderstand="1" is understood -> 200', async () => {
      assertOk(await post(envelope11(security('soap', user.username, '1')), '1.1'));
    });

    it('an unknown header block with mustUnderstand="1" -> 400 faultcode soap:MustUnderstand, before authentication', async () => {
      const response = await post(envelope11(security('soap', user.username, '1') + transaction('soap:mustUnderstand="1"')), '1.1');
      assert.equal(response.statusCode, 400, response.body);
      assert.match(String(response.headers['content-type']), /^text\/xml; charset=utf-8/);
      assert.equal(elementText(response.body, 'faultcode'), 'soap:MustUnderstand');
      assert.equal(elementText(response.body, 'code'), 'request.must_understand');
      assert.equal(elementText(response.body, 'status'), '400');
      assert.equal(elementText(response.body, 'pointer'), '/Envelope/Header/Transaction');
      assert.match(elementText(response.body, 'faultstring') ?? '', /\{urn:example:transactions\}Transaction/);
      assert.doesNotMatch(response.body, /GetCurrentAccountInfoResponse/);
      // Refused before anything runs: not even the credentials are checked.
      const unauthenticated = await post(envelope11(transaction('soap:mustUnderstand="1"')), '1.1');
      assert.equal(elementText(unauthenticated.body, 'code'), 'request.must_understand');
    });

    it('mustUnderstand="0", absent, or unqualified (not the SOAP attribute) -> ignored, 200', async () => {
      for (const attributes of ['soap:mustUnderstand="0"', '', 'mustUnderstand="1"', 'soap:mustUnderstand=" 0 "']) {
        assertOk(await post(envelope11(security('soap', user.username, '1') + transaction(attributes)), '1.1'));
      }
    });

    it('targeted at another actor -> not ours, ignored; actor next or our address -> ours, fault', async () => {
      assertOk(await post(envelope11(transaction('soap:mustUnderstand="1" soap:actor="urn:example:auditor"')), '1.1', { authorization: basic(user.username) }));
      for (const actor of ['http://schemas.xmlsoap.org/soap/actor/next', ADDRESS]) {
        const response = await post(envelope11(transaction(`soap:mustUnderstand="1" soap:actor="${actor}"`)), '1.1', { authorization: basic(user.username) });
        assert.equal(elementText(response.body, 'faultcode'), 'soap:MustUnderstand', actor);
      }
    });

    it('namespaces are resolved, not prefixes: a Security block in another namespace is not understood; a redeclared envelope prefix counts', async () => {
      const fake = `<x:Security xmlns:x="urn:not-wss" soap:mustUnderstand="1"/>`;
      const response = await post(envelope11(fake), '1.1', { authorization: basic(user.username) });
      assert.equal(elementText(response.body, 'faultcode'), 'soap:MustUnderstand');
      const otherPrefix = transaction(`xmlns:e="${SOAP11}" e:mustUnderstand="true"`);
      assert.equal(elementText((await post(envelope11(otherPrefix), '1.1', { authorization: basic(user.username) })).body, 'faultcode'), 'soap:MustUnderstand');
      // A mustUnderstand attribute on an element inside a block, or one in the body, is no header block's.
      const nested = `<tx:Transaction xmlns:tx="${TX}"><tx:Inner soap:mustUnderstand="1"/></tx:Transaction><!-- <tx:X soap:mustUnderstand="1"/> -->`;
      assertOk(await post(envelope11(nested), '1.1', { authorization: basic(user.username) }));
    });

    it('a mustUnderstand value that is not a boolean -> 400 request.invalid', async () => {
      const response = await post(envelope11(transaction('soap:mustUnderstand="yes"')), '1.1', { authorization: basic(user.username) });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(elementText(response.body, 'faultcode'), 'soap:Client');
      assert.equal(elementText(response.body, 'code'), 'request.invalid');
    });
  });

  describe('SOAP 1.2 (env:mustUnderstand, env:role)', () => {
    it('wsse:Security with mustUnderstand="true" is understood -> 200', async () => {
      assertOk(await post(envelope12(security('env', user.username, 'true')), '1.2'));
      assertOk(await post(envelope12(security('env', user.username, '1')), '1.2'));
    });

    it('an unknown header block with mustUnderstand="true" -> 400 Code env:MustUnderstand with a NotUnderstood header block', async () => {
      const response = await post(envelope12(security('env', user.username, 'true') + transaction('env:mustUnderstand="true"')), '1.2');
      assert.equal(response.statusCode, 400, response.body);
      assert.match(String(response.headers['content-type']), /^application\/soap\+xml; charset=utf-8/);
      assert.match(response.body, new RegExp(`^<\\?xml version="1.0" encoding="utf-8"\\?><soap:Envelope xmlns:soap="${SOAP12}"`));
      assert.match(response.body, /<soap:Header><soap:NotUnderstood qname="nu0:Transaction" xmlns:nu0="urn:example:transactions"\/><\/soap:Header><soap:Body>/);
      assert.match(response.body, /<soap:Code><soap:Value>soap:MustUnderstand<\/soap:Value><\/soap:Code>/);
      assert.equal(elementText(response.body, 'code'), 'request.must_understand');
      assert.doesNotMatch(response.body, /GetCurrentAccountInfoResponse/);
    });

    it('mustUnderstand="false", "0" or absent -> ignored, 200', async () => {
      for (const attributes of ['env:mustUnderstand="false"', 'env:mustUnderstand="0"', '']) {
        assertOk(await post(envelope12(transaction(attributes)), '1.2', { authorization: basic(user.username) }));
      }
    });

    it('targeted at another role or role/none -> ignored; next, ultimateReceiver or our address -> fault', async () => {
      for (const role of ['urn:example:auditor', `${SOAP12}/role/none`]) {
        assertOk(await post(envelope12(transaction(`env:mustUnderstand="true" env:role="${role}"`)), '1.2', { authorization: basic(user.username) }));
      }
      for (const role of [`${SOAP12}/role/next`, `${SOAP12}/role/ultimateReceiver`, ADDRESS]) {
        const response = await post(envelope12(transaction(`env:mustUnderstand="true" env:role="${role}"`)), '1.2', { authorization: basic(user.username) });
        assert.equal(response.statusCode, 400, role);
        assert.match(response.body, /<soap:Value>soap:MustUnderstand<\/soap:Value>/, role);
      }
    });

    it('two blocks not understood -> one NotUnderstood each', async () => {
      const header = transaction('env:mustUnderstand="1"') + `<o:Order xmlns:o="urn:example:orders" env:mustUnderstand="true"/>`;
      const response = await post(envelope12(header), '1.2', { authorization: basic(user.username) });
      assert.match(response.body, /<soap:NotUnderstood qname="nu0:Transaction" xmlns:nu0="urn:example:transactions"\/><soap:NotUnderstood qname="nu1:Order" xmlns:nu1="urn:example:orders"\/>/);
    });
  });
});
