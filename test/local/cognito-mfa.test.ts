// TOTP MFA as AWS Cognito does it, through the SDK and on the login page: MFA_SETUP (secret associated and
// verified with the challenge's Session) where the pool requires MFA, and the SOFTWARE_TOKEN_MFA challenge after.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { generateSync } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPool } from '#local/cognito.ts';
import { launchChromium, seriousViolations } from '#test/support/browser.ts';
import { GOOD_PASSWORD, type Harness, newEmail, POOL, startHarness } from './cognito-harness.ts';

const CALLBACK = 'http://127.0.0.1:9/callback';
const REQUIRED: LocalPool = {
  ...POOL,
  tenantId: 'initech',
  name: 'Initech',
  userPoolId: 'eu-west-1_InitechLocal',
  clientId: 'initechlocalclient0000000001',
  mfa: 'required',
  callbackUrls: [CALLBACK],
};
const OPTIONAL: LocalPool = { ...POOL, mfa: 'optional' };
const TEMPORARY = 'Temporary-Pass-1';

const code = (secret: string) => generateSync({ secret });
/** A code that is not the current one (nor, but for a one-in-a-million chance, its neighbours). */
const wrong = (secret: string) => String((Number(code(secret)) + 1) % 1_000_000).padStart(6, '0');

let dataDir: string;
let h: Harness;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cognito-mfa-'));
  h = await startHarness(dataDir, undefined, {}, [REQUIRED, OPTIONAL]);
});
afterAll(async () => {
  await h?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function newUser(pool: LocalPool, permanent = false) {
  const email = newEmail();
  const { User } = await h.client.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.userPoolId,
      Username: email,
      TemporaryPassword: TEMPORARY,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  const sub = User?.Username ?? '';
  if (permanent) {
    await h.client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: pool.userPoolId,
        Username: sub,
        Password: GOOD_PASSWORD,
        Permanent: true,
      }),
    );
  }
  return { email, sub };
}

const signIn = (pool: LocalPool, email: string, password: string) =>
  h.client.send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

const respond = (
  pool: LocalPool,
  ChallengeName: 'NEW_PASSWORD_REQUIRED' | 'MFA_SETUP' | 'SOFTWARE_TOKEN_MFA',
  Session: string | undefined,
  ChallengeResponses: Record<string, string>,
) =>
  h.client.send(
    new RespondToAuthChallengeCommand({
      ClientId: pool.clientId,
      ChallengeName,
      Session,
      ChallengeResponses,
    }),
  );

/** The SDK's MFA_SETUP: associate with the Session, verify a code, complete the challenge. */
async function setUpTotp(session: string | undefined, sub: string) {
  const associated = await h.client.send(new AssociateSoftwareTokenCommand({ Session: session }));
  const secret = associated.SecretCode ?? '';
  const verified = await h.client.send(
    new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: code(secret) }),
  );
  expect(verified.Status).toBe('SUCCESS');
  const done = await respond(REQUIRED, 'MFA_SETUP', verified.Session, { USERNAME: sub });
  return { secret, tokens: done.AuthenticationResult };
}

