import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { as, setupOrganization, type TestSession } from '../support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * xs:int and xs:boolean elements are read strictly, whatever prefix and SOAP version the envelope
 * uses: the soap package alone would turn "1.5" into 1 and "yes" into false when the prefix is
 * `soap`, and pass the text through otherwise.
 */

const NS = 'urn:apiusers:api:v2';
const PASSWORD = 'Magento-sync-2026!';

/** [label, Envelope prefix, envelope namespace, Content-Type] */
const ENVELOPES = [
  ['SOAP 1.1, prefix soap', 'soap', 'http://schemas.xmlsoap.org/soap/envelope/', 'text/xml; charset=utf-8'],
  ['SOAP 1.1, prefix SOAP-ENV', 'SOAP-ENV', 'http://schemas.xmlsoap.org/soap/envelope/', 'text/xml; charset=utf-8'],
  ['SOAP 1.2, prefix soap', 'soap', 'http://www.w3.org/2003/05/soap-envelope', 'application/soap+xml; charset=utf-8'],
  ['SOAP 1.2, prefix env', 'env', 'http://www.w3.org/2003/05/soap-envelope', 'application/soap+xml; charset=utf-8'],
] as const;

const elementText = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
const allText = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]);

function assertInvalid(response: LightMyRequestResponse, pointers: string[]): void {
  assert.equal(response.statusCode, 400, response.body);
  assert.equal(elementText(response.body, 'code'), 'request.invalid', response.body);
  assert.deepEqual(allText(response.body, 'pointer'), pointers, response.body);
}

describe(`SOAP typed elements, read strictly (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let owner: TestSession;
  let pat: string;

  before(async () => {
    t = await startTestApp();
    owner = await setupOrganization(t, { name: 'Acme Corp' });
    pat = (await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'soap' } })).json().token;
  });
  after(() => t.close());

  async function createApiUser(): Promise<{ id: string; version: number }> {
    const response = await as(t.app, owner, {
      method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
      payload: { description: 'SAP connector', password: PASSWORD, password_confirmation: PASSWORD },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().api_user;
  }
  const restStatusOf = async (id: string) =>
    (await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/api-users/${id}` })).json().status as string | undefined;

  for (const [label, prefix, namespace, contentType] of ENVELOPES) {
    describe(label, () => {
      const post = (body: string) => t.app.inject({
        method: 'POST', url: '/v2/api.svc', headers: { 'content-type': contentType, authorization: `Bearer ${pat}` },
        payload: `<${prefix}:Envelope xmlns:${prefix}="${namespace}" xmlns:api="${NS}"><${prefix}:Body>${body}</${prefix}:Body></${prefix}:Envelope>`,
      });
      const del = (id: string, version: string, confirm?: string) =>
        post(`<api:DeleteApiUser><api:id>${id}</api:id><api:version>${version}</api:version>${confirm === undefined ? '' : `<api:confirm>${confirm}</api:confirm>`}</api:DeleteApiUser>`);

      it('a version of 1.5, -0x10, 0x10, 1e0, +-1, 99999999999 or "one" -> 400 naming /DeleteApiUser/version; nothing is deleted', async () => {
        const user = await createApiUser();
        for (const version of ['1.5', '-0x10', '0x10', '1e0', '+-1', '99999999999', 'one', '1 1']) {
          assertInvalid(await del(user.id, version), ['/DeleteApiUser/version']);
        }
        assert.equal(await restStatusOf(user.id), 'enabled');
      });

      it('confirm of yes, TRUE, on or 2 -> 400 naming /DisableApiUser/confirm (never read as false); 1 confirms', async () => {
        const user = await createApiUser();
        for (const confirm of ['yes', 'TRUE', 'on', '2', 'true false']) {
          assertInvalid(await post(`<api:DisableApiUser><api:id>${user.id}</api:id><api:version>${user.version}</api:version><api:confirm>${confirm}</api:confirm></api:DisableApiUser>`), ['/DisableApiUser/confirm']);
        }
        assert.equal(await restStatusOf(user.id), 'enabled');
        const disabled = await post(`<api:DisableApiUser><api:id>${user.id}</api:id><api:version> ${user.version} </api:version><api:confirm> 1 </api:confirm></api:DisableApiUser>`);
        assert.equal(disabled.statusCode, 200, disabled.body);
        assert.equal(elementText(disabled.body, 'status'), 'disabled');
      });

      it('a bad version and a bad confirm together -> one fault naming both', async () => {
        const user = await createApiUser();
        assertInvalid(await del(user.id, '2.0', 'yes'), ['/DeleteApiUser/version', '/DeleteApiUser/confirm']);
      });

      it('ListApiUsers limit 1.5 -> 400 naming /ListApiUsers/limit; " 1 " -> 200 with one user', async () => {
        await createApiUser();
        await createApiUser();
        assertInvalid(await post('<api:ListApiUsers><api:limit>1.5</api:limit></api:ListApiUsers>'), ['/ListApiUsers/limit']);
        const page = await post('<api:ListApiUsers><api:limit> 1 </api:limit></api:ListApiUsers>');
        assert.equal(page.statusCode, 200, page.body);
        assert.equal((page.body.match(/<api_user>/g) ?? []).length, 1);
        assert.ok(elementText(page.body, 'next_cursor'));
      });

      it('CreateApiUser: a password with surrounding spaces is kept exactly (REST signs in with it), other text is trimmed, an empty description is ""', async () => {
        const password = '  Spaced pass-2026!  ';
        const created = await post(`<api:CreateApiUser><api:api_user>
            <api:first_name>  Melanie  </api:first_name><api:description/>
            <api:password>${password}</api:password><api:password_confirmation>${password}</api:password_confirmation>
          </api:api_user></api:CreateApiUser>`);
        assert.equal(created.statusCode, 200, created.body);
        const username = elementText(created.body, 'username')!;
        const id = elementText(created.body, 'id')!;
        const rest = (await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/api-users/${id}` })).json();
        assert.equal(rest.first_name, 'Melanie');
        assert.equal(rest.description, '');
        const signIn = (secret: string) => t.app.inject({ url: '/v2/account-info', headers: { authorization: `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}` } });
        assert.equal((await signIn(password)).statusCode, 200);
        assert.equal((await signIn(password.trim())).statusCode, 401);
        const pretty = await post(`<api:GetApiUser>\n  <api:id>\n    ${id}\n  </api:id>\n</api:GetApiUser>`);
        assert.equal(pretty.statusCode, 200, pretty.body);
      });

      it('an element given twice, or elements where text belongs -> 400 naming it', async () => {
        const user = await createApiUser();
        assertInvalid(await post(`<api:DeleteApiUser><api:id>${user.id}</api:id><api:version>1</api:version><api:version>2</api:version></api:DeleteApiUser>`), ['/DeleteApiUser/version']);
        assertInvalid(await post(`<api:GetApiUser><api:id><api:id>${user.id}</api:id></api:id></api:GetApiUser>`), ['/GetApiUser/id']);
      });
    });
  }
});
