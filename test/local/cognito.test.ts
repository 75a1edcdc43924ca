// The offline Cognito against the real SDK v3 client: pools, mails, triggers and the AWS checks it adds.
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LambdaInvokeServer, startLambdaInvokeServer } from '#local/lambda-invoke.ts';
import {
  activeUser,
  createUser,
  GOOD_PASSWORD,
  type Harness,
  jwtParts,
  newEmail,
  POOL,
  signIn,
  startHarness,
  TriggerRecorder,
} from './cognito-harness.ts';

describe('local Cognito', () => {
  const triggers = new TriggerRecorder();
  let root: string;
  let lambda: LambdaInvokeServer;
  let h: Harness;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'gatehouse-cognito-'));
    lambda = await startLambdaInvokeServer(triggers.functions());
    h = await startHarness(join(root, 'main'), lambda);
  });

  afterEach(() => {
    triggers.failPostAuthentication = undefined;
  });

  afterAll(async () => {
    await h?.stop();
    await lambda?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('creates the configured pool and app client under their fixed ids', async () => {
    const { UserPool } = await h.client.send(new DescribeUserPoolCommand({ UserPoolId: POOL.userPoolId }));
    expect(UserPool).toMatchObject({
      Id: POOL.userPoolId,
      Name: 'Acme',
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: { MinimumLength: 10, RequireSymbols: true, TemporaryPasswordValidityDays: 7 },
      },
    });
    expect(UserPool?.SchemaAttributes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Name: 'custom:tenantId', Mutable: true, AttributeDataType: 'String' }),
        expect.objectContaining({ Name: 'custom:userId', Mutable: true, AttributeDataType: 'String' }),
      ]),
    );
    const { UserPoolClient } = await h.client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: POOL.userPoolId, ClientId: POOL.clientId }),
    );
    expect(UserPoolClient).toMatchObject({
      ClientId: POOL.clientId,
      UserPoolId: POOL.userPoolId,
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    expect(UserPoolClient?.ClientSecret).toBeUndefined();
  });

  it('mails the welcome message worded by the CustomMessage trigger, holding a policy-conforming temporary password', async () => {
    const user = await createUser(h);

    expect(user.mail).toMatchObject({
      userPoolId: POOL.userPoolId,
      to: user.email,
      subject: 'Welcome to Acme',
    });
    expect(user.mail?.html).toContain(`<b>${user.temporaryPassword}</b>`);
    // {username} is Cognito's username: the generated sub, not the email.
    expect(user.mail?.text).toContain(`Hello ${user.sub}`);
    expect(user.temporaryPassword).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[^A-Za-z0-9]).{12,}$/);

    const event = triggers.customMessages.find((e) => e.request.userAttributes.email === user.email);
    expect(event).toMatchObject({
      triggerSource: 'CustomMessage_AdminCreateUser',
      userPoolId: POOL.userPoolId,
      userName: user.sub,
      callerContext: { clientId: 'CLIENT_ID_NOT_APPLICABLE' },
      request: {
        codeParameter: '{####}',
        usernameParameter: '{username}',
        userAttributes: { sub: user.sub, 'custom:userId': user.userId, 'custom:tenantId': 'acme' },
      },
    });
  });

  it('mails a temporary password holding `$$` or `$&` exactly as it is', async () => {
    const email = newEmail();
    const temporaryPassword = 'Temp$$Pass$&1';
    await h.client.send(
      new AdminCreateUserCommand({
        UserPoolId: POOL.userPoolId,
        Username: email,
        TemporaryPassword: temporaryPassword,
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
    expect(h.mails.findLast((m) => m.to === email)?.text).toContain(
      `Temporary password: ${temporaryPassword}`,
    );
    await expect(signIn(h, email, temporaryPassword)).resolves.toHaveProperty('ChallengeName');
  });

  it('refuses a temporary password that breaks the policy at AdminCreateUser', async () => {
    const email = newEmail();
    await expect(
      h.client.send(
        new AdminCreateUserCommand({
          UserPoolId: POOL.userPoolId,
          Username: email,
          TemporaryPassword: 'abc123',
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidPasswordException',
      message: 'Password does not conform to policy: Password not long enough',
    });
  });

  it('refuses a wrong temporary password', async () => {
    const user = await createUser(h);
    await expect(signIn(h, user.email, `${user.temporaryPassword}x`)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('locks a user out after repeated failed sign-ins, the right password included, until a lockout passes', async () => {
    const user = await activeUser(h);
    const attempt = (password: string) =>
      signIn(h, user.email, password).then(
        () => 'signed in',
        (e: Error) => e.message,
      );
    const wrong: string[] = [];
    // Five failures are free; from then on each locks for 1 s, doubling: after eight, 8 s.
    for (let i = 0; i < 8; i++) wrong.push(await attempt(`${GOOD_PASSWORD}x`));
    expect(wrong.slice(0, 5)).toEqual(Array(5).fill('Incorrect username or password.'));
    expect(await attempt(GOOD_PASSWORD)).toBe('Password attempts exceeded');
  });

  it('refuses an unknown user as it refuses a wrong password', async () => {
    await expect(signIn(h, newEmail(), GOOD_PASSWORD)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('asks for a new password at first sign-in, refuses one that breaks the policy and signs in with a good one', async () => {
    const user = await createUser(h);
    const challenge = await signIn(h, user.email, user.temporaryPassword);
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(challenge.ChallengeParameters?.USER_ID_FOR_SRP).toBe(user.sub);
    const answer = (password: string) =>
      h.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: POOL.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: challenge.Session,
          ChallengeResponses: { USERNAME: user.sub, NEW_PASSWORD: password },
        }),
      );

    await expect(answer('Short-1')).rejects.toMatchObject({
      name: 'InvalidPasswordException',
      message: 'Password does not conform to policy: Password not long enough',
    });
    await expect(answer('no-uppercase-1')).rejects.toMatchObject({
      message: 'Password does not conform to policy: Password must have uppercase characters',
    });
    await expect(answer('No-Numbers-Here')).rejects.toMatchObject({
      message: 'Password does not conform to policy: Password must have numeric characters',
    });
    await expect(answer('NoSymbols123')).rejects.toMatchObject({
      message: 'Password does not conform to policy: Password must have symbol characters',
    });
    const { AuthenticationResult } = await answer(GOOD_PASSWORD);
    expect(AuthenticationResult?.IdToken).toBeTruthy();
    expect(AuthenticationResult?.RefreshToken).toBeTruthy();

    const { UserStatus } = await h.client.send(
      new AdminGetUserCommand({ UserPoolId: POOL.userPoolId, Username: user.email }),
    );
    expect(UserStatus).toBe('CONFIRMED');
  });

  it('calls PostAuthentication after the new-password challenge with the sub as userName and the custom attributes', async () => {
    const user = await activeUser(h);
    const event = triggers.postAuthentications.find((e) => e.userName === user.sub);
    expect(event).toMatchObject({
      triggerSource: 'PostAuthentication_Authentication',
      userPoolId: POOL.userPoolId,
      userName: user.sub,
      callerContext: { clientId: POOL.clientId },
      request: {
        newDeviceUsed: false,
        userAttributes: {
          sub: user.sub,
          email: user.email,
          'custom:userId': user.userId,
          'custom:tenantId': 'acme',
        },
      },
    });
  });

  it('refuses a challenge answer with a session it never issued', async () => {
    const user = await createUser(h);
    await expect(
      h.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: POOL.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: 'made-up-session',
          ChallengeResponses: { USERNAME: user.sub, NEW_PASSWORD: GOOD_PASSWORD },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Invalid session for the user.' });
  });

  it('fails the sign-in with UserLambdaValidationException when PostAuthentication throws, as AWS does', async () => {
    const user = await activeUser(h);
    triggers.failPostAuthentication = 'Your account cannot sign in.';
    await expect(signIn(h, user.email, GOOD_PASSWORD)).rejects.toMatchObject({
      name: 'UserLambdaValidationException',
      message: 'PostAuthentication failed with error Your account cannot sign in..',
    });
  });

  it('refreshes with the refresh token of the first sign-in', async () => {
    const user = await activeUser(h);
    const { AuthenticationResult } = await h.client.send(
      new InitiateAuthCommand({
        ClientId: POOL.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: user.tokens.RefreshToken ?? '' },
      }),
    );
    expect(AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('refuses a disabled user at sign-in, admin sign-in and refresh', async () => {
    const user = await activeUser(h);
    await h.client.send(new AdminDisableUserCommand({ UserPoolId: POOL.userPoolId, Username: user.email }));

    await expect(signIn(h, user.email, GOOD_PASSWORD)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'User is disabled.',
    });
    await expect(
      h.client.send(
        new InitiateAuthCommand({
          ClientId: POOL.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: user.tokens.RefreshToken ?? '' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'User is disabled.' });
    await expect(
      h.client.send(
        new AdminInitiateAuthCommand({
          UserPoolId: POOL.userPoolId,
          ClientId: POOL.clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: user.email, PASSWORD: GOOD_PASSWORD },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'User is disabled.' });
  });

  it('signs in by email whatever its case', async () => {
    const user = await activeUser(h);
    const { AuthenticationResult } = await signIn(h, user.email.toUpperCase(), GOOD_PASSWORD);
    expect(jwtParts(AuthenticationResult?.IdToken ?? '').payload.sub).toBe(user.sub);
  });

  it('checks the policy on AdminSetUserPassword, ChangePassword and ConfirmForgotPassword', async () => {
    const user = await activeUser(h);
    const weak = 'weakpassword';
    const policyError = {
      name: 'InvalidPasswordException',
      message: 'Password does not conform to policy: Password must have uppercase characters',
    };

    await expect(
      h.client.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: POOL.userPoolId,
          Username: user.email,
          Password: weak,
          Permanent: true,
        }),
      ),
    ).rejects.toMatchObject(policyError);
    await expect(
      h.client.send(
        new ChangePasswordCommand({
          AccessToken: user.tokens.AccessToken,
          PreviousPassword: GOOD_PASSWORD,
          ProposedPassword: weak,
        }),
      ),
    ).rejects.toMatchObject(policyError);

    await h.client.send(new ForgotPasswordCommand({ ClientId: POOL.clientId, Username: user.email }));
    const mail = h.mails.findLast((m) => m.to === user.email);
    expect(mail?.subject).toBe('Reset your Acme password');
    const code = /code is (\d+)/.exec(mail?.text ?? '')?.[1] ?? '';
    const confirm = (password: string) =>
      h.client.send(
        new ConfirmForgotPasswordCommand({
          ClientId: POOL.clientId,
          Username: user.email,
          ConfirmationCode: code,
          Password: password,
        }),
      );
    await expect(confirm(weak)).rejects.toMatchObject(policyError);
    await confirm('Another-Good-1');
    await expect(signIn(h, user.email, 'Another-Good-1')).resolves.toHaveProperty('AuthenticationResult');
  });

  it('issues tokens whose issuer is issuer(poolId), signed by a key its JWKS URL serves', async () => {
    const user = await activeUser(h);
    const idToken = jwtParts(user.tokens.IdToken ?? '');
    const issuer = h.cognito.issuer(POOL.userPoolId);
    expect(issuer).toBe(`${h.cognito.url}/${POOL.userPoolId}`);
    expect(idToken.payload).toMatchObject({
      iss: issuer,
      aud: POOL.clientId,
      token_use: 'id',
      sub: user.sub,
      'custom:userId': user.userId,
    });
    expect(jwtParts(user.tokens.AccessToken ?? '').payload).toMatchObject({
      iss: issuer,
      client_id: POOL.clientId,
    });

    const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as { keys: JsonWebKey[] };
    const key = jwks.keys.find((k) => (k as { kid?: string }).kid === idToken.header.kid);
    expect(key).toBeDefined();
    const publicKey = createPublicKey({ key: key as JsonWebKey, format: 'jwk' });
    const signature = Buffer.from(idToken.signature ?? '', 'base64url');
    expect(verify('RSA-SHA256', Buffer.from(idToken.signed), publicKey, signature)).toBe(true);

    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as object;
    expect(discovery).toMatchObject({ issuer, jwks_uri: `${issuer}/.well-known/jwks.json` });
  });

  describe('on its own data folder', () => {
    const harnesses: Harness[] = [];
    const start = async (dir: string, withTriggers = true) => {
      const harness = await startHarness(join(root, dir), withTriggers ? lambda : undefined);
      harnesses.push(harness);
      return harness;
    };
    afterEach(async () => {
      for (const harness of harnesses.splice(0)) await harness.stop();
    });

    it('keeps its pool, client and users across a restart, and frees its port on stop', async () => {
      const first = await start('restart');
      const user = await activeUser(first);
      await first.stop();
      await expect(fetch(`${first.cognito.url}/health`)).rejects.toThrow();

      const second = await start('restart');
      const { UserPool } = await second.client.send(
        new DescribeUserPoolCommand({ UserPoolId: POOL.userPoolId }),
      );
      expect(UserPool?.Id).toBe(POOL.userPoolId);
      const { Username } = await second.client.send(
        new AdminGetUserCommand({ UserPoolId: POOL.userPoolId, Username: user.email }),
      );
      expect(Username).toBe(user.sub);
      await expect(signIn(second, user.email, GOOD_PASSWORD)).resolves.toHaveProperty('AuthenticationResult');
    });

    it('refuses a temporary password older than the pool allows', async () => {
      const first = await start('expiry');
      const user = await createUser(first);
      await first.stop();
      // Age the password by rewriting what cognito-local stored, then read it back through a fresh start.
      const file = join(root, 'expiry', 'db', `${POOL.userPoolId}.json`);
      const db = JSON.parse(await readFile(file, 'utf8'));
      db.Users[user.sub].UserLastModifiedDate = new Date(Date.now() - 8 * 24 * 3600_000).toISOString();
      await writeFile(file, JSON.stringify(db));

      const second = await start('expiry');
      await expect(signIn(second, user.email, user.temporaryPassword)).rejects.toMatchObject({
        name: 'NotAuthorizedException',
        message: 'Temporary password has expired and must be reset by an administrator.',
      });
    });

    it("uses Cognito's default invitation text when no CustomMessage trigger is set", async () => {
      const plain = await start('plain', false);
      const email = newEmail();
      await plain.client.send(
        new AdminCreateUserCommand({
          UserPoolId: POOL.userPoolId,
          Username: email,
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
      const mail = plain.mails.find((m) => m.to === email);
      expect(mail?.subject).toBe('Your temporary password');
      expect(mail?.text).toMatch(/^Your username is [0-9a-f-]{36} and temporary password is \S{12,}\.$/);

      const other = newEmail();
      await plain.client.send(
        new AdminCreateUserCommand({
          UserPoolId: POOL.userPoolId,
          Username: other,
          TemporaryPassword: 'Temp$$Pass$&1',
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
      expect(plain.mails.find((m) => m.to === other)?.text).toMatch(
        /temporary password is Temp\$\$Pass\$&1\.$/,
      );
    });
  });
});

describe('local Lambda invoke endpoint', () => {
  let server: LambdaInvokeServer;
  beforeAll(async () => {
    server = await startLambdaInvokeServer({
      echo: async (event, context) => ({
        event,
        functionName: (context as { functionName: string }).functionName,
      }),
      broken: async () => {
        throw new TypeError('bad input');
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });
  const invoke = (name: string, body: unknown) =>
    fetch(`${server.url}/2015-03-31/functions/${name}/invocations`, {
      method: 'POST',
      body: JSON.stringify(body),
    });

  it('answers with the JSON result of the named function', async () => {
    const res = await invoke('echo', { a: 1 });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBeNull();
    expect(await res.json()).toEqual({ event: { a: 1 }, functionName: 'echo' });
  });

  it('reports a thrown error as AWS Lambda does: 200, X-Amz-Function-Error Unhandled, errorType and errorMessage', async () => {
    const res = await invoke('broken', {});
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await res.json()).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad input' });
  });

  it('answers 404 for a function it does not know', async () => {
    const res = await invoke('missing', {});
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
  });
});
