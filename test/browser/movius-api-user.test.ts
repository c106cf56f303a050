import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureWebBuild, openBrowser, screenshot, signIn, SKIP_REASON, startSetUpServer, waitForValue, type RunningServer } from './browser-support.js';
import { revealLinkOf, SmtpInbox } from './mail-support.js';

const WARNING = "'Melanie Allen' is used to connect to 'HttpApi'. If you delete this user, the integration with 'HttpApi' will fail.";
const MARCO = 'marco.rossi@acme.example';
const MARCO_WARNING = "'Marco Rossi-Bianchi' is used to connect to 'HttpApi'. If you delete this user, the integration with 'HttpApi' will fail.";
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

/**
 * The Movius seed flow in a real browser: Administrators > + Add API User (personal details,
 * HttpApi), the row with its role and organization, Details, Edit, Delete with the last-user
 * warning, Yes. Then end to end with a real SMTP server: the invitation email, Edit, Resend
 * Invite (a new link, the first one void), the link opened in the browser reveals the password,
 * which works on /v2/account-info, and Delete.
 */
describe('browser: Movius Administrators', { skip: SKIP_REASON }, () => {
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

  it('+ Add API User -> listed as API User of 9-digit ACME CORP; Delete warns it is the only HttpApi user; Yes deletes', async () => {
    const { page } = browser;
    await page.goto(`${server.base}/administrators`);
    await page.waitForURL(/\/sign-in\?next=%2Fadministrators/);
    await signIn(page);
    await page.waitForURL(/\/administrators$/);
    assert.match(await page.getByTestId('time-zone-note').first().innerText(), /^All the information displayed in US - Central \(C[DS]T\)$/);
    const table = page.getByRole('table', { name: 'Administrators' });
    // The owner just signed in: "TODAY hh:mm AM/PM" in the organization's zone.
    const owner = table.getByRole('row', { name: /Olivia Owner/ });
    await owner.waitFor();
    assert.match((await owner.getByRole('cell').allInnerTexts())[2]!, /^TODAY \d\d:\d\d [AP]M$/);

    await page.getByRole('button', { name: '+ Add API User' }).click();
    const add = page.getByRole('dialog');
    await add.getByText('Note: you must select Salesforce to create a connection to MultiLine for Salesforce. Selecting HttpApi will not work.').waitFor();
    await add.getByRole('textbox', { name: 'First Name' }).fill('Melanie');
    await add.getByRole('textbox', { name: 'Last Name' }).fill('Allen');
    await add.getByRole('textbox', { name: 'Email', exact: true }).fill('melanie.allen@acme.example');
    await add.getByRole('checkbox', { name: 'Salesforce' }).waitFor();
    await add.getByRole('checkbox', { name: /^HttpApi/ }).check();
    await screenshot(page, 'movius-add-api-user');
    await add.getByRole('button', { name: 'Save' }).click();
    await add.waitFor({ state: 'detached' });

    const melanie = table.getByRole('row', { name: /Melanie Allen/ });
    await melanie.waitFor();
    const cells = await melanie.getByRole('cell').allInnerTexts();
    assert.equal(cells[3], 'API User');
    assert.match(cells[4]!, /^[1-9]\d{8} ACME CORP$/);

    // Search narrows the list; the row's checkbox opens its Details panel.
    await page.getByRole('searchbox', { name: 'Search' }).fill('Melanie');
    await table.getByRole('row', { name: /Olivia Owner/ }).waitFor({ state: 'detached' });
    await melanie.getByRole('checkbox').check();
    const details = page.getByRole('complementary', { name: 'Details' });
    await details.getByText('Email : melanie.allen@acme.example').waitFor();
    await details.getByText('External Applications : HttpApi').waitFor();

    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog').filter({ hasText: 'Edit Administrator' });
    assert.equal(await edit.getByRole('textbox', { name: 'First Name' }).inputValue(), 'Melanie');
    assert.match(await edit.getByRole('textbox', { name: 'Organization' }).inputValue(), /^[1-9]\d{8} ACME CORP$/);
    await edit.getByRole('button', { name: 'Delete' }).click();

    const confirm = page.getByRole('dialog', { name: 'Confirm' });
    await confirm.getByText('Are you sure you want to delete?').waitFor();
    // As in the guide, the warning is in the prompt before Yes (the server's exact words).
    assert.equal(await confirm.getByTestId('delete-warning').innerText({ timeout: 10_000 }), WARNING);
    await screenshot(page, 'movius-delete-warning');
    await confirm.getByRole('button', { name: 'Yes' }).click();
    await confirm.waitFor({ state: 'detached' });
    await melanie.waitFor({ state: 'detached' });
    await page.getByText('Nobody matches “Melanie”.').waitFor();
    await screenshot(page, 'movius-after-delete');
  });

  const accountInfo = (username: string, password: string) => fetch(`${server.base}/v2/account-info`, { headers: { authorization: basic(username, password) } });

  it('add -> email; edit; resend -> new email, old link void; reveal in the browser -> the password works; delete with warning', async () => {
    const { page, context } = browser;
    await page.goto(`${server.base}/administrators`);
    await page.getByRole('button', { name: '+ Add API User' }).waitFor();
    const table = page.getByRole('table', { name: 'Administrators' });
    // Emails go to the SMTP server here: there is no local mailbox, so no link to one.
    await page.getByRole('link', { name: 'Administrators' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Mailbox' }).count(), 0, 'no Mailbox link when SMTP_URL is set');

    await page.getByRole('button', { name: '+ Add API User' }).click();
    const add = page.getByRole('dialog');
    await add.getByRole('textbox', { name: 'First Name' }).fill('Marco');
    await add.getByRole('textbox', { name: 'Last Name' }).fill('Rossi');
    await add.getByRole('textbox', { name: 'Email', exact: true }).fill(MARCO);
    await add.getByRole('checkbox', { name: /^HttpApi/ }).check();
    await add.getByRole('button', { name: 'Save' }).click();
    await add.waitFor({ state: 'detached' });
    await page.getByText(`Marco Rossi was added; an invitation was sent to ${MARCO}.`).waitFor();

    const first = await inbox.waitFor(MARCO, 1);
    assert.match(first.subject ?? '', /Acme Corp/);
    const username = /Username: (\S+@\S+)/.exec(first.text ?? '')?.[1];
    assert.ok(username, first.text);
    const firstLink = revealLinkOf(first);
    assert.ok(firstLink.startsWith(`${server.base}/reveal#token=`), firstLink);

    // Edit: the new last name is saved and listed.
    const row = table.getByRole('row', { name: /Marco Rossi/ });
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Edit' }).click();
    let edit = page.getByRole('dialog').filter({ hasText: 'Edit Administrator' });
    await edit.getByRole('textbox', { name: 'Last Name' }).fill('Rossi-Bianchi');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    const edited = table.getByRole('row', { name: /Marco Rossi-Bianchi/ });
    await edited.waitFor();

    // Resend Invite: a second email with a new link; the first link no longer works.
    await edited.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Edit' }).click();
    edit = page.getByRole('dialog').filter({ hasText: 'Edit Administrator' });
    // (The dialog may first show the cached copy; it re-reads the API user with its new ETag.)
    await waitForValue(edit.getByRole('textbox', { name: 'Last Name' }), /^Rossi-Bianchi$/);
    await edit.getByRole('button', { name: 'Resend Invite' }).click();
    await page.getByText(`A new invitation was sent to ${MARCO}.`).waitFor();
    const second = await inbox.waitFor(MARCO, 2);
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
      assert.deepEqual([me.username, me.name], [username, 'Marco Rossi-Bianchi']);
    } finally {
      await reveal.close();
    }

    // Delete: the prompt warns before Yes; afterwards the password is refused.
    await edit.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Confirm' });
    assert.equal(await confirm.getByTestId('delete-warning').innerText({ timeout: 10_000 }), MARCO_WARNING);
    await screenshot(page, 'movius-invite-delete-warning');
    await confirm.getByRole('button', { name: 'Yes' }).click();
    await confirm.waitFor({ state: 'detached' });
    await edited.waitFor({ state: 'detached' });
    assert.equal((await accountInfo(username, revealed)).status, 401, 'a deleted API user cannot sign in');
  });
});
