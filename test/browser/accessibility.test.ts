import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { seriousViolations } from './axe-support.js';
import { ensureWebBuild, openBrowser, restSession, screenshot, signIn, SKIP_REASON, startSetUpServer, type RunningServer } from './browser-support.js';

const WIDTHS = [1280, 390];

/** Every page route of the UI, read from web/src/app-routes.tsx (redirects and the catch-all left out). */
function appRoutes(): string[] {
  const source = readFileSync(join(import.meta.dirname, '..', '..', 'web', 'src', 'app-routes.tsx'), 'utf8');
  return [...source.matchAll(/<Route path="([^"*]+)" element=\{<(\w+)/g)]
    .filter(([, , element]) => element !== 'Navigate')
    .map(([, path]) => path!);
}

/**
 * axe-core (WCAG 2 A and AA) on every page of the admin UI and its main dialogs, at a laptop
 * width and a phone width; any serious or critical violation fails, listed rule by rule.
 */
describe('browser: accessibility (axe-core, WCAG 2 A/AA, 1280 and 390 px)', { skip: SKIP_REASON }, () => {
  let server: RunningServer;
  let browser: Awaited<ReturnType<typeof openBrowser>>;

  before(async () => {
    ensureWebBuild();
    server = await startSetUpServer();
    browser = await openBrowser();
    // An API user with a key and a public key, so lists, tables and the credentials dialog have rows.
    const owner = await restSession(server.base);
    const created = await owner.call('POST', `/v1/organizations/${owner.organizationId}/api-users`, {
      first_name: 'Kim', last_name: 'Keys', email: 'kim.keys@acme.example', applications: ['httpapi'],
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = (await created.json() as { api_user: { id: string } }).api_user;
    const key = await owner.call('POST', `/v1/organizations/${owner.organizationId}/api-users/${id}/keys`, { name: 'magento production' });
    assert.equal(key.status, 201, await key.text());
    const jwk = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'magento-2026' };
    const publicKey = await owner.call('POST', `/v1/organizations/${owner.organizationId}/api-users/${id}/public-keys`, { keys: [jwk] });
    assert.equal(publicKey.status, 201, await publicKey.text());
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Checks the page as it is at both widths, then goes back to the laptop width. */
  async function check(page: Page, where: string): Promise<string[]> {
    const found: string[] = [];
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 860 });
      await page.waitForTimeout(100); // Mantine's media queries and transitions settle
      found.push(...await seriousViolations(page, `${where} at ${width}px`));
      if (width < 500) await screenshot(page, `a11y-${where.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}-${width}`);
    }
    await page.setViewportSize({ width: WIDTHS[0]!, height: 860 });
    return found;
  }

  const report = (found: string[]) => `${found.length} serious or critical accessibility violation(s):\n\n${found.join('\n\n')}`;

  it('the sign-in page', async () => {
    const { page } = browser;
    await page.goto(`${server.base}/sign-in`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const found = await check(page, 'sign-in');
    assert.deepEqual(found, [], report(found));
  });

  it('the server-rendered pages behind emailed links: API user reveal, administrator invitation', async () => {
    const { page } = browser;
    const found: string[] = [];
    for (const path of ['/reveal', '/invite']) {
      await page.goto(`${server.base}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      found.push(...await check(page, path));
    }
    assert.deepEqual(found, [], report(found));
  });

  it('every route of app-routes.tsx', async () => {
    const { page } = browser;
    const routes = appRoutes().filter((path) => path !== '/sign-in');
    assert.ok(routes.includes('/administrators') && routes.includes('/mail'), `routes read: ${routes.join(', ')}`);
    await page.goto(`${server.base}/administrators`);
    await signIn(page);
    await page.waitForURL(/\/administrators$/);
    const found: string[] = [];
    for (const path of routes) {
      // Client-side navigation (no reload), then the page's data: every page says "Loading…" until then.
      await page.evaluate(`history.pushState(null, '', ${JSON.stringify(path)}); dispatchEvent(new PopStateEvent('popstate'))`);
      await page.waitForURL((url) => url.pathname === path);
      await page.getByRole('heading', { level: 2 }).first().waitFor();
      await page.getByText('Loading…').first().waitFor({ state: 'detached' });
      found.push(...await check(page, path));
    }
    assert.deepEqual(found, [], report(found));
  });

  it('the dialogs: + Add API User, New user, Edit Administrator, Credentials (both tabs), Roll', async () => {
    const { page } = browser;
    const found: string[] = [];
    await page.goto(`${server.base}/administrators`);
    await page.getByRole('button', { name: '+ Add API User' }).click();
    await page.getByRole('dialog').getByRole('checkbox', { name: /^HttpApi/ }).waitFor();
    found.push(...await check(page, 'Add API User dialog'));
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    const row = page.getByRole('table', { name: 'Administrators' }).getByRole('row', { name: /Kim Keys/ });
    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog').filter({ hasText: 'Edit Administrator' });
    await edit.getByRole('checkbox', { name: /^HttpApi/ }).waitFor();
    found.push(...await check(page, 'Edit Administrator dialog'));

    await edit.getByRole('button', { name: 'Credentials' }).click();
    const credentials = page.getByRole('dialog', { name: 'Credentials of Kim Keys' });
    await credentials.getByRole('table', { name: 'API keys' }).waitFor();
    found.push(...await check(page, 'Credentials dialog, API keys tab'));
    await credentials.getByRole('button', { name: 'Roll magento production' }).click();
    const roll = page.getByRole('dialog', { name: 'Roll magento production' });
    await roll.getByLabel('Old key valid until').waitFor();
    found.push(...await check(page, 'Roll dialog'));
    await roll.getByRole('button', { name: 'Cancel' }).click();
    await roll.waitFor({ state: 'detached' });
    await credentials.getByRole('tab', { name: 'OAuth client' }).click();
    await credentials.getByRole('table', { name: 'Public keys' }).waitFor();
    found.push(...await check(page, 'Credentials dialog, OAuth client tab'));
    await credentials.getByRole('button', { name: 'Close' }).click();
    await credentials.waitFor({ state: 'detached' });
    await edit.getByRole('button', { name: 'Close' }).click();
    await edit.waitFor({ state: 'detached' });

    await page.goto(`${server.base}/settings/access/api-users`);
    await page.getByRole('button', { name: 'New user' }).click();
    await page.getByRole('dialog').getByRole('button').first().waitFor();
    await page.waitForLoadState('networkidle');
    found.push(...await check(page, 'New user dialog'));
    assert.deepEqual(found, [], report(found));
  });
});
