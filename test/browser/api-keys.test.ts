import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { wallTimeToInstant } from '../../web/src/pages/credential-time.js';
import { ensureWebBuild, openBrowser, OWNER, screenshot, signIn, SKIP_REASON, startSetUpServer, type RunningServer } from './browser-support.js';

const KEY = /^au_key_[0-9A-Za-z]{38}$/;
const ZONE = 'America/Chicago';

/** The calendar day `days` from now in Acme's zone (YYYY-MM-DD) and how the UI prints that day. */
function dayAhead(days: number): { day: string; label: string } {
  const at = new Date(Date.now() + days * 86_400_000);
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  const label = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, month: 'short', day: 'numeric', year: 'numeric' }).format(at).toUpperCase();
  return { day, label };
}

/**
 * API keys in a real browser: Administrators > the API user > Edit > API keys, Create key (shown
 * once, it authenticates GET /v2/account-info), reopened it shows only the hint, Revoke (401),
 * Roll (a new key; the old one works until the overlap ends).
 */
describe('browser: credentials (API keys, OAuth client, public keys)', { skip: SKIP_REASON }, () => {
  let server: RunningServer;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let cookie: string;
  let orgId: string;
  let userId: string;
  let username: string;

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
    orgId = session.organization.id;
    cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const created = await fetch(`${server.base}/v1/organizations/${session.organization.id}/api-users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': session.csrf_token },
      body: JSON.stringify({
        first_name: 'Kim', last_name: 'Keys', email: 'kim.keys@acme.example', applications: ['httpapi'],
        password: 'Magento-sync-2026!', password_confirmation: 'Magento-sync-2026!',
      }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    ({ id: userId, username } = (await created.json() as { api_user: { id: string; username: string } }).api_user);
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
    await edit.getByRole('button', { name: 'Credentials' }).click();

    const panel = page.getByRole('dialog', { name: 'Credentials of Kim Keys' });
    await panel.getByRole('tab', { name: 'API keys', selected: true }).waitFor();
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
    await edit.getByRole('button', { name: 'Credentials' }).click();
    const again = page.getByRole('dialog', { name: 'Credentials of Kim Keys' });
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

    // Roll: a new key, shown once; the administrator picks until when the old one keeps working
    // (default 24 h from now, in the organization's zone), and the list shows it afterwards.
    await again.getByRole('textbox', { name: 'Key name' }).fill('crm');
    await again.getByRole('button', { name: 'Create key' }).click();
    const first = again.getByTestId('new-api-key');
    await first.waitFor();
    const old = (await first.innerText()).trim();
    await again.getByRole('button', { name: 'Roll crm' }).click();
    const rollDialog = page.getByRole('dialog', { name: 'Roll crm' });
    const until = rollDialog.getByLabel('Old key valid until');
    const proposed = await until.inputValue();
    const proposedAt = Date.parse(wallTimeToInstant(proposed, ZONE) ?? '');
    assert.ok(Math.abs(proposedAt - (Date.now() + 86_400_000)) < 5 * 60_000, `default ${proposed} is 24 h from now in ${ZONE}`);
    const { day, label } = dayAhead(2);
    await until.fill(`${day}T09:30`);
    await screenshot(page, 'api-key-roll-overlap');
    await rollDialog.getByRole('button', { name: 'Roll', exact: true }).click();
    await rollDialog.waitFor({ state: 'detached' });
    assert.match(await again.getByTestId('roll-note').innerText(), new RegExp(`^The old key au_key_…\\w{4} keeps working until ${label} 09:30 AM\\.$`));
    const rolled = (await again.getByTestId('new-api-key').innerText()).trim();
    assert.match(rolled, KEY);
    assert.notEqual(rolled, old);
    const oldRow = again.getByRole('table', { name: 'API keys' }).getByRole('row').filter({ hasText: 'expiring' });
    await oldRow.getByText(`Rolled: valid until ${label} 09:30 AM`).waitFor();
    const listed = await fetch(`${server.base}/v1/organizations/${orgId}/api-users/${userId}/keys`, { headers: { cookie } });
    const expiring = (await listed.json() as { data: { status: string; expires_at: string | null }[] }).data.find((k) => k.status === 'expiring');
    assert.equal(expiring?.expires_at, wallTimeToInstant(`${day}T09:30`, ZONE), 'the server keeps the chosen time');
    assert.equal((await accountInfo(rolled)).status, 200);
    assert.equal((await accountInfo(old)).status, 200, 'the old key still works during the overlap');
    await screenshot(page, 'api-key-rolled');
    await again.getByRole('button', { name: 'Close' }).click();
    await again.waitFor({ state: 'detached' });
  });

  /** A private_key_jwt client assertion (RFC 7523) for the token endpoint, signed with `key`. */
  async function tokenWithAssertion(key: KeyObject, kid: string, tokenEndpoint: string): Promise<Response> {
    const assertion = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(username).setSubject(username)
      .setAudience(tokenEndpoint).setIssuedAt().setExpirationTime('2m').setJti(randomUUID()).sign(key);
    return fetch(`${server.base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials', resource: 'httpapi',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
      }),
    });
  }

  it('OAuth client tab: client id, token endpoint and a curl that works; a pasted PEM signs private_key_jwt until deleted', async () => {
    const { page } = browser;
    const edit = page.getByRole('dialog').filter({ hasText: 'Edit Administrator' });
    if (await edit.count() === 0) {
      const row = page.getByRole('table', { name: 'Administrators' }).getByRole('row', { name: /Kim Keys/ });
      await row.getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Edit' }).click();
    }
    await edit.getByRole('button', { name: 'Credentials' }).click();
    const panel = page.getByRole('dialog', { name: 'Credentials of Kim Keys' });
    await panel.getByRole('tab', { name: 'OAuth client' }).click();
    assert.equal(await panel.getByTestId('oauth-client-id').innerText(), username);
    const tokenEndpoint = await panel.getByTestId('oauth-token-endpoint').innerText();
    assert.equal(tokenEndpoint, `${server.base}/oauth/token`);
    const curl = await panel.getByTestId('oauth-curl').innerText();
    assert.equal(curl, `curl -u "${username}:$SECRET" \\\n  -d grant_type=client_credentials -d resource=httpapi \\\n  ${tokenEndpoint}`);
    // What the copied command does, with the password as $SECRET.
    const granted = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${username}:Magento-sync-2026!`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&resource=httpapi',
    });
    assert.equal(granted.status, 200, await granted.clone().text());
    await panel.getByText('No public keys yet.').waitFor();

    // A bad paste is refused with the reason, before and at the server.
    await panel.getByRole('textbox', { name: 'Public key' }).fill('not a key');
    await panel.getByRole('button', { name: 'Add public key' }).click();
    await panel.getByRole('alert').getByText(/neither JSON nor PEM/).waitFor();
    const { privateKey: otherPrivate } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await panel.getByRole('textbox', { name: 'Public key' }).fill(otherPrivate.export({ type: 'pkcs8', format: 'pem' }).toString());
    await panel.getByRole('button', { name: 'Add public key' }).click();
    await panel.getByRole('alert').filter({ hasText: 'Key not added' }).getByText(/private/i).waitFor();

    // The integration's public key as PEM, with the kid it will send.
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await panel.getByRole('textbox', { name: 'Public key' }).fill(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    await panel.getByRole('textbox', { name: 'Name (optional)' }).fill('magento production');
    await panel.getByRole('textbox', { name: 'Key ID (optional)' }).fill('magento-2026');
    await panel.getByRole('button', { name: 'Add public key' }).click();
    const keyRow = panel.getByRole('table', { name: 'Public keys' }).getByRole('row', { name: /magento production/ });
    await keyRow.getByText('magento-2026').waitFor();
    await keyRow.getByText('EC P-256').waitFor();
    await screenshot(page, 'oauth-client-public-key');

    const signed = await tokenWithAssertion(privateKey, 'magento-2026', tokenEndpoint);
    assert.equal(signed.status, 200, await signed.clone().text());
    const { access_token: accessToken } = await signed.json() as { access_token: string };
    const info = await fetch(`${server.base}/v2/account-info`, { headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal(info.status, 200, await info.text());

    // A JWKS paste adds its keys too.
    const { publicKey: second } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await panel.getByRole('textbox', { name: 'Public key' }).fill(JSON.stringify({ keys: [{ ...second.export({ format: 'jwk' }), kid: 'spare-2027' }] }));
    await panel.getByRole('button', { name: 'Add public key' }).click();
    await panel.getByRole('table', { name: 'Public keys' }).getByRole('row', { name: /spare-2027/ }).waitFor();

    await keyRow.getByRole('button', { name: 'Delete magento production' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete public key' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await confirm.waitFor({ state: 'detached' });
    await keyRow.waitFor({ state: 'detached' });
    const refused = await tokenWithAssertion(privateKey, 'magento-2026', tokenEndpoint);
    assert.equal(refused.status, 401, await refused.text());
  });
});
