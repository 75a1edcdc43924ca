// The end user's journey in a real browser: from the welcome mail to signed in on the tenant's login page, and
// every refusal the login page must make, in Cognito's words.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, seriousViolations } from '#test/support/browser.ts';
import { adminToken, api, type Mail, mailTo, newProfile } from '#test/support/offline.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];
type Tenant = typeof acme;

const NEW_PASSWORD = 'Chosen-Password-42';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** A fresh browser profile: no cookies from another test. */
async function freshPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Nothing may leave the machine: any request to a non-loopback host fails the test.
  page.on('request', (request) => {
    const host = new URL(request.url()).hostname;
    if (!['127.0.0.1', 'localhost'].includes(host) && !request.url().startsWith('data:')) {
      throw new Error(`request left the machine: ${request.url()}`);
    }
  });
  return { context, page };
}

/** Adds and activates a user; answers the welcome mail and what it says. */
async function invitedUser(tenant: Tenant, overrides: Record<string, unknown> = {}) {
  const profile = newProfile(overrides);
  const created = await api(env, 'POST', '/users', {
    token: await adminToken(env, tenant),
    body: { ...profile, activate: true },
  });
  expect(created.status).toBe(201);
  const mail = await mailTo(env, profile.email, /Welcome/);
  return { id: created.body.id as string, email: profile.email, mail, temporaryPassword: temporaryOf(mail) };
}

const decode = (html: string) =>
  html.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
const temporaryOf = (mail: Mail) =>
  decode(/temporary password: <b>([^<]+)<\/b>/.exec(mail.body.html ?? '')?.[1] ?? '');
const linkOf = (mail: Mail) => decode(/<a href="([^"]+)"/.exec(mail.body.html ?? '')?.[1] ?? '');

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function chooseNewPassword(page: Page, password: string) {
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Confirm new password').fill(password);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
}

/** Signs a user in for the first time through the mail's link; answers the page, signed in. */
async function activeUserInBrowser(tenant: Tenant) {
  const user = await invitedUser(tenant);
  const { context, page } = await freshPage();
  await page.goto(linkOf(user.mail));
  await signIn(page, user.email, user.temporaryPassword);
  await chooseNewPassword(page, NEW_PASSWORD);
  expect(await page.getByRole('status').innerText()).toContain(user.email);
  return { ...user, context, page };
}

describe('the login page, from the welcome mail', () => {
  it('takes a new user from the mail link to signed in, with a new password that meets the policy', async () => {
    const user = await invitedUser(acme);
    const link = linkOf(user.mail);
    expect(link).toBe(acme.loginUrl);
    expect(user.mail.body.text).toContain(acme.loginUrl);

    const { context, page } = await freshPage();
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(link);
    expect(await page.title()).toContain('Acme Field Services');
    expect(await seriousViolations(page)).toEqual([]);
    // Usable on a phone: nothing wider than the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);

    await signIn(page, user.email.toUpperCase(), user.temporaryPassword);
    expect(await page.getByRole('heading', { name: 'Choose a new password' }).count()).toBe(1);
    expect(await page.getByRole('list', { name: 'Your password needs:' }).innerText()).toContain(
      'At least 12 characters',
    );
    expect(await seriousViolations(page)).toEqual([]);

    await chooseNewPassword(page, 'alllowercase-and-long-1');
    expect(await page.getByRole('alert').innerText()).toBe(
      'Password does not conform to policy: Password must have uppercase characters',
    );
    await chooseNewPassword(page, 'Short-1');
    expect(await page.getByRole('alert').innerText()).toBe(
      'Password does not conform to policy: Password not long enough',
    );
    expect(await seriousViolations(page)).toEqual([]);

    await chooseNewPassword(page, NEW_PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/acme/');
    expect(await page.getByRole('status').innerText()).toContain(user.email);
    const claims = await page.getByRole('table', { name: 'Gatehouse claims in the ID token' }).innerText();
    expect(claims).toContain('gatehouse:tenant\tacme');
    expect(claims).toContain(`gatehouse:user\t${user.id}`);

    const read = await api(env, 'GET', `/users/${user.id}`, { token: await adminToken(env, acme) });
    expect(read.body).toMatchObject({ status: 'active' });
    expect(read.body.registeredAt).toBeTruthy();
    await context.close();
  });

  it('signs out: the refresh token is revoked and the next sign-in asks for the password again', async () => {
    const { context, page } = await activeUserInBrowser(acme);
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.getByText('You are not signed in.').count()).toBe(1);
    await page.getByRole('link', { name: 'Sign in' }).click();
    expect(await page.getByRole('heading', { name: 'Sign in' }).count()).toBe(1);
    await context.close();
  });

  it('signs in again within the hour without the password (the login session), until prompt=login', async () => {
    const { context, page } = await activeUserInBrowser(acme);
    await page.goto(`${env.appUrl}/acme/sign-in`);
    expect(new URL(page.url()).pathname).toBe('/acme/');
    await context.close();
  });
});

