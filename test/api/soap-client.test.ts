import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BasicAuthSecurity, BearerSecurity, createClientAsync, WSSecurity, type Client } from 'soap';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The `soap` npm client, built from our own ?wsdl on a real port, runs every operation: what an
 * integrator on a SOAP stack does. The server's PUBLIC_URL is the port it listens on, so the
 * address in the WSDL is the one the client calls.
 */

const PASSWORD = 'Magento-sync-2026!';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface ApiFault { code: string; status: number; detail: string; warning?: string }

/** Calls an operation that must fail; the fault's ApiFault and the HTTP status. */
async function faultOf(call: Promise<unknown>): Promise<ApiFault & { httpStatus: number; faultcode: string; faultstring: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { root?: { Envelope: { Body: { Fault: { faultcode: string; faultstring: string; detail: { ApiFault: ApiFault } } } } }; response?: { status: number } };
    assert.ok(e.root, `expected a SOAP fault, got ${String(error)}`);
    const fault = e.root.Envelope.Body.Fault;
    return { ...fault.detail.ApiFault, status: Number(fault.detail.ApiFault.status), httpStatus: e.response!.status, faultcode: fault.faultcode, faultstring: fault.faultstring };
  }
  assert.fail('expected a SOAP fault');
}

describe(`SOAP with the soap npm client (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let t: TestApp;
  let baseUrl: string;
  let owner: TestSession;
  let pat: string;
  let client: Client;

  before(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    t = await startTestApp({ env: { PUBLIC_URL: baseUrl } });
    await t.app.listen({ port, host: '127.0.0.1' });
    owner = await setupOrganization(t, { name: 'Acme Corp' });
    const token = await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'soap integration' } });
    assert.equal(token.statusCode, 201, token.body);
    pat = token.json().token;
    client = await createClientAsync(`${baseUrl}/v2/api.svc?wsdl`, { disableCache: true });
  });
  after(() => t.close());

  /** A fresh client per credential style, so one test's security never leaks into the next. */
  async function clientWith(security?: Parameters<Client['setSecurity']>[0]): Promise<Client> {
    const c = await createClientAsync(`${baseUrl}/v2/api.svc?wsdl`, { disableCache: true });
    if (security) c.setSecurity(security);
    return c;
  }
  const adminClient = () => clientWith(new BearerSecurity(pat));

  async function createApiUserRest(payload: Record<string, unknown>): Promise<{ id: string; username: string; version: number }> {
    const response = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`, payload });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().api_user;
  }

  it('the WSDL names every operation, both SOAP versions and the public URL as the address', () => {
    const description = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
    assert.deepEqual(Object.keys(description.ApiService!), ['ApiServiceSoap', 'ApiServiceSoap12'], 'a SOAP 1.1 and a SOAP 1.2 port');
    assert.deepEqual(Object.keys(description.ApiService!.ApiServiceSoap!).sort(), [
      'CreateApiUser', 'DeleteApiUser', 'DisableApiUser', 'EnableApiUser', 'GetApiUser', 'GetCurrentAccountInfo', 'ListApiUsers', 'ResendInvite', 'UpdateApiUser', 'VerifyCredential',
    ]);
    assert.match(client.wsdl.toXML(), new RegExp(`<soap:address location="${baseUrl}/v2/api.svc"/>`));
  });

  it('GetCurrentAccountInfo -> 200 the same API user with HTTP Basic, WS-Security UsernameToken and body credentials', async () => {
    const user = await createApiUserRest({ description: 'Magento integration', password: PASSWORD, password_confirmation: PASSWORD });
    const basic = await (await clientWith(new BasicAuthSecurity(user.username, PASSWORD))).GetCurrentAccountInfoAsync({});
    const wsse = await (await clientWith(new WSSecurity(user.username, PASSWORD, { passwordType: 'PasswordText', hasTimeStamp: false }))).GetCurrentAccountInfoAsync({});
    const body = await client.GetCurrentAccountInfoAsync({ username: user.username, password: PASSWORD });
    for (const [result] of [basic, wsse, body]) {
      assert.equal(result.api_user.id, user.id);
      assert.equal(result.api_user.username, user.username);
      assert.equal(result.organization.name, 'Acme Corp');
      assert.equal(result.application.key, 'httpapi');
      assert.equal(result.applications.application[0].key, 'httpapi');
      assert.equal(result.limits.tier, 'medium');
      assert.equal(result.limits.requests_per_minute, 300);
    }
    // The same rule as REST: an HttpApi-only user may not connect as Salesforce.
    const fault = await faultOf(client.GetCurrentAccountInfoAsync({ username: user.username, password: PASSWORD, application: 'salesforce' }));
    assert.equal(fault.code, 'application_not_assigned');
    assert.equal(fault.httpStatus, 403);
    assert.equal(fault.faultcode, 'soap:Client');
  });

  it('every management operation, as an administrator with a personal access token', async () => {
    const admin = await adminClient();
    // CreateApiUser, dotdigital style: typed password, usable at once.
    const [created] = await admin.CreateApiUserAsync({ api_user: { description: 'SAP connector', first_name: 'Sap', last_name: 'Connector', email: 'sap.connector@acme.example', password: PASSWORD, password_confirmation: PASSWORD, applications: { application: ['httpapi', 'salesforce'] } } });
    const id = created.api_user.id as string;
    assert.equal(created.invite_sent, false);
    assert.equal(created.api_user.name, 'Sap Connector');
    assert.deepEqual(created.api_user.applications.application.map((a: { key: string }) => a.key).sort(), ['httpapi', 'salesforce']);
    // Visible through REST at once: the same service, the same rows.
    const rest = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/api-users/${id}` });
    assert.equal(rest.json().username, created.api_user.username);

    const [got] = await admin.GetApiUserAsync({ id });
    assert.equal(got.api_user.version, rest.json().version);
    assert.equal(got.api_user.role.name, 'API User');

    // ListApiUsers: search, and keyset paging one row at a time.
    await createApiUserRest({ description: 'Second SAP system', password: PASSWORD, password_confirmation: PASSWORD });
    const [found] = await admin.ListApiUsersAsync({ q: 'SAP connector' });
    assert.deepEqual([found.api_users.api_user].flat().map((u: { id: string }) => u.id), [id]);
    const [page1] = await admin.ListApiUsersAsync({ q: 'SAP', limit: 1 });
    assert.equal([page1.api_users.api_user].flat().length, 1);
    assert.ok(page1.next_cursor);
    const [page2] = await admin.ListApiUsersAsync({ q: 'SAP', limit: 1, cursor: page1.next_cursor });
    assert.notEqual([page2.api_users.api_user].flat()[0].id, [page1.api_users.api_user].flat()[0].id);

    const [updated] = await admin.UpdateApiUserAsync({ id, version: got.api_user.version, changes: { description: 'SAP S/4HANA connector', rate_limit_tier: 'high' } });
    assert.equal(updated.api_user.description, 'SAP S/4HANA connector');
    assert.equal(updated.api_user.effective_rate_limit.requests_per_minute, 1200);
    const stale = await faultOf(admin.UpdateApiUserAsync({ id, version: got.api_user.version, changes: { description: 'lost update' } }));
    assert.equal(stale.code, 'precondition.failed');
    assert.equal(stale.httpStatus, 412);

    const [disabled] = await admin.DisableApiUserAsync({ id, version: updated.api_user.version, confirm: true });
    assert.equal(disabled.api_user.status, 'disabled');
    const [enabled] = await admin.EnableApiUserAsync({ id, version: disabled.api_user.version });
    assert.equal(enabled.api_user.status, 'enabled');

    const [resent] = await admin.ResendInviteAsync({ id });
    assert.equal(resent.invite_sent, true);

    const [verified] = await admin.VerifyCredentialAsync({ credential: `Basic ${Buffer.from(`${created.api_user.username}:${PASSWORD}`).toString('base64')}`, application: 'salesforce' });
    assert.equal(verified.valid, true);
    assert.equal(verified.code, 'VALID');
    assert.equal(verified.api_user.id, id);

    // The only Salesforce user: the guard is passed with confirm, as ?confirm=true in REST.
    const [deleted] = await admin.DeleteApiUserAsync({ id, version: enabled.api_user.version, confirm: true });
    assert.equal(deleted.deleted, true);
    const gone = await faultOf(admin.GetApiUserAsync({ id }));
    assert.equal(gone.code, 'api_user.not_found');
    assert.equal(gone.httpStatus, 404);

    // Every change is in the audit log, by the administrator whose token was used.
    const audit = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/audit-events?target_id=${id}` });
    assert.equal(audit.statusCode, 200, audit.body);
    const events = audit.json().data as Array<{ action: string; actor: { id: string | null } }>;
    assert.ok(events.every((e) => e.actor.id === owner.id), 'every event is by the owner whose token was used');
    const actions = events.map((e) => e.action);
    for (const action of ['api_user.created', 'api_user.updated', 'api_user.invite_sent', 'api_user.deleted']) assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
  });

  it('DeleteApiUser of the last API user of an application -> fault 409 with REST\'s code and warning, and the SOAP way to confirm; confirm deletes', async () => {
    const admin = await adminClient();
    const appResponse = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/applications`, payload: { key: 'sap-erp', name: 'SAP ERP' } });
    assert.equal(appResponse.statusCode, 201, appResponse.body);
    const user = await createApiUserRest({ first_name: 'Melanie', last_name: 'Allen', password: PASSWORD, password_confirmation: PASSWORD, applications: ['sap-erp'] });
    const restAnswer = await as(t.app, owner, { method: 'DELETE', url: `/v1/organizations/${owner.organizationId}/api-users/${user.id}`, headers: { 'if-match': `"${user.version}"` } });
    assert.equal(restAnswer.statusCode, 409);

    const fault = await faultOf(admin.DeleteApiUserAsync({ id: user.id, version: user.version }));
    assert.equal(fault.code, 'api_user.last_for_application');
    assert.equal(fault.code, restAnswer.json().code);
    assert.equal(fault.httpStatus, 409);
    assert.equal(fault.faultcode, 'soap:Client');
    const warning = "'Melanie Allen' is used to connect to 'SAP ERP'. If you delete this user, the integration with 'SAP ERP' will fail.";
    assert.equal(restAnswer.json().warning, warning);
    assert.equal(restAnswer.json().detail, `${warning} Repeat with ?confirm=true to delete anyway.`);
    // The guide's warning word for word, then the hint a SOAP caller can follow (it has no query string).
    assert.equal(fault.warning, warning);
    assert.equal(fault.faultstring, `${warning} Send <confirm>true</confirm> to delete anyway.`);
    assert.equal(fault.detail, fault.faultstring);

    const [deleted] = await admin.DeleteApiUserAsync({ id: user.id, version: user.version, confirm: true });
    assert.equal(deleted.deleted, true);
  });

  it('management with the token in WS-Security or the body (username: the administrator email) -> 200; another email -> 401', async () => {
    // With the client's default wsu:Timestamp, which the server echoes in its response header.
    const wsse = await clientWith(new WSSecurity(owner.email, pat, { passwordType: 'PasswordText' }));
    const [listed] = await wsse.ListApiUsersAsync({ limit: 5 });
    assert.equal(listed.time_zone, 'America/Chicago');
    const [inBody] = await client.ListApiUsersAsync({ username: owner.email, password: pat, limit: 5 });
    assert.equal(inBody.time_zone, 'America/Chicago');
    const wrong = await faultOf(client.ListApiUsersAsync({ username: 'someone.else@acme.example', password: pat }));
    assert.equal(wrong.code, 'auth.unauthenticated');
    assert.equal(wrong.httpStatus, 401);
  });

  it('SOAP 1.2 (forceSoap12Headers) -> the same answers and faults', async () => {
    const user = await createApiUserRest({ description: 'WCF client', password: PASSWORD, password_confirmation: PASSWORD });
    const soap12 = await createClientAsync(`${baseUrl}/v2/api.svc?wsdl`, { disableCache: true, forceSoap12Headers: true });
    soap12.setSecurity(new BasicAuthSecurity(user.username, PASSWORD));
    const [info, raw] = await soap12.GetCurrentAccountInfoAsync({});
    assert.equal(info.api_user.id, user.id);
    assert.match(raw, /xmlns:soap="http:\/\/www.w3.org\/2003\/05\/soap-envelope"/);
    soap12.setSecurity(new BearerSecurity(pat));
    try {
      await soap12.GetApiUserAsync({ id: '01936f6e-9b3a-7cc1-8a55-2f1e0c0d4b7a' });
      assert.fail('expected a fault');
    } catch (error) {
      const e = error as { root?: { Envelope: { Body: { Fault: { Code: { Value: string }; Detail: { ApiFault: ApiFault } } } } }; response?: { status: number } };
      assert.ok(e.root, String(error));
      assert.equal(e.response!.status, 404);
      assert.equal(e.root.Envelope.Body.Fault.Code.Value, 'soap:Sender');
      assert.equal(e.root.Envelope.Body.Fault.Detail.ApiFault.code, 'api_user.not_found');
    }
  });

  it('a Viewer may list but not create (403 auth.forbidden); another organization\'s API user is 404', async () => {
    const viewer = await addAdministrator(t, owner, 'viewer');
    const viewerToken = (await as(t.app, viewer, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'viewer soap' } })).json().token as string;
    const asViewer = await clientWith(new BearerSecurity(viewerToken));
    await asViewer.ListApiUsersAsync({});
    const forbidden = await faultOf(asViewer.CreateApiUserAsync({ api_user: { description: 'not allowed', password: PASSWORD, password_confirmation: PASSWORD } }));
    assert.equal(forbidden.code, 'auth.forbidden');
    assert.equal(forbidden.httpStatus, 403);
    const denied = await faultOf(asViewer.VerifyCredentialAsync({ credential: 'au_key_whatever' }));
    assert.equal(denied.code, 'auth.forbidden');

    const other = await setupOrganization(t, { name: 'Other Corp' });
    const otherToken = (await as(t.app, other, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'other soap' } })).json().token as string;
    const mine = await createApiUserRest({ description: 'Acme only', password: PASSWORD, password_confirmation: PASSWORD });
    const asOther = await clientWith(new BearerSecurity(otherToken));
    const calls = [() => asOther.GetApiUserAsync({ id: mine.id }), () => asOther.DeleteApiUserAsync({ id: mine.id, version: mine.version, confirm: true }), () => asOther.ResendInviteAsync({ id: mine.id })];
    for (const call of calls) {
      const fault = await faultOf(call());
      assert.equal(fault.code, 'api_user.not_found');
      assert.equal(fault.httpStatus, 404);
    }
    const [theirs] = await asOther.ListApiUsersAsync({});
    assert.equal(theirs.api_users, null, 'another organization lists none of ours (an empty list element)');
  });
});
