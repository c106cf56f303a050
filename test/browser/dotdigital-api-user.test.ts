import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureWebBuild, openBrowser, screenshot, signIn, SKIP_REASON, startSetUpServer, waitForValue, type RunningServer } from './browser-support.js';

/**
 * The dotdigital seed flow in a real browser: Settings > Access > API users > New user, the
 * generated username accepted, a description, the password twice with its rules, Save.
 */
describe('browser: dotdigital API users tab', { skip: SKIP_REASON }, () => {
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

  it('signed out, the page sends you to sign-in and back; New user -> Save adds it to the list', async () => {
    const { page } = browser;
    await page.goto(`${server.base}/settings/access/api-users`);
    await page.waitForURL(/\/sign-in\?next=%2Fsettings%2Faccess%2Fapi-users/);
    await signIn(page);
    await page.waitForURL(/\/settings\/access\/api-users$/);
    await page.getByRole('tab', { name: 'API users' }).waitFor();
    assert.match(await page.getByTestId('time-zone-note').innerText(), /^All the information displayed in US - Central \(C[DS]T\)$/);
    await page.getByText('No API users yet').waitFor();

    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API user' });
    const username = dialog.getByLabel('Email address');
    const proposed = await waitForValue(username, /^apiuser-\d{12}@/);
    assert.match(proposed, /^apiuser-\d{12}@/);
    assert.equal(await username.getAttribute('readonly'), '');
    assert.ok(await dialog.getByLabel('Enabled').isChecked(), 'Status Enabled is selected by default');

    await dialog.getByLabel('Description').fill('Magento integration');
    // The rules are shown as the user types: the organization's name breaks one of them.
    await dialog.getByRole('textbox', { name: 'Password', exact: true }).fill('Acme Corp!');
    assert.equal(await dialog.locator('[data-met="true"]').count(), 2, 'length and symbol met');
    assert.equal(await dialog.locator('[data-met="false"]', { hasText: 'organization name' }).count(), 1);
    assert.ok(await dialog.getByRole('button', { name: 'Save' }).isDisabled());
    await dialog.getByRole('textbox', { name: 'Password', exact: true }).fill('Magento-sync-2026!');
    await dialog.getByLabel('Confirm password').fill('Magento-sync-2026!');
    assert.equal(await dialog.locator('[data-met="true"]').count(), 4, 'every rule is met');
    await screenshot(page, 'dotdigital-new-user-form');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.getByRole('table', { name: 'API users' }).getByRole('row', { name: new RegExp(proposed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
    await row.waitFor();
    const cells = await row.getByRole('cell').allInnerTexts();
    assert.equal(cells[0], proposed);
    assert.equal(cells[1], 'Magento integration');
    assert.match(cells[2]!, /^enabled$/i);
    assert.equal(cells[3], 'HttpApi');
    await screenshot(page, 'dotdigital-api-users-list');

    // A reload keeps the session (cookie) and re-reads the CSRF token: another change still works.
    await page.reload();
    await page.getByRole('button', { name: 'New user' }).click();
    const again = page.getByRole('dialog', { name: 'New API user' });
    await again.getByRole('textbox', { name: 'Password', exact: true }).fill('Another-pass-99');
    await again.getByLabel('Confirm password').fill('Another-pass-99');
    await waitForValue(again.getByLabel('Email address'), /^apiuser-\d{12}@/);
    await again.getByRole('button', { name: 'Save' }).click();
    await again.waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('table', { name: 'API users' }).getByRole('row').count(), 3, 'header + two API users');

    // A phone-width layout: the navigation folds behind a menu button, the table scrolls.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Menu' }).waitFor();
    await page.waitForTimeout(600); // the navbar's collapse transition
    await screenshot(page, 'dotdigital-api-users-list-390px');
  });
});
