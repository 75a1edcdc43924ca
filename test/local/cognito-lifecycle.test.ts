// The user-lifecycle calls cognito-local lacks, against the real SDK v3 client: AWS's behaviour and errors.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LambdaInvokeServer, startLambdaInvokeServer } from '#local/lambda-invoke.ts';
import {
  activeUser,
  createUser,
  GOOD_PASSWORD,
  type Harness,
  newEmail,
  POOL,
  signIn,
  startHarness,
  TriggerRecorder,
} from './cognito-harness.ts';

const NEW_PASSWORD = 'Brand-New-Pass-7';

const resend = (h: Harness, username: string) =>
  h.client.send(
    new AdminCreateUserCommand({
      UserPoolId: POOL.userPoolId,
      Username: username,
      MessageAction: 'RESEND',
      DesiredDeliveryMediums: ['EMAIL'],
    }),
  );

const resetPassword = (h: Harness, username: string) =>
  h.client.send(new AdminResetUserPasswordCommand({ UserPoolId: POOL.userPoolId, Username: username }));

const adminGetUser = (h: Harness, username: string) =>
  h.client.send(new AdminGetUserCommand({ UserPoolId: POOL.userPoolId, Username: username }));

const refresh = (h: Harness, refreshToken: string | undefined) =>
  h.client.send(
    new InitiateAuthCommand({
      ClientId: POOL.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken ?? '' },
    }),
  );

const getUser = (h: Harness, accessToken: string | undefined) =>
  h.client.send(new GetUserCommand({ AccessToken: accessToken }));

const lastMailTo = (h: Harness, email: string) => h.mails.findLast((m) => m.to === email);
const temporaryPasswordIn = (text: string | undefined) => /Temporary password: (\S+)/.exec(text ?? '')?.[1];
const codeIn = (text: string | undefined) => /code is (\d+)/.exec(text ?? '')?.[1];

const REVOKED_ACCESS = { name: 'NotAuthorizedException', message: 'Access Token has been revoked' };
const REVOKED_REFRESH = { name: 'NotAuthorizedException', message: 'Refresh Token has been revoked' };
const NO_SUCH_USER = { name: 'UserNotFoundException', message: 'User does not exist.' };

