import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureWebBuild, openBrowser, restSession, screenshot, signInAs, SKIP_REASON, startSetUpServer, type RunningServer } from './browser-support.js';

const VIEWER = { email: 'vera.viewer@acme.example', password: 'a long enough passphrase for Vera' };

/**
 * A Viewer (api-users:read, admins:read) sees the lists but no way to add, edit or resend; forcing
 * a change from the signed-in page, with the session's CSRF token, gets the server's 403 problem,
 * and a page the role may not read shows that problem.
 */
describe('browser: a Viewer sees no add buttons and gets 403 when forcing a change', { skip: SKIP_REASON }, () => {
  let server: RunningServer;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let orgId: string;

  before(async () => {
    ensureWebBuild();
    server = await startSetUpServer();
    browser = await openBrowser();
    const owner = await restSession(server.base);
    orgId = owner.organizationId;
    const viewer = await owner.call('POST', `/v1/organizations/${orgId}/administrators`, {
      email: VIEWER.email, first_name: 'Vera', last_name: 'Viewer', role_id: 'viewer', password: VIEWER.password,
    });
    assert.equal(viewer.status, 201, await viewer.text());
    const apiUser = await owner.call('POST', `/v1/organizations/${orgId}/api-users`, {
      first_name: 'Kim', last_name: 'Keys', email: 'kim.keys@acme.example', applications: ['httpapi'],
      password: 'Magento-sync-2026!', password_confirmation: 'Magento-sync-2026!',
    });
    assert.equal(apiUser.status, 201, await apiUser.text());
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Administrators and API users: lists shown, no add/new buttons, Edit and Resend disabled', async () => {
    const { page } = browser;
    await page.goto(`${server.base}/administrators`);
    await signInAs(page, VIEWER.email, VIEWER.password);
    await page.waitForURL(/\/administrators$/);
    const table = page.getByRole('table', { name: 'Administrators' });
    await table.getByRole('row', { name: /Kim Keys/ }).waitFor();
    await table.getByRole('row', { name: /Vera Viewer/ }).getByText('Viewer', { exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: '+ Add API User' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: '+ Add New Administrator' }).count(), 0);
    await table.getByRole('row', { name: /Kim Keys/ }).getByRole('checkbox').check();
    assert.ok(await page.getByRole('button', { name: 'Edit' }).isDisabled(), 'Edit is disabled for a Viewer');
    assert.ok(await page.getByRole('button', { name: 'Resend Invite' }).isDisabled(), 'Resend Invite is disabled for a Viewer');
    await screenshot(page, 'viewer-administrators');

    await page.getByRole('link', { name: 'Settings › Access' }).click();
    await page.waitForURL(/\/settings\/access\/api-users$/);
    await page.getByRole('table', { name: 'API users' }).getByRole('row', { name: /apiuser-/ }).first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'New user' }).count(), 0);
    await screenshot(page, 'viewer-api-users');
  });

  it('forced from the page with the CSRF token: POST api-users and administrators -> 403 problem+json naming the privilege', async () => {
    const { page } = browser;
    // (No named functions inside: tsx would wrap them in a helper the page does not have.)
    const answers = await page.evaluate(async (org) => {
      const session = await (await fetch('/v1/session')).json() as { csrf_token: string };
      const requests: [string, unknown][] = [
        [`/v1/organizations/${org}/api-users`, { first_name: 'Eve', last_name: 'Forced', email: 'eve@acme.example', applications: ['httpapi'] }],
        [`/v1/organizations/${org}/administrators`, { first_name: 'Eve', last_name: 'Forced', email: 'eve@acme.example', role_id: 'administrator' }],
      ];
      const out: { status: number; type: string | null; problem: { code?: string; detail?: string } }[] = [];
      for (const [path, body] of requests) {
        const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf_token }, body: JSON.stringify(body) });
        out.push({ status: response.status, type: response.headers.get('content-type'), problem: await response.json() as { code?: string; detail?: string } });
      }
      return out;
    }, orgId);
    for (const [answer, privilege] of [[answers[0]!, 'api-users:manage'], [answers[1]!, 'admins:manage']] as const) {
      assert.equal(answer.status, 403, JSON.stringify(answer));
      assert.match(answer.type ?? '', /^application\/problem\+json/);
      assert.equal(answer.problem.code, 'auth.forbidden');
      assert.match(answer.problem.detail ?? '', new RegExp(`"${privilege}" privilege.*"Viewer"`));
    }
    // Nothing was created.
    const owner = await restSession(server.base);
    const list = await (await owner.call('GET', `/v1/organizations/${orgId}/administrators?q=Forced`)).json() as { data: unknown[] };
    assert.equal(list.data.length, 0);
  });

  it('a page the role may not read (Mailbox) has no link, and forced by its URL shows the server\'s 403 detail', async () => {
    const { page } = browser;
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Settings › Access' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Mailbox' }).count(), 0, 'no Mailbox link without "Can manage account"');
    await page.goto(`${server.base}/mail`);
    await page.getByRole('heading', { level: 2, name: 'Mailbox' }).waitFor();
    const alert = page.getByRole('alert').filter({ hasText: 'Could not read the mailbox' });
    await alert.getByText(/"account:manage" privilege .*"Viewer" does not have it/).waitFor();
    await screenshot(page, 'viewer-mailbox-403');
  });
});
