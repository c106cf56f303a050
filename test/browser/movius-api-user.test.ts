import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureWebBuild, openBrowser, screenshot, signIn, SKIP_REASON, startSetUpServer, type RunningServer } from './browser-support.js';

const WARNING = "'Melanie Allen' is used to connect to 'HttpApi'. If you delete this user, the integration with 'HttpApi' will fail.";

/**
 * The Movius seed flow in a real browser: Administrators > + Add API User (personal details,
 * HttpApi), the row with its role and organization, Details, Edit, Delete with the last-user
 * warning, Yes.
 */
describe('browser: Movius Administrators', { skip: SKIP_REASON }, () => {
  let server: RunningServer;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  before(async () => {
    ensureWebBuild();
    server = await startSetUpServer();
    browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
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
});
