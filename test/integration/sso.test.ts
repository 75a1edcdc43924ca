// Single sign-on in a real browser: the tenant's login page offers its identity provider, the provider signs the
// person in, Cognito's federation runs Gatehouse's triggers, and the application gets a code, or the refusal.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from '#test/support/browser.ts';
import {
  activeUser,
  adminToken,
  api,
  cognitoClient,
  newProfile,
  type Tenant,
} from '#test/support/offline.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [Tenant, Tenant];
const acmeSso = acme.sso as NonNullable<Tenant['sso']>;
const globexSso = globex.sso as NonNullable<Tenant['sso']>;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const tag = () => randomUUID().slice(0, 8);

/** Where the tenant's application gets people back (its registered callback), from the tenant's login URL. */
const callbackOf = (tenant: Tenant) => new URL(tenant.loginUrl).searchParams.get('redirect_uri') as string;

interface Arrival {
  /** The application's callback as the browser reached it: `code`, or `error` and `error_description`. */
  url: URL;
  verifier: string;
}

/**
 * Opens the application's authorization request in a fresh browser, with PKCE, and stops when the browser is sent
 * back to the application's callback: what the application receives.
 */
async function openLogin(tenant: Tenant): Promise<{ page: Page; arrival: Promise<Arrival> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('request', (request) => {
    const host = new URL(request.url()).hostname;
    if (!['127.0.0.1', 'localhost'].includes(host))
      throw new Error(`request left the machine: ${request.url()}`);
  });
  const verifier = randomBytes(32).toString('base64url');
  const callback = callbackOf(tenant);
  // Nothing listens there: the request itself is what the application would receive.
  const arrival = page
    .waitForRequest((request) => request.url().startsWith(callback), { timeout: 20_000 })
    .then((request) => ({ url: new URL(request.url()), verifier }));
  const authorize = new URL('/oauth2/authorize', env.endpoints.cognito);
  authorize.search = new URLSearchParams({
    client_id: tenant.clientId,
    response_type: 'code',
    scope: 'openid email profile',
    redirect_uri: callback,
    state: tag(),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  await page.goto(authorize.toString());
  return { page, arrival };
}

/** From the tenant's login page through its identity provider, as the person would click and type. */
async function signInWithProvider(tenant: Tenant, email: string, password?: string): Promise<Arrival> {
  const sso = tenant.sso as NonNullable<Tenant['sso']>;
  const { page, arrival } = await openLogin(tenant);
  await page.getByRole('link', { name: `Sign in with ${sso.name}` }).click();
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(password ?? sso.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  const arrived = await arrival;
  await page.context().close();
  return arrived;
}

/** The application's code for its tokens, at Cognito's token endpoint (PKCE). */
async function idTokenFor(tenant: Tenant, arrival: Arrival): Promise<string> {
  const answer = await fetch(new URL('/oauth2/token', env.endpoints.cognito), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: tenant.clientId,
      code: arrival.url.searchParams.get('code') ?? '',
      redirect_uri: callbackOf(tenant),
      code_verifier: arrival.verifier,
    }),
  });
  const tokens = (await answer.json()) as { id_token?: string };
  expect(answer.status).toBe(200);
  return tokens.id_token as string;
}

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

