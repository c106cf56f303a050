import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { formatSignIn } from '../../web/src/lib/format-time.js';
import { dayIn } from '../../web/src/lib/zoned-day.js';
import { seriousViolations } from './axe-support.js';
import { ensureWebBuild, openBrowser, OWNER, screenshot, signIn, SKIP_REASON, startSetUpServer, type RunningServer } from './browser-support.js';

const JAPAN = /^All the information displayed in Japan \((JST|GMT\+9)\)$/;

/**
 * The admin pages in a real browser: Applications (add a custom one; the server's refusal to
 * delete one in use; a rename that meets someone else's change answers 412 and offers Reload),
 * Roles (matrix, new custom role), Organization settings (the time zone changes the line on every
 * page and the Last Sign In column), Audit log (filter by action, by target, by a range of days in
 * the organization's zone), Load more past 100 rows on both lists, Edit Administrator for a person,
 * an API user's Edit and Delete meeting someone else's change (412, Reload), the named close button
 * of a toast, and the pages at 390 px.
 */
describe('browser: admin pages', { skip: SKIP_REASON }, () => {
  let server: RunningServer;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let orgId: string;
  /** Uncaught errors in the page: none is expected. */
  const pageErrors: string[] = [];
  /** A second session of the owner, through the REST API: "someone else" making changes. */
  let call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;

  before(async () => {
    ensureWebBuild();
    server = await startSetUpServer();
    browser = await openBrowser();
    browser.page.on('pageerror', (error) => pageErrors.push(error.message));
    const signedIn = await fetch(`${server.base}/v1/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
    });
    assert.equal(signedIn.status, 200, await signedIn.clone().text());
    const session = await signedIn.json() as { csrf_token: string; organization: { id: string } };
    orgId = session.organization.id;
    const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    call = (method, path, body, headers = {}) => fetch(`${server.base}${path.replace('{org}', orgId)}`, {
      method,
      headers: { cookie, 'x-csrf-token': session.csrf_token, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    assert.deepEqual(pageErrors, []);
  });

  /** Polls `check` until it holds (the UI updates after its requests answer). */
  async function waitUntil(check: () => Promise<boolean>, what: string, ms = 10_000) {
    const deadline = Date.now() + ms;
    while (!await check()) {
      if (Date.now() > deadline) throw new Error(`never: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function waitForInput(input: ReturnType<Page['getByRole']>, value: string) {
    await input.waitFor();
    await waitUntil(async () => await input.inputValue() === value, `the input shows ${value}`);
  }

  async function open(page: Page, path: string, heading: string) {
    await page.goto(`${server.base}${path}`);
    await page.getByRole('heading', { level: 2, name: heading }).waitFor();
  }

  it('signs in and reaches every new page from the navigation', async () => {
    const { page } = browser;
    await page.goto(`${server.base}/settings/applications`);
    await page.waitForURL(/\/sign-in\?next=/);
    await signIn(page);
    await page.waitForURL(/\/settings\/applications$/);
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const [link, heading] of [
      ['Settings › Roles', 'Roles'], ['Settings › Organization', 'Organization settings'], ['Audit log', 'Audit log'], ['Mailbox', 'Mailbox'], ['Settings › Applications', 'Applications'],
    ] as const) {
      await nav.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { level: 2, name: heading }).waitFor();
      assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1, `one h1 on ${heading}`);
    }
  });

  it('Applications: add a custom application; deleting it while an API user connects as it shows the server\'s refusal', async () => {
    const { page } = browser;
    await open(page, '/settings/applications', 'Applications');
    const table = page.getByRole('table', { name: 'Applications' });
    await table.getByRole('row', { name: /^HttpApi httpapi Built in/ }).waitFor();
    await table.getByRole('row', { name: /^Salesforce salesforce Built in/ }).waitFor();
    await page.getByRole('button', { name: '+ Add custom application' }).click();
    const add = page.getByRole('dialog', { name: 'Add custom application' });
    await add.getByRole('textbox', { name: 'Name' }).fill('Acme Portal');
    assert.equal(await add.getByRole('textbox', { name: 'Key' }).inputValue(), 'acme-portal');
    await add.getByRole('textbox', { name: 'Description' }).fill('Our customer portal');
    await add.getByRole('button', { name: 'Save' }).click();
    await add.waitFor({ state: 'detached' });
    const row = table.getByRole('row', { name: /Acme Portal/ });
    await row.waitFor();
    assert.deepEqual((await row.getByRole('cell').allInnerTexts()).slice(0, 3).map((t) => t.toLowerCase()), ['acme portal', 'acme-portal', 'custom']);

    // The same key again: the server's 409 detail in the form.
    await page.getByRole('button', { name: '+ Add custom application' }).click();
    await add.getByRole('textbox', { name: 'Name' }).fill('Acme Portal');
    await add.getByRole('button', { name: 'Save' }).click();
    await add.getByRole('alert').getByText('An application with key "acme-portal" already exists.').waitFor();
    await add.getByRole('button', { name: 'Cancel' }).click();
    await screenshot(page, 'admin-applications');

    const user = await call('POST', '/v1/organizations/{org}/api-users', {
      first_name: 'Paula', last_name: 'Portal', email: 'paula.portal@acme.example', applications: ['acme-portal'],
    });
    assert.equal(user.status, 201, await user.clone().text());
    await page.getByRole('button', { name: 'Delete Acme Portal' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete application' });
    await confirm.getByRole('button', { name: 'Yes, delete' }).click();
    await confirm.getByRole('alert').getByText('1 API user(s) connect as Acme Portal; remove it from them first.').waitFor();
    await screenshot(page, 'admin-applications-in-use');
    await confirm.getByRole('button', { name: 'No' }).click();
  });

  it('Applications: a rename that meets someone else\'s change says so and Reload shows the latest version', async () => {
    const { page } = browser;
    await open(page, '/settings/applications', 'Applications');
    await page.getByRole('button', { name: 'Rename Acme Portal' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename application' });
    const name = dialog.getByRole('textbox', { name: 'Name' });
    await name.waitFor();
    assert.equal(await name.inputValue(), 'Acme Portal');

    // Someone else renames it meanwhile.
    const list = await (await call('GET', '/v1/organizations/{org}/applications')).json() as { data: { id: string; key: string; version: number }[] };
    const app = list.data.find((a) => a.key === 'acme-portal')!;
    const other = await call('PATCH', `/v1/organizations/{org}/applications/${app.id}`, { name: 'Acme Customer Portal' }, { 'if-match': `"${app.version}"` });
    assert.equal(other.status, 200, await other.clone().text());

    await name.fill('Acme Portal v2');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const conflict = dialog.getByTestId('conflict');
    await conflict.getByText('This was changed by someone else — reload to see the latest version.').waitFor();
    await screenshot(page, 'admin-applications-conflict');
    await conflict.getByRole('button', { name: 'Reload' }).click();
    await conflict.waitFor({ state: 'detached' });
    assert.equal(await name.inputValue(), 'Acme Customer Portal');
    await name.fill('Acme Portal v2');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Applications' }).getByRole('row', { name: /Acme Portal v2/ }).waitFor();
  });

  it('Roles: the privilege matrix and a new custom role', async () => {
    const { page } = browser;
    await open(page, '/settings/roles', 'Roles');
    const matrix = page.getByRole('table', { name: 'Privileges of each role' });
    const audit = matrix.getByRole('row', { name: /Read the audit log/ });
    await audit.waitFor();
    // Columns: Account owner, Enterprise Super Administrator, Administrator, Viewer, API User.
    const cells = (await audit.getByRole('cell').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.deepEqual(cells, ['✓ Yes', '✓ Yes', '✓ Yes', '— No', '— No']);

    await page.getByRole('button', { name: '+ New custom role' }).click();
    const dialog = page.getByRole('dialog', { name: 'New custom role' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Integration manager');
    await dialog.getByRole('checkbox', { name: /^API User: create, edit/ }).check();
    await dialog.getByRole('checkbox', { name: /^See API users/ }).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const custom = page.getByRole('table', { name: 'Custom roles' }).getByRole('row', { name: /Integration manager/ });
    await custom.waitFor();
    assert.match((await custom.getByRole('cell').allInnerTexts())[2]!, /api-users:manage/);
    await screenshot(page, 'admin-roles');
  });

  it('Organization settings: a new time zone changes the line on every page and the Last Sign In column', async () => {
    const { page } = browser;
    await open(page, '/settings/organization', 'Organization settings');
    const note = page.getByTestId('time-zone-note').first();
    assert.match(await note.innerText(), /^All the information displayed in US - Central \(C[DS]T\)$/);
    const zone = page.getByRole('textbox', { name: 'Time zone' });
    await zone.click();
    await zone.fill('Tokyo');
    await page.getByRole('option', { name: 'Japan — Asia/Tokyo (UTC+09:00)' }).click();
    await page.getByRole('button', { name: 'Save organization' }).click();
    // The server's label: "Japan (JST)", or "Japan (GMT+9)" where ICU has no abbreviation for it.
    await page.getByText(JAPAN).waitFor();
    await page.getByRole('heading', { name: 'Credential policy' }).waitFor();
    await screenshot(page, 'admin-organization');

    // The credential policy shares the organization's version: saving it after the zone works.
    const tier = page.getByRole('textbox', { name: 'Default rate-limit tier' });
    await tier.click();
    await page.getByRole('option', { name: /^High/ }).click();
    await page.getByRole('button', { name: 'Save credential policy' }).click();
    await page.getByText('Credential policy saved.').waitFor();
    const policy = await (await call('GET', '/v1/organizations/{org}/credential-policy')).json() as { default_rate_limit_tier: string };
    assert.equal(policy.default_rate_limit_tier, 'high');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administrators' }).click();
    await page.getByRole('heading', { level: 2, name: 'Administrators' }).waitFor();
    assert.match(await page.getByTestId('time-zone-note').first().innerText(), JAPAN);
    const directory = await (await call('GET', '/v1/organizations/{org}/administrators?kind=admin')).json() as { data: { name: string; last_sign_in_at: string }[] };
    const owner = directory.data.find((a) => a.name === 'Olivia Owner')!;
    const row = page.getByRole('table', { name: 'Administrators' }).getByRole('row', { name: /Olivia Owner/ });
    await row.waitFor();
    assert.equal((await row.getByRole('cell').allInnerTexts())[2], formatSignIn(owner.last_sign_in_at, 'Asia/Tokyo'));
  });

  it('Audit log: the events in the organization\'s zone, filtered by action and by target', async () => {
    const { page } = browser;
    await open(page, '/audit-log', 'Audit log');
    const table = page.getByRole('table', { name: 'Audit log' });
    await table.getByRole('row', { name: /organization\.updated/ }).first().waitFor();
    assert.ok(await table.getByRole('row', { name: /session\.created/ }).count() > 0);
    await page.getByRole('textbox', { name: 'Action' }).fill('application.created');
    await table.getByRole('row', { name: /session\.created/ }).first().waitFor({ state: 'detached' });
    const actions = await table.locator('tbody tr td:nth-child(3)').allInnerTexts();
    assert.deepEqual(actions, ['application.created']);
    await screenshot(page, 'admin-audit-log');

    // Selecting the target shows every event about that application: created, then renamed twice.
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('textbox', { name: 'Action' }).fill('application.updated');
    await table.getByRole('row', { name: /application\.created/ }).first().waitFor({ state: 'detached' });
    await table.getByRole('button', { name: /^Show only events about application / }).first().click();
    await page.getByRole('textbox', { name: 'Action' }).fill('');
    await table.getByRole('row', { name: /application\.created/ }).waitFor();
    assert.deepEqual(await table.locator('tbody tr td:nth-child(3)').allInnerTexts(), ['application.updated', 'application.updated', 'application.created']);
  });

  it('Audit log: From and To are days in the organization\'s zone (Asia/Tokyo by now), sent as since and until', async () => {
    const { page } = browser;
    await open(page, '/audit-log', 'Audit log');
    const table = page.getByRole('table', { name: 'Audit log' });
    await table.getByRole('row', { name: /organization\.updated/ }).first().waitFor();
    const all = (await (await call('GET', '/v1/organizations/{org}/audit-events?limit=200')).json() as { data: { created_at: string }[] }).data;
    // The Tokyo day of the newest event, and its bounds written independently of the UI's helper (Japan has no DST: +09:00).
    const day = dayIn(new Date(all[0]!.created_at), 'Asia/Tokyo');
    const since = new Date(`${day}T00:00:00+09:00`).toISOString();
    const until = new Date(Date.parse(since) + 86_400_000).toISOString();
    const expected = all.filter((e) => e.created_at >= since && e.created_at < until);
    assert.ok(expected.length > 0);

    const sent = page.waitForRequest((r) => {
      const url = new URL(r.url());
      return url.pathname.endsWith('/audit-events') && url.searchParams.get('since') === since && url.searchParams.get('until') === until;
    });
    await page.getByLabel('From', { exact: true }).fill(day);
    await page.getByLabel('To', { exact: true }).fill(day);
    await sent;
    const rows = table.locator('tbody tr');
    await waitUntil(async () => await rows.count() === Math.min(50, expected.length), 'the rows of that day');
    await screenshot(page, 'admin-audit-log-days');

    // The day before: in the organization's zone it holds what the log says, here nothing at all.
    const dayBefore = dayIn(new Date(Date.parse(since) - 1), 'Asia/Tokyo');
    const before = all.filter((e) => e.created_at < since && e.created_at >= new Date(Date.parse(since) - 86_400_000).toISOString());
    await page.getByLabel('From', { exact: true }).fill(dayBefore);
    await page.getByLabel('To', { exact: true }).fill(dayBefore);
    if (before.length === 0) await table.getByText('No events match these filters.').waitFor();
    else await waitUntil(async () => await rows.count() === Math.min(50, before.length), 'the rows of the day before');

    // To before From: said at once, and no such request is sent (the server would answer 400).
    await page.getByLabel('From', { exact: true }).fill(day);
    await page.getByText('On or after From').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await waitUntil(async () => await rows.count() === Math.min(50, all.length), 'every event again');
  });

  it('Administrators and Settings › Access: 150 API users are all reachable with Load more', async () => {
    const { page } = browser;
    for (let start = 0; start < 150; start += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, (_, i) => call('POST', '/v1/organizations/{org}/api-users', {
        first_name: 'Bulk', last_name: `User ${String(start + i).padStart(3, '0')}`, email: `bulk${start + i}@acme.example`, applications: ['httpapi'],
      })));
      for (const response of batch) assert.equal(response.status, 201, await response.clone().text());
    }
    await open(page, '/settings/access/api-users', 'Access');
    const users = page.getByRole('table', { name: 'API users' }).locator('tbody tr');
    await page.getByText('Showing the first 100 API users').waitFor();
    assert.equal(await users.count(), 100);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('Showing all 151 API users').waitFor();
    assert.equal(await users.count(), 151);

    await open(page, '/administrators', 'Administrators');
    const rows = page.getByRole('table', { name: 'Administrators' }).locator('tbody tr');
    await page.getByText('Showing the first 100 administrators and API users').waitFor();
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('Showing all 152 administrators and API users').waitFor();
    assert.equal(await rows.count(), 152);
    await rows.filter({ hasText: 'Bulk User 149' }).waitFor();
  });

  it('Administrators: Edit Administrator for a person saves with If-Match; the server\'s refusal is shown', async () => {
    const { page } = browser;
    const created = await call('POST', '/v1/organizations/{org}/administrators', {
      first_name: 'Melanie', last_name: 'Allen', email: 'melanie.allen@acme.example', role_id: 'administrator',
    });
    assert.equal(created.status, 201, await created.clone().text());
    await open(page, '/administrators', 'Administrators');
    await page.getByRole('searchbox', { name: 'Search' }).fill('Melanie');
    const table = page.getByRole('table', { name: 'Administrators' });
    await table.getByRole('row', { name: /Melanie Allen/ }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Administrator' });
    await dialog.getByRole('textbox', { name: 'Last Name' }).fill('Allen-Brown');
    const role = dialog.getByRole('textbox', { name: 'Role' });
    await role.click();
    await page.getByRole('option', { name: 'Viewer' }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = table.getByRole('row', { name: /Melanie Allen-Brown/ });
    await row.waitFor();
    assert.equal((await row.getByRole('cell').allInnerTexts())[3], 'Viewer');

    // The owner's own account: role and status are locked, as the server would refuse them.
    await page.getByRole('searchbox', { name: 'Search' }).fill('Olivia');
    await table.getByRole('row', { name: /Olivia Owner/ }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Edit' }).click();
    await dialog.getByText('The Account owner keeps this role and stays enabled until ownership is transferred to another administrator.').waitFor();
    // An email another administrator uses: the server's 409 detail.
    await dialog.getByRole('textbox', { name: 'Email', exact: true }).fill('melanie.allen@acme.example');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').getByText('Another administrator already uses melanie.allen@acme.example.').waitFor();
    await screenshot(page, 'admin-edit-administrator');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
  });

  it('Administrators: an API user\'s Edit and Delete meet someone else\'s change (412), say so, and Reload shows the latest version; toasts have a named close button', async () => {
    const { page } = browser;
    const created = await call('POST', '/v1/organizations/{org}/api-users', {
      first_name: 'Rhea', last_name: 'Reload', email: 'rhea.reload@acme.example', applications: ['httpapi'],
    });
    assert.equal(created.status, 201, await created.clone().text());
    const id = (await created.json() as { api_user: { id: string } }).api_user.id;
    const userPath = `/v1/organizations/{org}/api-users/${id}`;
    /** Someone else renames her through the REST API, with the current ETag. */
    const renameElsewhere = async (lastName: string) => {
      const current = await call('GET', userPath);
      const changed = await call('PATCH', userPath, { last_name: lastName }, { 'if-match': current.headers.get('etag')! });
      assert.equal(changed.status, 200, await changed.clone().text());
    };

    await open(page, '/administrators', 'Administrators');
    await page.getByRole('searchbox', { name: 'Search' }).fill('Rhea');
    const table = page.getByRole('table', { name: 'Administrators' });
    await table.getByRole('row', { name: /Rhea Reload/ }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog').filter({ hasText: 'Profile' });
    const lastName = edit.getByRole('textbox', { name: 'Last Name' });
    await waitForInput(lastName, 'Reload');

    await renameElsewhere('Elsewhere');
    await lastName.fill('Mine');
    await edit.getByRole('button', { name: 'Save' }).click();
    const conflict = edit.getByTestId('conflict');
    await conflict.getByText('This was changed by someone else — reload to see the latest version.').waitFor();
    await screenshot(page, 'admin-api-user-conflict');
    await conflict.getByRole('button', { name: 'Reload' }).click();
    await conflict.waitFor({ state: 'detached' });
    assert.equal(await lastName.inputValue(), 'Elsewhere');
    await lastName.fill('Mine');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    const saved = await (await call('GET', userPath)).json() as { last_name: string };
    assert.equal(saved.last_name, 'Mine');

    // The toast's close button has a name (axe: button-name), whichever page shows it.
    const toast = page.getByRole('alert').filter({ hasText: 'Saved.' });
    await toast.waitFor();
    assert.deepEqual(await seriousViolations(page, 'a toast on Administrators'), []);
    await toast.getByRole('button', { name: 'Dismiss notification' }).click();
    await toast.waitFor({ state: 'detached' });

    // Delete: the same 412 in the Confirm prompt; Reload, then Yes deletes the latest version.
    await table.getByRole('row', { name: /Rhea Mine/ }).waitFor();
    await table.getByRole('row', { name: /Rhea Mine/ }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Edit' }).click();
    await waitForInput(lastName, 'Mine');
    await renameElsewhere('Again');
    await edit.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Confirm' });
    await confirm.getByRole('button', { name: 'Yes' }).click();
    const refused = confirm.getByTestId('conflict');
    await refused.getByText('This was changed by someone else — reload to see the latest version.').waitFor();
    await refused.getByRole('button', { name: 'Reload' }).click();
    await refused.waitFor({ state: 'detached' });
    assert.equal(await lastName.inputValue(), 'Again', 'the Edit form behind follows the reload');
    await confirm.getByRole('button', { name: 'Yes' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('alert').filter({ hasText: 'Rhea Again was deleted.' }).waitFor();
    assert.equal((await call('GET', userPath)).status, 404);
  });

  it('a Viewer sees the pages without the buttons their role does not allow, and no Audit log link', async () => {
    const viewer = { email: 'vera.viewer@acme.example', password: 'viewer horse battery staple' };
    const created = await call('POST', '/v1/organizations/{org}/administrators', {
      first_name: 'Vera', last_name: 'Viewer', email: viewer.email, role_id: 'viewer', password: viewer.password,
    });
    assert.equal(created.status, 201, await created.clone().text());
    const other = await openBrowser();
    try {
      const { page } = other;
      await page.goto(`${server.base}/settings/applications`);
      await page.getByLabel('Email').fill(viewer.email);
      await page.getByRole('textbox', { name: 'Password', exact: true }).fill(viewer.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('table', { name: 'Applications' }).getByRole('row', { name: /Acme Portal v2/ }).waitFor();
      assert.equal(await page.getByRole('button', { name: '+ Add custom application' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^(Rename|Delete) / }).count(), 0);
      const nav = page.getByRole('navigation', { name: 'Main' });
      assert.equal(await nav.getByRole('link', { name: 'Audit log' }).count(), 0);
      await nav.getByRole('link', { name: 'Settings › Roles' }).click();
      await page.getByRole('table', { name: 'Custom roles' }).getByRole('row', { name: /Integration manager/ }).waitFor();
      assert.equal(await page.getByRole('button', { name: '+ New custom role' }).count(), 0);
      assert.equal(await page.getByRole('button', { name: /^(Edit|Delete) Integration manager$/ }).count(), 0);
      await nav.getByRole('link', { name: 'Settings › Organization' }).click();
      await page.getByRole('heading', { name: 'Credential policy' }).waitFor();
      assert.equal(await page.getByRole('button', { name: /^Save / }).count(), 0);
      // The server stays the authority: the audit log itself answers 403, shown as its detail.
      await page.goto(`${server.base}/audit-log`);
      await page.getByRole('alert').filter({ hasText: 'Could not load the audit log' }).waitFor();
    } finally {
      await other.close();
    }
  });

  it('at 390 px the pages fit: tables scroll inside their container, not the page', async () => {
    const narrow = await openBrowser(390, 844);
    try {
      const { page } = narrow;
      await page.goto(`${server.base}/settings/applications`);
      await signIn(page);
      await page.getByRole('heading', { level: 2, name: 'Applications' }).waitFor();
      for (const [path, heading, shot] of [
        ['/settings/applications', 'Applications', 'admin-applications-390'], ['/settings/roles', 'Roles', 'admin-roles-390'],
        ['/settings/organization', 'Organization settings', 'admin-organization-390'], ['/audit-log', 'Audit log', 'admin-audit-log-390'],
        ['/administrators', 'Administrators', 'admin-administrators-390'],
      ] as const) {
        await open(page, path, heading);
        await page.getByRole('table').first().waitFor().catch(() => undefined);
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as number;
        assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the screen`);
        await screenshot(page, shot);
      }
    } finally {
      await narrow.close();
    }
  });
});
