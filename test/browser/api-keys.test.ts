import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureWebBuild, openBrowser, OWNER, screenshot, signIn, SKIP_REASON, startSetUpServer, type RunningServer } from './browser-support.js';

const KEY = /^au_key_[0-9A-Za-z]{38}$/;

/**
 * API keys in a real browser: Administrators > the API user > Edit > API keys, Create key (shown
 * once, it authenticates GET /v2/account-info), reopened it shows only the hint, Revoke (401),
 * Roll (a new key; the old one works until the overlap ends).
 */
describe('browser: API keys panel', { skip: SKIP_REASON }, () => {
  let server: RunningServer;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  before(async () => {
    ensureWebBuild();
    server = await startSetUpServer();
    browser = await openBrowser();
    // The API user, through the REST API with a password typed by the administrator.
    const signedIn = await fetch(`${server.base}/v1/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
    });
    assert.equal(signedIn.status, 200, await signedIn.clone().text());
    const session = await signedIn.json() as { csrf_token: string; organization: { id: string } };
    const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const created = await fetch(`${server.base}/v1/organizations/${session.organization.id}/api-users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': session.csrf_token },
      body: JSON.stringify({
        first_name: 'Kim', last_name: 'Keys', email: 'kim.keys@acme.example', applications: ['httpapi'],
        password: 'Magento-sync-2026!', password_confirmation: 'Magento-sync-2026!',
      }),
    });
    assert.equal(created.status, 201, await created.text());
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const accountInfo = (key: string) => fetch(`${server.base}/v2/account-info`, { headers: { authorization: `Bearer ${key}` } });

  it('Create key shows it once; it authenticates; reopened only its hint shows; Revoke -> 401', async () => {
    const { page } = browser;
    await page.goto(`${server.base}/administrators`);
    await page.waitForURL(/\/sign-in/);
    await signIn(page);
    await page.waitForURL(/\/administrators$/);
    const row = page.getByRole('table', { name: 'Administrators' }).getByRole('row', { name: /Kim Keys/ });
    await row.waitFor();
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog').filter({ hasText: 'Edit Administrator' });
    await edit.getByRole('button', { name: 'API keys' }).click();

    const panel = page.getByRole('dialog', { name: 'API keys of Kim Keys' });
    await panel.getByText('No API keys yet.').waitFor();
    await panel.getByRole('textbox', { name: 'Key name' }).fill('magento production');
    await panel.getByRole('button', { name: 'Create key' }).click();
    await panel.getByText('Copy it now: you will not see this key again.').waitFor();
    const key = (await panel.getByTestId('new-api-key').innerText()).trim();
    assert.match(key, KEY);
    const hint = (await panel.getByRole('table', { name: 'API keys' }).getByRole('row', { name: /magento production/ }).getByRole('cell').nth(1).innerText()).trim();
    assert.ok(hint.endsWith(key.slice(-4)), `hint ${hint} ends with the key's last 4`);
    await screenshot(page, 'api-key-created');

    const ok = await accountInfo(key);
    assert.equal(ok.status, 200, await ok.text());

    // Closed and reopened: the key is gone from the page, its hint remains.
    await panel.getByRole('button', { name: 'Close' }).click();
    await panel.waitFor({ state: 'detached' });
    await edit.getByRole('button', { name: 'API keys' }).click();
    const again = page.getByRole('dialog', { name: 'API keys of Kim Keys' });
    const keyRow = again.getByRole('table', { name: 'API keys' }).getByRole('row', { name: /magento production/ });
    await keyRow.waitFor();
    await again.getByText(hint, { exact: true }).waitFor();
    assert.equal(await again.getByTestId('new-api-key').count(), 0);
    assert.equal(await page.getByText(key).count(), 0, 'the key is shown nowhere');

    await keyRow.getByRole('button', { name: 'Revoke magento production' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke key' });
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await confirm.waitFor({ state: 'detached' });
    await keyRow.getByText('revoked').waitFor();
    const refused = await accountInfo(key);
    assert.equal(refused.status, 401, await refused.text());

    // Roll: a new key, shown once, and the old one keeps working until a time in the zone.
    await again.getByRole('textbox', { name: 'Key name' }).fill('crm');
    await again.getByRole('button', { name: 'Create key' }).click();
    const first = again.getByTestId('new-api-key');
    await first.waitFor();
    const old = (await first.innerText()).trim();
    await again.getByRole('button', { name: 'Roll crm' }).click();
    await again.getByText(/keeps working until (TODAY|[A-Z]{3} \d+, \d{4}) \d\d:\d\d [AP]M\.$/).waitFor();
    const rolled = (await again.getByTestId('new-api-key').innerText()).trim();
    assert.match(rolled, KEY);
    assert.notEqual(rolled, old);
    assert.equal((await accountInfo(rolled)).status, 200);
    assert.equal((await accountInfo(old)).status, 200, 'the old key still works during the overlap');
  });
});