describe('the login page refuses, in Cognito’s words', () => {
  it('a wrong password and an unknown user alike', async () => {
    const { page, context } = await activeUserInBrowser(acme);
    await context.clearCookies();
    await page.goto(acme.loginUrl);
    await signIn(page, 'nobody.here@example.com', 'Whatever-Password-1');
    expect(await page.getByRole('alert').innerText()).toBe('Incorrect username or password.');
    const email = await page.getByLabel('Email').inputValue();
    expect(email).toBe('nobody.here@example.com');
    await signIn(page, 'nobody.here@example.com', 'Whatever-Password-1');
    expect(await page.getByRole('alert').innerText()).toBe('Incorrect username or password.');
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it.each([
    [
      'deactivated',
      'deactivate',
      'PreAuthentication failed with error Your account is deactivated. Please contact your administrator.',
    ],
    [
      'archived',
      'archive',
      'PreAuthentication failed with error Your account is archived. Please contact your administrator.',
    ],
  ])('a %s user', async (_status, action, message) => {
    const { page, context, email, id } = await activeUserInBrowser(acme);
    const off = await api(env, 'POST', `/users/${id}/${action}`, { token: await adminToken(env, acme) });
    expect(off.status).toBe(200);
    await context.clearCookies();
    await page.goto(acme.loginUrl);
    await signIn(page, email, NEW_PASSWORD);
    expect(await page.getByRole('alert').innerText()).toBe(message);
    await context.close();
  });

  it('an unlicensed user where the tenant requires a licence', async () => {
    const user = await invitedUser(globex);
    const { page, context } = await freshPage();
    await page.goto(linkOf(user.mail));
    expect(linkOf(user.mail)).toBe(globex.loginUrl);
    await signIn(page, user.email, user.temporaryPassword);
    expect(await page.getByRole('alert').innerText()).toBe(
      'PreAuthentication failed with error Your account has no licence to sign in. Please contact your administrator.',
    );
    await context.close();
  });
});

describe('forgot password', () => {
  it('mails a code and takes it with a new password that meets the policy', async () => {
    const { page, context, email } = await activeUserInBrowser(acme);
    await context.clearCookies();
    await page.goto(acme.loginUrl);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send code' }).click();
    const mail = await mailTo(env, email, /Reset your/);
    const code = /<b>(\d+)<\/b>/.exec(mail.body.html ?? '')?.[1] ?? '';
    expect(mail.body.text).toContain(acme.loginUrl);

    await page.getByLabel('Code from the mail').fill('000000' === code ? '111111' : '000000');
    await page.getByLabel('New password', { exact: true }).fill('Another-Password-77');
    await page.getByLabel('Confirm new password').fill('Another-Password-77');
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await page.getByRole('alert').innerText()).toBe(
      'Invalid verification code provided, please try again.',
    );
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Code from the mail').fill(code);
    await page.getByLabel('New password', { exact: true }).fill('Another-Password-77');
    await page.getByLabel('Confirm new password').fill('Another-Password-77');
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await page.getByRole('status').innerText()).toContain('Your password has been changed');

    await signIn(page, email, 'Another-Password-77');
    expect(await page.getByRole('status').innerText()).toContain(email);
    await context.close();
  });
});

describe('reflected values', () => {
  const SCRIPT = `"'><script>window.__xss=1</script><img src=x onerror="window.__xss=2">`;

  it.each([
    'state',
    'scope',
    'nonce',
    'redirect_uri',
    'client_id',
    'identity_provider',
    'prompt',
    'code_challenge',
    'response_type',
  ])('never runs a script given in %s', async (parameter) => {
    const { page, context } = await freshPage();
    const url = new URL(acme.loginUrl);
    url.searchParams.set(parameter, SCRIPT);
    const response = await page.goto(url.toString());
    expect(response?.headers()['cache-control']).toBe('no-store');
    const html = await page.content();
    expect(html).not.toContain('<script>window.__xss');
    expect(html).not.toMatch(/<img[^>]*onerror/);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    await context.close();
  });

  it('never runs a script given as the email', async () => {
    const { page, context } = await freshPage();
    await page.goto(acme.loginUrl);
    await signIn(page, SCRIPT, 'x');
    expect(await page.getByLabel('Email').inputValue()).toBe(SCRIPT);
    expect(await page.content()).not.toContain('<script>window.__xss');
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    await context.close();
  });
});
