// The admin console in a real browser (Debian's Chromium), against the offline backend: an administrator's
// core tasks end to end, a scoped administrator, a person who is refused, and axe-core on every screen.
// UPDATE_SCREENSHOTS=1 also writes the README's screenshots (docs/console/).
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, seriousViolations } from '#test/support/browser.ts';
import { activeUser, adminToken, api, newProfile, type Tenant } from '#test/support/offline.ts';

const env = inject('environment');
const acme = env.tenants[0] as Tenant;
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? new URL('../../docs/console/', import.meta.url)
  : undefined;

let browser: Browser;
beforeAll(async () => {
  if (!env.consoleUrl) throw new Error('The console is not built: run npm run console:build first.');
  browser = await launchChromium();
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

/** A fresh browser profile (no login session), where no request may leave the machine. */
async function freshContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.on('request', (request) => {
    const host = new URL(request.url()).hostname;
    if (!request.url().startsWith('data:') && host !== '127.0.0.1' && host !== 'localhost')
      throw new Error(`request left the machine: ${request.url()}`);
  });
  return context;
}

/** Opens `path` of the console and signs in on the tenant's login page, landing back on `path`. */
async function signedIn(
  context: BrowserContext,
  path: string,
  email: string,
  password: string,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${env.consoleUrl}${path}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${env.consoleUrl}${path}`);
  return page;
}

async function expectAccessible(page: Page, screen: string) {
  expect({ screen, violations: await seriousViolations(page) }).toEqual({ screen, violations: [] });
}

async function screenshot(page: Page, name: string) {
  if (SCREENSHOTS) await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname });
}

async function search(page: Page, text: string) {
  await page.getByRole('searchbox', { name: 'Search users' }).fill(text);
}

describe('the admin console', () => {
  it('takes an administrator through add, search, conflicting edit, bulk deactivate and archive, history and delete', async () => {
    const context = await freshContext();
    const page = await signedIn(context, '/t/acme/users', acme.admin.email, acme.admin.password);
    await page.getByRole('link', { name: /Demo Acme Admin/ }).waitFor();
    await expectAccessible(page, 'users');

    // Add a user and invite them (activate): Cognito mails the welcome.
    await page.getByRole('link', { name: 'Add user' }).click();
    const profile = newProfile({ lastName: `Console-${Date.now().toString(36)}` });
    await page.getByLabel('First name').fill(profile.firstName);
    await page.getByLabel('Last name').fill(profile.lastName);
    await page.getByLabel('Email', { exact: true }).fill(profile.email);
    await page.getByLabel('City').fill('Bergen');
    await page.getByLabel('Title').fill('Field engineer');
    await page.getByRole('button', { name: 'Add a role' }).click();
    await page.getByRole('combobox', { name: 'Role 1' }).selectOption({ label: 'Team Work Manager' });
    await page.getByLabel('Teams', { exact: true }).last().fill('north');
    await page.getByLabel('Monday, odd weeks').fill('8');
    await expectAccessible(page, 'add user');
    await screenshot(page, 'add-user');
    await page.getByRole('button', { name: 'Add and invite' }).click();
    await page.getByRole('heading', { name: `${profile.firstName} ${profile.lastName}` }).waitFor();
    expect(await page.locator('.status').innerText()).toBe('Invited');
    const userUrl = page.url();
    const userId = userUrl.split('/').at(-1) as string;
    await expectAccessible(page, 'profile');
    await screenshot(page, 'profile');

    // Find them by search, as they type.
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await search(page, profile.lastName.slice(0, 12));
    const row = page.getByRole('row').filter({ hasText: profile.email });
    await row.waitFor();
    expect(await row.innerText()).toContain('Invited');
    expect(await row.innerText()).toContain('Team Work Manager (north)');
    await screenshot(page, 'users');

    // Edit with a conflicting second tab: the second save wins, the first is told and reloads.
    const second = await context.newPage();
    await second.goto(userUrl);
    await second.getByRole('button', { name: 'Edit' }).waitFor(); // the login session signs the tab in
    await row.getByRole('link').click();
    await page.getByRole('button', { name: 'Edit' }).click();
    await second.getByRole('button', { name: 'Edit' }).click();
    await second.getByRole('tab', { name: 'Employee Details' }).click();
    await second.getByLabel('Title').fill('Lead engineer');
    await second.getByRole('button', { name: 'Save changes' }).click();
    await second.getByText('Changes saved.').waitFor();
    await page.getByLabel('Middle name').fill('Augusta');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Someone else changed this user' });
    await conflict.waitFor();
    await expectAccessible(page, 'edit conflict');
    await conflict.getByRole('button', { name: 'Reload the user' }).click();
    await page.getByRole('tab', { name: 'Employee Details' }).click();
    await page.getByText('Lead engineer').waitFor();
    await second.close();

    // Deactivate, then archive, with the Action menu; each confirmation names how many users.
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await search(page, profile.lastName.slice(0, 12));
    await page.getByRole('checkbox', { name: `Select ${profile.firstName} ${profile.lastName}` }).check();
    await page.getByRole('button', { name: 'Actions (1 user)' }).click();
    await page.getByRole('button', { name: 'Deactivate' }).click();
    const confirm = page.getByRole('dialog', { name: 'Deactivate 1 user?' });
    await expectAccessible(page, 'bulk confirmation');
    await screenshot(page, 'bulk-confirm');
    await confirm.getByRole('button', { name: 'Deactivate 1 user' }).click();
    await page.getByRole('status').filter({ hasText: 'Deactivated 1 user.' }).waitFor();
    await page.getByRole('row').filter({ hasText: profile.email }).filter({ hasText: 'Inactive' }).waitFor();
    await page.getByRole('checkbox', { name: `Select ${profile.firstName} ${profile.lastName}` }).check();
    await page.getByRole('button', { name: 'Actions (1 user)' }).click();
    await page.getByRole('button', { name: 'Archive' }).click();
    await page
      .getByRole('dialog', { name: 'Archive 1 user?' })
      .getByRole('button', { name: 'Archive 1 user' })
      .click();
    await page.getByRole('status').filter({ hasText: 'Archived 1 user.' }).waitFor();
    await page.getByRole('tab', { name: 'Archived' }).click();
    const archived = page.getByRole('row').filter({ hasText: profile.email });
    await archived.filter({ hasText: 'Archived' }).waitFor();

    // The history: who did what, with each field before and after.
    await archived.getByRole('link').click();
    await page.getByRole('tab', { name: 'History' }).click();
    const history = page.getByRole('tabpanel', { name: 'History' });
    for (const action of ['user.created', 'user.edited', 'user.deactivated', 'user.archived'])
      await history.getByText(action, { exact: true }).first().waitFor();
    const titleChange = history.getByRole('row').filter({ hasText: 'title' }).first();
    expect(await titleChange.innerText()).toMatch(/title\s+Field engineer\s+Lead engineer/);
    await expectAccessible(page, 'history');
    await screenshot(page, 'history');

    // Delete, confirmed by typing the email.
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${profile.firstName} ${profile.lastName}?` });
    expect(await dialog.getByRole('button', { name: 'Delete for good' }).isDisabled()).toBe(true);
    await dialog.getByLabel("The user's email").fill(profile.email);
    await expectAccessible(page, 'delete confirmation');
    await dialog.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    const gone = await api(env, 'GET', `/users/${userId}`, { token: await adminToken(env, acme) });
    expect(gone.status).toBe(404);

    // The other screens, each checked.
    for (const [link, heading] of [
      ['Roles', 'Roles'],
      ['Licences', 'Licences'],
      ['History', 'History'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      await expectAccessible(page, link);
      if (link === 'Roles') await screenshot(page, 'roles');
    }

    // Sign-out revokes the refresh token at the login page, then ends its session.
    const revoked = page.waitForResponse((r) => r.url().endsWith('/oauth2/revoke'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect((await revoked).status()).toBe(200);
    await page.getByRole('heading', { name: 'Gatehouse console' }).waitFor();
    await page.goto(`${env.consoleUrl}/t/acme/users`);
    await page.getByLabel('Password', { exact: true }).waitFor();
    await context.close();
  }, 180_000);

  it('works at 375 px wide: the users list and a profile fit the screen', async () => {
    const context = await freshContext();
    const page = await signedIn(context, '/t/acme/users', acme.admin.email, acme.admin.password);
    await page.setViewportSize({ width: 375, height: 740 });
    await page.getByRole('link', { name: /Demo Acme Admin/ }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await expectAccessible(page, 'users at 375 px');
    await screenshot(page, 'users-phone');
    await page.getByRole('link', { name: /Demo Acme Admin/ }).click();
    await page.getByRole('button', { name: 'Edit' }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await context.close();
  }, 60_000);

  it('shows a team administrator only their team, and refuses a person with no admin role', async () => {
    const token = await adminToken(env, acme);
    const scoped = await activeUser(env, acme, token, {
      roles: [{ role: 'team-administrator', teams: ['north'] }],
      teams: ['north'],
    });
    const tag = Date.now().toString(36);
    const north = newProfile({ lastName: `North-${tag}`, teams: ['north'] });
    const south = newProfile({ lastName: `South-${tag}`, teams: ['south'] });
    for (const body of [north, south])
      expect((await api(env, 'POST', '/users', { token, body })).status).toBe(201);

    const context = await freshContext();
    const page = await signedIn(context, '/t/acme/users', scoped.email, scoped.password);
    await search(page, tag);
    await page.getByRole('row').filter({ hasText: north.email }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: south.email }).count()).toBe(0);
    // A team administrator manages users but not roles: nothing offers it.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
    expect(await page.getByRole('button', { name: 'Add role' }).count()).toBe(0);
    await context.close();

    const plain = await activeUser(env, acme, token, { roles: [{ role: 'accountant' }] });
    const refusedContext = await freshContext();
    const refused = await signedIn(refusedContext, '/t/acme/users', plain.email, plain.password);
    await refused.getByRole('heading', { name: 'No access to the console' }).waitFor();
    expect(await refused.getByRole('navigation', { name: 'Console' }).count()).toBe(0);
    await expectAccessible(refused, 'refused');
    await refusedContext.close();
  }, 90_000);
});