describe('local Cognito user lifecycle', () => {
  const triggers = new TriggerRecorder();
  let root: string;
  let lambda: LambdaInvokeServer;
  let h: Harness;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'gatehouse-cognito-lifecycle-'));
    lambda = await startLambdaInvokeServer(triggers.functions());
    h = await startHarness(join(root, 'main'), lambda);
  });

  afterAll(async () => {
    await h?.stop();
    await lambda?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  describe('AdminCreateUser with MessageAction RESEND', () => {
    it('mails a new policy-conforming temporary password through CustomMessage_AdminCreateUser; the old one stops working', async () => {
      const user = await createUser(h);
      const { User } = await resend(h, user.email);
      expect(User).toMatchObject({ Username: user.sub, UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true });

      const mail = lastMailTo(h, user.email);
      expect(mail).not.toBe(user.mail);
      expect(mail?.subject).toBe('Welcome to Acme');
      const temporaryPassword = temporaryPasswordIn(mail?.text);
      expect(temporaryPassword).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[^A-Za-z0-9]).{12,}$/);
      expect(temporaryPassword).not.toBe(user.temporaryPassword);
      const events = triggers.customMessages.filter((e) => e.userName === user.sub);
      expect(events.map((e) => e.triggerSource)).toEqual([
        'CustomMessage_AdminCreateUser',
        'CustomMessage_AdminCreateUser',
      ]);
      expect(events[1]).toMatchObject({ callerContext: { clientId: 'CLIENT_ID_NOT_APPLICABLE' } });

      await expect(signIn(h, user.email, user.temporaryPassword)).rejects.toMatchObject({
        name: 'NotAuthorizedException',
        message: 'Incorrect username or password.',
      });
      const challenge = await signIn(h, user.email, temporaryPassword ?? '');
      expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
      expect((await adminGetUser(h, user.email)).UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    });

    it('refuses a user who has already set a password with UnsupportedUserStateException, and mails nothing', async () => {
      const user = await activeUser(h);
      const mailsBefore = h.mails.length;
      // By sub, as Gatehouse calls it.
      await expect(resend(h, user.sub)).rejects.toMatchObject({
        name: 'UnsupportedUserStateException',
        message: `Resend not possible. ${user.sub} status is not FORCE_CHANGE_PASSWORD`,
      });
      expect(h.mails.length).toBe(mailsBefore);
      await expect(signIn(h, user.email, GOOD_PASSWORD)).resolves.toHaveProperty('AuthenticationResult');
    });

    it('answers UserNotFoundException for an unknown user and creates nobody', async () => {
      const email = newEmail();
      await expect(resend(h, email)).rejects.toMatchObject(NO_SUCH_USER);
      await expect(adminGetUser(h, email)).rejects.toMatchObject(NO_SUCH_USER);
    });
  });

  describe('AdminResetUserPassword', () => {
    it('sets RESET_REQUIRED, refuses the old password with PasswordResetRequiredException and mails a code through CustomMessage_ForgotPassword', async () => {
      const user = await activeUser(h);
      await expect(resetPassword(h, user.email)).resolves.toBeDefined();

      expect(await adminGetUser(h, user.email)).toMatchObject({
        UserStatus: 'RESET_REQUIRED',
        Enabled: true,
      });
      const passwordResetRequired = {
        name: 'PasswordResetRequiredException',
        message: 'Password reset required for the user',
      };
      await expect(signIn(h, user.email, GOOD_PASSWORD)).rejects.toMatchObject(passwordResetRequired);
      await expect(
        h.client.send(
          new AdminInitiateAuthCommand({
            UserPoolId: POOL.userPoolId,
            ClientId: POOL.clientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: user.email, PASSWORD: GOOD_PASSWORD },
          }),
        ),
      ).rejects.toMatchObject(passwordResetRequired);

      const mail = lastMailTo(h, user.email);
      expect(mail).toMatchObject({ userPoolId: POOL.userPoolId, subject: 'Reset your Acme password' });
      expect(codeIn(mail?.text)).toMatch(/^\d{6}$/);
      const event = triggers.customMessages.findLast((e) => e.userName === user.sub);
      expect(event).toMatchObject({
        triggerSource: 'CustomMessage_ForgotPassword',
        userPoolId: POOL.userPoolId,
        callerContext: { clientId: 'CLIENT_ID_NOT_APPLICABLE' },
        request: { userAttributes: { sub: user.sub, email: user.email, 'custom:userId': user.userId } },
      });
    });

    it('is completed by ConfirmForgotPassword: a wrong code and a weak password are refused, then the new password signs in and the old one does not', async () => {
      const user = await activeUser(h);
      await resetPassword(h, user.email);
      const code = codeIn(lastMailTo(h, user.email)?.text) ?? '';
      const confirm = (confirmationCode: string, password: string) =>
        h.client.send(
          new ConfirmForgotPasswordCommand({
            ClientId: POOL.clientId,
            Username: user.email,
            ConfirmationCode: confirmationCode,
            Password: password,
          }),
        );

      await expect(confirm(code, 'weakpassword')).rejects.toMatchObject({
        name: 'InvalidPasswordException',
        message: 'Password does not conform to policy: Password must have uppercase characters',
      });
      const wrongCode = code === '000000' ? '111111' : '000000';
      await expect(confirm(wrongCode, NEW_PASSWORD)).rejects.toMatchObject({
        name: 'CodeMismatchException',
        message: 'Invalid verification code provided, please try again.',
      });
      expect((await adminGetUser(h, user.email)).UserStatus).toBe('RESET_REQUIRED');

      await confirm(code, NEW_PASSWORD);
      expect(await adminGetUser(h, user.email)).toMatchObject({ UserStatus: 'CONFIRMED', Enabled: true });
      const { AuthenticationResult } = await signIn(h, user.email, NEW_PASSWORD);
      expect(AuthenticationResult?.AccessToken).toBeTruthy();
      await expect(signIn(h, user.email, GOOD_PASSWORD)).rejects.toMatchObject({
        name: 'NotAuthorizedException',
        message: 'Incorrect username or password.',
      });
    });

    it('refuses a user who has never set a password (FORCE_CHANGE_PASSWORD), as ForgotPassword does, and leaves the invitation valid', async () => {
      const user = await createUser(h);
      const cannotReset = {
        name: 'NotAuthorizedException',
        message: 'User password cannot be reset in the current state.',
      };
      await expect(resetPassword(h, user.sub)).rejects.toMatchObject(cannotReset);
      await expect(
        h.client.send(new ForgotPasswordCommand({ ClientId: POOL.clientId, Username: user.email })),
      ).rejects.toMatchObject(cannotReset);

      expect((await adminGetUser(h, user.email)).UserStatus).toBe('FORCE_CHANGE_PASSWORD');
      const challenge = await signIn(h, user.email, user.temporaryPassword);
      expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    });

    it('answers UserNotFoundException for an unknown user and NotAuthorizedException for a disabled one', async () => {
      await expect(resetPassword(h, newEmail())).rejects.toMatchObject(NO_SUCH_USER);

      const user = await activeUser(h);
      await h.client.send(new AdminDisableUserCommand({ UserPoolId: POOL.userPoolId, Username: user.email }));
      await expect(resetPassword(h, user.email)).rejects.toMatchObject({
        name: 'NotAuthorizedException',
        message: 'User is disabled.',
      });
      expect((await adminGetUser(h, user.email)).UserStatus).toBe('CONFIRMED');
    });

    it('refuses a user with no verified email to send the code to', async () => {
      const email = newEmail();
      await h.client.send(
        new AdminCreateUserCommand({
          UserPoolId: POOL.userPoolId,
          Username: email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
      await h.client.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: POOL.userPoolId,
          Username: email,
          Password: GOOD_PASSWORD,
          Permanent: true,
        }),
      );
      await expect(resetPassword(h, email)).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message:
          'Cannot reset password for the user as there is no registered/verified email or phone_number',
      });
      expect((await adminGetUser(h, email)).UserStatus).toBe('CONFIRMED');
    });
  });

  describe('global sign-out', () => {
    it('AdminUserGlobalSignOut revokes every refresh token and the access tokens issued so far; a new sign-in works', async () => {
      const user = await activeUser(h);
      const first = user.tokens;
      const second = (await signIn(h, user.email, GOOD_PASSWORD)).AuthenticationResult;
      await expect(refresh(h, first.RefreshToken)).resolves.toHaveProperty('AuthenticationResult');
      await expect(getUser(h, second?.AccessToken)).resolves.toMatchObject({ Username: user.sub });

      // By sub, as Gatehouse calls it.
      await h.client.send(
        new AdminUserGlobalSignOutCommand({ UserPoolId: POOL.userPoolId, Username: user.sub }),
      );

      await expect(refresh(h, first.RefreshToken)).rejects.toMatchObject(REVOKED_REFRESH);
      await expect(refresh(h, second?.RefreshToken)).rejects.toMatchObject(REVOKED_REFRESH);
      await expect(getUser(h, first.AccessToken)).rejects.toMatchObject(REVOKED_ACCESS);
      await expect(
        h.client.send(
          new ChangePasswordCommand({
            AccessToken: second?.AccessToken,
            PreviousPassword: GOOD_PASSWORD,
            ProposedPassword: NEW_PASSWORD,
          }),
        ),
      ).rejects.toMatchObject(REVOKED_ACCESS);
      expect(await adminGetUser(h, user.email)).toMatchObject({ UserStatus: 'CONFIRMED', Enabled: true });

      // Straight after the sign-out, in the same second: the new tokens are good.
      const third = (await signIn(h, user.email, GOOD_PASSWORD)).AuthenticationResult;
      await expect(getUser(h, third?.AccessToken)).resolves.toMatchObject({ Username: user.sub });
      await expect(refresh(h, third?.RefreshToken)).resolves.toHaveProperty('AuthenticationResult');
    });

    it('GlobalSignOut with an access token signs the user out of every session, that token included', async () => {
      const user = await activeUser(h);
      const other = (await signIn(h, user.email, GOOD_PASSWORD)).AuthenticationResult;

      await h.client.send(new GlobalSignOutCommand({ AccessToken: user.tokens.AccessToken }));

      await expect(refresh(h, other?.RefreshToken)).rejects.toMatchObject(REVOKED_REFRESH);
      await expect(refresh(h, user.tokens.RefreshToken)).rejects.toMatchObject(REVOKED_REFRESH);
      await expect(getUser(h, other?.AccessToken)).rejects.toMatchObject(REVOKED_ACCESS);
      await expect(
        h.client.send(new GlobalSignOutCommand({ AccessToken: user.tokens.AccessToken })),
      ).rejects.toMatchObject(REVOKED_ACCESS);
    });

    it('answers UserNotFoundException to AdminUserGlobalSignOut for an unknown user, and NotAuthorizedException to GlobalSignOut with a token it never issued', async () => {
      await expect(
        h.client.send(
          new AdminUserGlobalSignOutCommand({ UserPoolId: POOL.userPoolId, Username: newEmail() }),
        ),
      ).rejects.toMatchObject(NO_SUCH_USER);
      await expect(
        h.client.send(new GlobalSignOutCommand({ AccessToken: 'not-a-token' })),
      ).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Invalid Access Token' });
    });
  });

  it('AdminDisableUser revokes access tokens and refuses refreshes until AdminEnableUser, which lets the refresh token work again', async () => {
    const user = await activeUser(h);
    await h.client.send(new AdminDisableUserCommand({ UserPoolId: POOL.userPoolId, Username: user.email }));

    expect(await adminGetUser(h, user.email)).toMatchObject({ Enabled: false, UserStatus: 'CONFIRMED' });
    await expect(getUser(h, user.tokens.AccessToken)).rejects.toMatchObject(REVOKED_ACCESS);
    await expect(refresh(h, user.tokens.RefreshToken)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'User is disabled.',
    });

    await h.client.send(new AdminEnableUserCommand({ UserPoolId: POOL.userPoolId, Username: user.email }));
    expect(await adminGetUser(h, user.email)).toMatchObject({ Enabled: true, UserStatus: 'CONFIRMED' });
    const { AuthenticationResult } = await refresh(h, user.tokens.RefreshToken);
    await expect(getUser(h, AuthenticationResult?.AccessToken)).resolves.toMatchObject({
      Username: user.sub,
    });
    await expect(getUser(h, user.tokens.AccessToken)).rejects.toMatchObject(REVOKED_ACCESS);
  });

  describe('on its own data folder', () => {
    const harnesses: Harness[] = [];
    const start = async (dir: string) => {
      const harness = await startHarness(join(root, dir), lambda);
      harnesses.push(harness);
      return harness;
    };
    afterEach(async () => {
      for (const harness of harnesses.splice(0)) await harness.stop();
    });

    it('RESEND gives an expired invitation a new temporary password valid for the full period again', async () => {
      const first = await start('resend-expiry');
      const user = await createUser(first);
      await first.stop();
      const file = join(root, 'resend-expiry', 'db', `${POOL.userPoolId}.json`);
      const db = JSON.parse(await readFile(file, 'utf8'));
      db.Users[user.sub].UserLastModifiedDate = new Date(Date.now() - 8 * 24 * 3600_000).toISOString();
      await writeFile(file, JSON.stringify(db));

      const second = await start('resend-expiry');
      await expect(signIn(second, user.email, user.temporaryPassword)).rejects.toMatchObject({
        name: 'NotAuthorizedException',
        message: 'Temporary password has expired and must be reset by an administrator.',
      });
      await resend(second, user.email);
      const temporaryPassword = temporaryPasswordIn(lastMailTo(second, user.email)?.text) ?? '';
      const challenge = await signIn(second, user.email, temporaryPassword);
      expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    });

    it('keeps a global sign-out across a restart', async () => {
      const first = await start('sign-out-restart');
      const user = await activeUser(first);
      await first.client.send(
        new AdminUserGlobalSignOutCommand({ UserPoolId: POOL.userPoolId, Username: user.email }),
      );
      await first.stop();

      const second = await start('sign-out-restart');
      await expect(refresh(second, user.tokens.RefreshToken)).rejects.toMatchObject(REVOKED_REFRESH);
      await expect(getUser(second, user.tokens.AccessToken)).rejects.toMatchObject(REVOKED_ACCESS);
      await expect(signIn(second, user.email, GOOD_PASSWORD)).resolves.toHaveProperty('AuthenticationResult');
    });
  });
});
