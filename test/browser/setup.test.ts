import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seriousViolations } from './axe-support.js';
import { ensureWebBuild, openBrowser, OWNER, screenshot, SKIP_REASON, startSetUpServer, type RunningServer } from './browser-support.js';

/**
 * A newcomer's first start: `apiusers serve` on an empty database prints a setup link; opening
 * it and filling the form ends in the admin UI, signed in, on Administrators, with no docs read.
 */
describe('browser: first start, setup link -> signed in on Administrators', { skip: SKIP_REASON }, () => {
  let server: RunningServer;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  before(async () => {
    ensureWebBuild();
    server = await startSetUpServer({ setUp: false });
    browser = await openBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the printed link opens the setup page; Create organization lands on Administrators as the owner', async () => {
    const { page } = browser;
    assert.match(server.setupLink ?? '', new RegExp(`^${server.base}/setup#token=[A-Za-z0-9_-]+$`));
    const organizations = await fetch(`${server.base}/v1/session`);
    assert.equal(organizations.status, 401, 'nobody is signed in yet');

    await page.goto(server.setupLink!);
    await page.getByRole('heading', { name: 'Set up apiusers' }).waitFor();
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 860 });
      const violations = await seriousViolations(page, `setup page at ${width}px`);
      assert.deepEqual(violations, [], violations.join('\n'));
    }
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByLabel('Name', { exact: true }).fill('Acme Corp');
    await page.getByLabel('Time zone').fill('America/Chicago');
    await page.getByLabel('First name').fill(OWNER.firstName);
    await page.getByLabel('Last name').fill(OWNER.lastName);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await screenshot(page, 'setup-form');
    await page.getByRole('button', { name: 'Create organization' }).click();

    await page.waitForURL(/\/administrators$/);
    await page.getByRole('heading', { name: 'Administrators' }).waitFor();
    const owner = page.getByRole('table', { name: 'Administrators' }).getByRole('row', { name: /Olivia Owner/ });
    await owner.waitFor();
    assert.equal((await owner.getByRole('cell').allInnerTexts())[3], 'Account owner');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /ACME CORP$/);
    assert.match(await page.getByTestId('time-zone-note').first().innerText(), /US - Central/);
    await screenshot(page, 'setup-done-administrators');

    // The link worked once: opened again it says so, and the owner's sign-in page is prefilled.
    await page.goto(server.setupLink!.replace('/setup#', '/setup?again#'));
    await page.getByRole('button', { name: 'Create organization' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Other Corp');
    await page.getByLabel('First name').fill('Eve');
    await page.getByLabel('Last name').fill('Else');
    await page.getByLabel('Email').fill('eve@other.example');
    await page.getByLabel('Password').fill('another long passphrase here');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('status').getByText(/already used/).waitFor();
    assert.match(page.url(), /\/setup/);
  });

  it('signed out, the hand-off URL is the sign-in page with the email filled', async () => {
    const { page } = browser;
    await page.goto(`${server.base}/administrators`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.goto(`${server.base}/sign-in?next=%2Fadministrators&email=${encodeURIComponent(OWNER.email)}`);
    assert.equal(await page.getByLabel('Email').inputValue(), OWNER.email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/administrators$/);
  });
});