/** A user of `tenant` added through the API, optionally activated (Cognito mails a welcome). */
async function addUser(tenant: Tenant, email: string, extra: Record<string, unknown> = {}, activate = true) {
  const created = await api(env, 'POST', '/users', {
    token: await adminToken(env, tenant),
    body: { ...newProfile({ email }), ...extra, activate },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

/** The refusal the application received, and that it received no code. */
function refusalOf(arrival: Arrival): string {
  expect(arrival.url.searchParams.get('code')).toBeNull();
  expect(arrival.url.searchParams.get('error')).toBe('invalid_request');
  return arrival.url.searchParams.get('error_description') ?? '';
}

// A sign-in crosses three servers and a browser: on a loaded 2-core machine it takes seconds.
describe('signing in through the tenant’s identity provider', { timeout: 90_000 }, () => {
  it('lets an active user in: the tokens are the profile’s login’s, and GET /me answers', async () => {
    const email = `ada.${tag()}@${acmeSso.domain}`;
    const user = await activeUser(env, acme, await adminToken(env, acme), { email });
    const arrival = await signInWithProvider(acme, email);
    const token = await idTokenFor(acme, arrival);
    expect(claimsOf(token)).toMatchObject({ 'custom:userId': user.id, 'gatehouse:user': user.id });
    expect(claimsOf(token).sub).toBe(claimsOf(user.idToken).sub);
    const me = await api(env, 'GET', '/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, email, status: 'active' });
    expect(me.body.identities).toEqual([expect.objectContaining({ provider: acmeSso.name })]);
  });

  it('links an invited user on the first sign-in, makes them active, and signs them in linked the second time', async () => {
    const email = `grace.${tag()}@${acmeSso.domain}`;
    const id = await addUser(acme, email);
    const first = claimsOf(await idTokenFor(acme, await signInWithProvider(acme, email)));
    const second = claimsOf(await idTokenFor(acme, await signInWithProvider(acme, email)));
    expect(second.sub).toBe(first.sub);
    expect(second['custom:userId']).toBe(id);
    // One login for the email: the provider's identity is linked to it, never a user of its own.
    const { Users } = await cognitoClient(env).send(
      new ListUsersCommand({ UserPoolId: acme.userPoolId, Filter: `email = "${email}"` }),
    );
    expect(Users?.map((u) => u.Username)).toEqual([first.sub]);
    const admin = await adminToken(env, acme);
    const user = await api(env, 'GET', `/users/${id}`, { token: admin });
    expect(user.body).toMatchObject({
      status: 'active',
      identities: [expect.objectContaining({ provider: 'AcmeID' })],
    });
    const history = await api<{ items: { action: string; changes: Record<string, unknown> }[] }>(
      env,
      'GET',
      `/users/${id}/history`,
      { token: admin },
    );
    const links = history.body.items.filter((e) => e.action === 'user.linked');
    expect(links).toHaveLength(1);
    expect(links[0]?.changes.status).toEqual({ before: 'invited', after: 'active' });
  });

  it('refuses someone with no account, in plain words, and gives the application no code', async () => {
    const arrival = await signInWithProvider(acme, `nobody.${tag()}@${acmeSso.domain}`);
    expect(refusalOf(arrival)).toBe(
      'PreSignUp failed with error You have no account here. Please contact your administrator.',
    );
  });

  it('refuses a deactivated user', async () => {
    const email = `deactivated.${tag()}@${acmeSso.domain}`;
    const id = await addUser(acme, email);
    const admin = await adminToken(env, acme);
    expect((await api(env, 'POST', `/users/${id}/deactivate`, { token: admin })).status).toBe(200);
    expect(refusalOf(await signInWithProvider(acme, email))).toBe(
      'PreSignUp failed with error Your account is deactivated. Please contact your administrator.',
    );
  });

  it('refuses an archived user', async () => {
    const email = `archived.${tag()}@${acmeSso.domain}`;
    const id = await addUser(acme, email, {}, false);
    const admin = await adminToken(env, acme);
    expect((await api(env, 'POST', `/users/${id}/archive`, { token: admin })).status).toBe(200);
    expect(refusalOf(await signInWithProvider(acme, email))).toBe(
      'PreSignUp failed with error Your account is archived. Please contact your administrator.',
    );
  });

  it('refuses a user without a licence where the tenant requires one', async () => {
    const email = `unlicensed.${tag()}@${globexSso.domain}`;
    await addUser(globex, email);
    expect(refusalOf(await signInWithProvider(globex, email))).toBe(
      'PreSignUp failed with error Your account has no licence to sign in. Please contact your administrator.',
    );
  });

  it('refuses a later sign-in once the linked user is deactivated', async () => {
    const email = `later.${tag()}@${acmeSso.domain}`;
    const id = await addUser(acme, email);
    await idTokenFor(acme, await signInWithProvider(acme, email));
    const admin = await adminToken(env, acme);
    expect((await api(env, 'POST', `/users/${id}/deactivate`, { token: admin })).status).toBe(200);
    expect(refusalOf(await signInWithProvider(acme, email))).toBe(
      'PreAuthentication failed with error Your account is deactivated. Please contact your administrator.',
    );
  });
});

describe('a tenant that requires its identity provider', { timeout: 90_000 }, () => {
  it('refuses the password of someone of the provider’s domain on the login page, and lets them in through it', async () => {
    const email = `required.${tag()}@${globexSso.domain}`;
    await addUser(globex, email, { licenceType: 'engineer' });
    const { page, arrival } = await openLogin(globex);
    // The password is refused on the page: the application is never called back.
    arrival.catch(() => undefined);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('Whatever-Password-1!');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toContain(
      `Please sign in with ${globexSso.name}: your organisation does not allow a password here`,
    );
    await page.context().close();
    const token = await idTokenFor(globex, await signInWithProvider(globex, email));
    expect((await api(env, 'GET', '/me', { token })).status).toBe(200);
  });
});