describe('TOTP MFA through the SDK', () => {
  it('required: the first sign-in sets up the app after the new password; later ones ask for its code', async () => {
    const { email, sub } = await newUser(REQUIRED);
    const first = await signIn(REQUIRED, email, TEMPORARY);
    expect(first.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const setup = await respond(REQUIRED, 'NEW_PASSWORD_REQUIRED', first.Session, {
      USERNAME: sub,
      NEW_PASSWORD: GOOD_PASSWORD,
    });
    expect(setup).toMatchObject({
      ChallengeName: 'MFA_SETUP',
      ChallengeParameters: { USER_ID_FOR_SRP: sub },
    });
    expect(setup.AuthenticationResult).toBeUndefined();

    const associated = await h.client.send(new AssociateSoftwareTokenCommand({ Session: setup.Session }));
    const secret = associated.SecretCode ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await expect(
      h.client.send(new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: wrong(secret) })),
    ).rejects.toMatchObject({ name: 'EnableSoftwareTokenMFAException', message: 'Code mismatch' });
    const verified = await h.client.send(
      new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: code(secret) }),
    );
    // Completing the set-up needs the Session of the verification, not an earlier one.
    await expect(respond(REQUIRED, 'MFA_SETUP', associated.Session, { USERNAME: sub })).rejects.toMatchObject(
      {
        name: 'NotAuthorizedException',
      },
    );
    const done = await respond(REQUIRED, 'MFA_SETUP', verified.Session, { USERNAME: sub });
    expect(done.AuthenticationResult?.IdToken).toBeTruthy();
    const user = await h.client.send(
      new AdminGetUserCommand({ UserPoolId: REQUIRED.userPoolId, Username: sub }),
    );
    expect(user).toMatchObject({
      UserStatus: 'CONFIRMED',
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
    });

    const again = await signIn(REQUIRED, email, GOOD_PASSWORD);
    expect(again.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    await expect(
      respond(REQUIRED, 'SOFTWARE_TOKEN_MFA', again.Session, {
        USERNAME: sub,
        SOFTWARE_TOKEN_MFA_CODE: wrong(secret),
      }),
    ).rejects.toMatchObject({ name: 'CodeMismatchException', message: 'Invalid code received for user' });
    const signedIn = await respond(REQUIRED, 'SOFTWARE_TOKEN_MFA', again.Session, {
      USERNAME: sub,
      SOFTWARE_TOKEN_MFA_CODE: code(secret),
    });
    expect(signedIn.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('required: a user with a password but no app is asked to set one up, not refused', async () => {
    const { email, sub } = await newUser(REQUIRED, true);
    const res = await signIn(REQUIRED, email, GOOD_PASSWORD);
    expect(res).toMatchObject({
      ChallengeName: 'MFA_SETUP',
      ChallengeParameters: { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' },
    });
    // The Session is the only key to the set-up: a made-up one is refused.
    await expect(
      h.client.send(new AssociateSoftwareTokenCommand({ Session: 'made-up' })),
    ).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
    expect((await setUpTotp(res.Session, sub)).tokens?.IdToken).toBeTruthy();
  });

  it('wrong codes count towards the lockout: after five, the right code is refused too', async () => {
    const { email, sub } = await newUser(REQUIRED, true);
    const { secret } = await setUpTotp((await signIn(REQUIRED, email, GOOD_PASSWORD)).Session, sub);
    const { Session } = await signIn(REQUIRED, email, GOOD_PASSWORD);
    for (let i = 0; i < 5; i++) {
      await expect(
        respond(REQUIRED, 'SOFTWARE_TOKEN_MFA', Session, {
          USERNAME: sub,
          SOFTWARE_TOKEN_MFA_CODE: wrong(secret),
        }),
      ).rejects.toMatchObject({ name: 'CodeMismatchException' });
    }
    await expect(
      respond(REQUIRED, 'SOFTWARE_TOKEN_MFA', Session, {
        USERNAME: sub,
        SOFTWARE_TOKEN_MFA_CODE: code(secret),
      }),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Password attempts exceeded' });
  });

  it('optional: no challenge until the user sets up an app, then its code', async () => {
    const { email, sub } = await newUser(OPTIONAL, true);
    const plain = await signIn(OPTIONAL, email, GOOD_PASSWORD);
    const AccessToken = plain.AuthenticationResult?.AccessToken;
    expect(AccessToken).toBeTruthy();
    const { SecretCode } = await h.client.send(new AssociateSoftwareTokenCommand({ AccessToken }));
    await expect(
      h.client.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: wrong(SecretCode ?? '') })),
    ).rejects.toMatchObject({ name: 'EnableSoftwareTokenMFAException' });
    await h.client.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: code(SecretCode ?? '') }));
    const challenged = await signIn(OPTIONAL, email, GOOD_PASSWORD);
    expect(challenged.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const res = await respond(OPTIONAL, 'SOFTWARE_TOKEN_MFA', challenged.Session, {
      USERNAME: sub,
      SOFTWARE_TOKEN_MFA_CODE: code(SecretCode ?? ''),
    });
    expect(res.AuthenticationResult?.IdToken).toBeTruthy();
  });
});

describe('TOTP MFA on the login page', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const loginUrl = () =>
    `${h.cognito.url}/login?${new URLSearchParams({
      client_id: REQUIRED.clientId,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid',
    })}`;

  /** A fresh profile whose callback is answered here: nothing leaves the machine. */
  async function freshPage(): Promise<Page> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route(`${CALLBACK}**`, (route) => route.fulfill({ status: 200, body: 'signed in' }));
    await page.goto(loginUrl());
    return page;
  }

  async function enterPassword(page: Page, email: string, password: string) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function enterCode(page: Page, value: string, button: string) {
    await page.getByLabel('Code from the authenticator app').fill(value);
    await page.getByRole('button', { name: button }).click();
  }

  it('sets up an authenticator app at the first sign-in, then asks for its code', async () => {
    const { email } = await newUser(REQUIRED);
    const page = await freshPage();
    await enterPassword(page, email, TEMPORARY);
    await page.getByLabel('New password', { exact: true }).fill(GOOD_PASSWORD);
    await page.getByLabel('Confirm new password').fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();

    expect(await page.getByRole('heading', { name: 'Set up an authenticator app' }).count()).toBe(1);
    const qr = page.getByRole('img', { name: 'QR code to add this account to an authenticator app' });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    const secret = (await page.locator('.secret').innerText()).trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await seriousViolations(page)).toEqual([]);
    await enterCode(page, wrong(secret), 'Verify and sign in');
    expect(await page.getByRole('alert').innerText()).toBe('Invalid code received for user');
    expect(await page.locator('.secret').innerText()).toBe(secret);
    await enterCode(page, code(secret), 'Verify and sign in');
    await page.waitForURL(`${CALLBACK}?**`);
    expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
    await page.context().close();

    const next = await freshPage();
    await enterPassword(next, email, GOOD_PASSWORD);
    expect(await next.getByRole('heading', { name: 'Enter your authentication code' }).count()).toBe(1);
    expect(await seriousViolations(next)).toEqual([]);
    await enterCode(next, wrong(secret), 'Sign in');
    expect(await next.getByRole('alert').innerText()).toBe('Invalid code received for user');
    await enterCode(next, code(secret), 'Sign in');
    await next.waitForURL(`${CALLBACK}?**`);
    const landed = new URL(next.url());
    expect(`${landed.origin}${landed.pathname}`).toBe(CALLBACK);
    expect(landed.searchParams.get('code')).toBeTruthy();
    await next.context().close();
  });
});
