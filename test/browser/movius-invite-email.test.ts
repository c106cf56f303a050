import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureWebBuild, openBrowser, screenshot, signIn, SKIP_REASON, startSetUpServer, waitForValue, type RunningServer } from './browser-support.js';
import { revealLinkOf, SmtpInbox } from './mail-support.js';

const EMAIL = 'melanie.allen@acme.example';
const WARNING = "'Melanie Allen-Reyes' is used to connect to 'HttpApi'. If you delete this user, the integration with 'HttpApi' will fail.";
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

/**
 * The Movius flow end to end with a real SMTP server: + Add API User emails the username and a
 * one-time link; Edit saves; Resend Invite emails a new link and voids the first; the link opened
 * in the browser reveals the password, which works on /v2/account-info; Delete warns, then deletes.
 */
describe('browser: Movius invitation email, reveal page and password', { skip: SKIP_REASON }, () => {
  const inbox = new SmtpInbox();
  let server: RunningServer;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  before(async () => {
    ensureWebBuild();
    await inbox.start();
    server = await startSetUpServer({ env: { SMTP_URL: inbox.url, OUTBOX_POLL_MS: '100' } });
    browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await inbox.stop();
  });

  const accountInfo = (username: string, password: string) => fetch(`${server.base}/v2/account-info`, { headers: { authorization: basic(username, password) } });

  it('add -> email; edit; resend -> new email, old link void; reveal in the browser -> the password works; delete with warning', async () => {
    const { page, context } = browser;
    await page.goto(`${server.base}/administrators`);
    await signIn(page);
    await page.waitForURL(/\/administrators$/);
    const table = page.getByRole('table', { name: 'Administrators' });

    await page.getByRole('button', { name: '+ Add API User' }).click();
    const add = page.getByRole('dialog');
    await add.getByRole('textbox', { name: 'First Name' }).fill('Melanie');
    await add.getByRole('textbox', { name: 'Last Name' }).fill('Allen');
    await add.getByRole('textbox', { name: 'Email', exact: true }).fill(EMAIL);
    await add.getByRole('checkbox', { name: /^HttpApi/ }).check();
    await add.getByRole('button', { name: 'Save' }).click();
    await add.waitFor({ state: 'detached' });
    await page.getByText(`Melanie Allen was added; an invitation was sent to ${EMAIL}.`).waitFor();

    const first = await inbox.waitFor(EMAIL, 1);
    assert.match(first.subject ?? '', /Acme Corp/);
    const username = /Username: (\S+@\S+)/.exec(first.text ?? '')?.[1];
    assert.ok(username, first.text);
    const firstLink = revealLinkOf(first);
    assert.ok(firstLink.startsWith(`${server.base}/reveal#token=`), firstLink);

    // Edit: the new last name is saved and listed.
    const row = table.getByRole('row', { name: /Melanie Allen/ });
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Edit' }).click();
    let edit = page.getByRole('dialog').filter({ hasText: 'Edit Administrator' });
    await edit.getByRole('textbox', { name: 'Last Name' }).fill('Allen-Reyes');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    const edited = table.getByRole('row', { name: /Melanie Allen-Reyes/ });
    await edited.waitFor();

    // Resend Invite: a second email with a new link; the first link no longer works.
    await edited.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Edit' }).click();
    edit = page.getByRole('dialog').filter({ hasText: 'Edit Administrator' });
    // (The dialog may first show the cached copy; it re-reads the API user with its new ETag.)
    await waitForValue(edit.getByRole('textbox', { name: 'Last Name' }), /^Allen-Reyes$/);
    await edit.getByRole('button', { name: 'Resend Invite' }).click();
    await page.getByText(`A new invitation was sent to ${EMAIL}.`).waitFor();
    const second = await inbox.waitFor(EMAIL, 2);
    assert.ok(second.text?.includes(`Username: ${username}`), second.text);
    const secondLink = revealLinkOf(second);
    assert.notEqual(secondLink, firstLink);
    await screenshot(page, 'movius-resend-invite');

    let revealed = '';
    const reveal = await context.newPage();
    try {
      await reveal.goto(firstLink);
      await reveal.getByRole('button', { name: 'Show my password' }).click();
      await reveal.locator('#result.error').waitFor();
      assert.equal(await reveal.locator('#pw').count(), 0, 'the first link reveals nothing after Resend Invite');

      await reveal.goto('about:blank');
      await reveal.goto(secondLink);
      await reveal.getByRole('heading', { name: 'Your API user' }).waitFor();
      await reveal.getByRole('button', { name: 'Show my password' }).click();
      const password = (await reveal.locator('#pw').innerText()).trim();
      revealed = password;
      await reveal.getByText(`Username: ${username}`).waitFor();
      assert.equal(new URL(reveal.url()).hash, '', 'the token leaves the address bar');
      await screenshot(reveal, 'movius-reveal-page');
      const ok = await accountInfo(username, password);
      assert.equal(ok.status, 200, await ok.clone().text());
      const me = (await ok.json() as { api_user: { username: string; name: string } }).api_user;
      assert.deepEqual([me.username, me.name], [username, 'Melanie Allen-Reyes']);
    } finally {
      await reveal.close();
    }

    // Delete: the prompt warns before Yes; afterwards the password is refused.
    await edit.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Confirm' });
    assert.equal(await confirm.getByTestId('delete-warning').innerText({ timeout: 10_000 }), WARNING);
    await screenshot(page, 'movius-invite-delete-warning');
    await confirm.getByRole('button', { name: 'Yes' }).click();
    await confirm.waitFor({ state: 'detached' });
    await edited.waitFor({ state: 'detached' });
    assert.equal((await accountInfo(username, revealed)).status, 401, 'a deleted API user cannot sign in');
  });
});
