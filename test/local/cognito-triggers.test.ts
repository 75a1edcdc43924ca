// The offline Cognito's PreAuthentication (which cognito-local lacks) and PreTokenGeneration triggers, through a
// real Lambda Invoke endpoint, against the SDK v3 client.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminInitiateAuthCommand,
  type AuthFlowType,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PreAuthenticationTriggerEvent, PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LambdaInvokeServer, startLambdaInvokeServer } from '#local/lambda-invoke.ts';
import {
  activeUser,
  createUser,
  FUNCTIONS,
  GOOD_PASSWORD,
  type Harness,
  jwtParts,
  newEmail,
  POOL,
  REGION,
  signIn,
  startHarness,
  TriggerRecorder,
} from './cognito-harness.ts';

const TRIGGER_FUNCTIONS = {
  ...FUNCTIONS,
  PreAuthentication: 'gatehouse-pre-authentication',
  PreTokenGeneration: 'gatehouse-pre-token-generation',
} as const;
const ARCHIVED = 'Your account is archived.';

describe('local Cognito triggers', () => {
  const recorder = new TriggerRecorder();
  const preAuthentications: PreAuthenticationTriggerEvent[] = [];
  const tokenGenerations: PreTokenGenerationTriggerEvent[] = [];
  /** userName -> the message PreAuthentication refuses that user with. */
  const refused = new Map<string, string>();
  let preAuthenticationReturnsNothing = false;
  let root: string;
  let lambda: LambdaInvokeServer;
  let h: Harness;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'gatehouse-cognito-triggers-'));
    lambda = await startLambdaInvokeServer({
      ...recorder.functions(),
      [TRIGGER_FUNCTIONS.PreAuthentication]: async (event: unknown) => {
        const e = event as PreAuthenticationTriggerEvent;
        preAuthentications.push(structuredClone(e));
        const refusal = refused.get(e.userName);
        if (refusal) throw new Error(refusal);
        return preAuthenticationReturnsNothing ? undefined : e;
      },
      [TRIGGER_FUNCTIONS.PreTokenGeneration]: async (event: unknown) => {
        const e = event as PreTokenGenerationTriggerEvent;
        tokenGenerations.push(structuredClone(e));
        e.response.claimsOverrideDetails = {
          claimsToAddOrOverride: {
            'gatehouse:roles': `admin,auditor:${e.request.userAttributes['custom:userId']}`,
          },
          claimsToSuppress: ['email_verified'],
        };
        return e;
      },
    });
    h = await startHarness(join(root, 'cognito'), lambda, TRIGGER_FUNCTIONS);
  });

  afterEach(() => {
    refused.clear();
    preAuthenticationReturnsNothing = false;
  });

  afterAll(async () => {
    await h?.stop();
    await lambda?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const preAuthenticationsOf = (userName: string) =>
    preAuthentications.filter((e) => e.userName === userName);
  const adminSignIn = (authFlow: AuthFlowType, username: string, password: string) =>
    h.client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: POOL.userPoolId,
        ClientId: POOL.clientId,
        AuthFlow: authFlow,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );

  describe('PreAuthentication', () => {
    it('refuses the sign-in with UserLambdaValidationException, as AWS words it, and issues no tokens', async () => {
      const user = await activeUser(h);
      refused.set(user.sub, ARCHIVED);
      const postAuthentications = recorder.postAuthentications.length;
      const generations = tokenGenerations.length;

      const error = await signIn(h, user.email, GOOD_PASSWORD).catch((e: unknown) => e);

      // AWS appends a period to the function's message, whatever it ends with.
      expect(error).toMatchObject({
        name: 'UserLambdaValidationException',
        message: `PreAuthentication failed with error ${ARCHIVED}.`,
        $metadata: { httpStatusCode: 400 },
      });
      expect(preAuthenticationsOf(user.sub)).toHaveLength(2); // the first sign-in, and this one
      expect(recorder.postAuthentications).toHaveLength(postAuthentications);
      expect(tokenGenerations).toHaveLength(generations);
    });

    it('runs before the password is checked: a refused user gets the refusal even with a wrong password', async () => {
      const user = await activeUser(h);
      refused.set(user.sub, 'Locked');

      await expect(signIn(h, user.email, 'Wrong-Password-1')).rejects.toMatchObject({
        name: 'UserLambdaValidationException',
        message: 'PreAuthentication failed with error Locked.',
      });
      refused.clear();
      await expect(signIn(h, user.email, 'Wrong-Password-1')).rejects.toMatchObject({
        name: 'NotAuthorizedException',
        message: 'Incorrect username or password.',
      });
      expect(preAuthenticationsOf(user.sub)).toHaveLength(3);
    });

    it('lets the sign-in proceed when the function returns, having sent the event AWS sends', async () => {
      const user = await activeUser(h);

      const { AuthenticationResult } = await h.client.send(
        new InitiateAuthCommand({
          ClientId: POOL.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: user.email.toUpperCase(), PASSWORD: GOOD_PASSWORD },
          ClientMetadata: { channel: 'web' },
        }),
      );

      expect(AuthenticationResult?.IdToken).toBeDefined();
      expect(preAuthenticationsOf(user.sub).at(-1)).toEqual({
        version: '1',
        region: REGION,
        userPoolId: POOL.userPoolId,
        // The pool signs in by email, so the username is the generated sub.
        userName: user.sub,
        callerContext: { awsSdkVersion: expect.any(String), clientId: POOL.clientId },
        triggerSource: 'PreAuthentication_Authentication',
        request: {
          userAttributes: {
            sub: user.sub,
            email: user.email,
            email_verified: 'true',
            'custom:tenantId': POOL.tenantId,
            'custom:userId': user.userId,
            'cognito:user_status': 'CONFIRMED',
          },
          // InitiateAuth's ClientMetadata, as AWS passes it.
          validationData: { channel: 'web' },
          // Sent because the app client has PreventUserExistenceErrors ENABLED.
          userNotFound: false,
        },
        response: {},
      });
    });

    it('is invoked at the first sign-in of an invited user, before the new-password challenge', async () => {
      const user = await createUser(h);
      refused.set(user.sub, ARCHIVED);

      await expect(signIn(h, user.email, user.temporaryPassword)).rejects.toMatchObject({
        name: 'UserLambdaValidationException',
        message: `PreAuthentication failed with error ${ARCHIVED}.`,
      });
      expect(preAuthenticationsOf(user.sub).at(-1)?.request.userAttributes['cognito:user_status']).toBe(
        'FORCE_CHANGE_PASSWORD',
      );
    });

    it('is invoked by AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH and its former name ADMIN_NO_SRP_AUTH', async () => {
      const user = await activeUser(h);

      for (const flow of ['ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'] as const) {
        const { AuthenticationResult } = await adminSignIn(flow, user.email, GOOD_PASSWORD);
        expect(AuthenticationResult?.IdToken).toBeDefined();
      }
      refused.set(user.sub, ARCHIVED);
      for (const flow of ['ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'] as const) {
        await expect(adminSignIn(flow, user.email, GOOD_PASSWORD)).rejects.toMatchObject({
          name: 'UserLambdaValidationException',
          message: `PreAuthentication failed with error ${ARCHIVED}.`,
        });
      }
      const events = preAuthenticationsOf(user.sub).slice(-4);
      expect(events).toHaveLength(4);
      for (const event of events) {
        expect(event).toMatchObject({
          triggerSource: 'PreAuthentication_Authentication',
          callerContext: { clientId: POOL.clientId },
          request: { userAttributes: { sub: user.sub, 'custom:userId': user.userId } },
        });
      }
    });

    it('is invoked for an unknown user with userNotFound true, since the app client hides user existence', async () => {
      const email = newEmail();

      await expect(signIn(h, email, GOOD_PASSWORD)).rejects.toMatchObject({
        name: 'NotAuthorizedException',
        message: 'Incorrect username or password.',
      });
      expect(preAuthenticationsOf(email)).toEqual([
        expect.objectContaining({
          userPoolId: POOL.userPoolId,
          request: { userAttributes: {}, validationData: {}, userNotFound: true },
        }),
      ]);

      refused.set(email, 'Unknown here');
      await expect(signIn(h, email, GOOD_PASSWORD)).rejects.toMatchObject({
        name: 'UserLambdaValidationException',
        message: 'PreAuthentication failed with error Unknown here.',
      });
    });

    it('is not invoked by RespondToAuthChallenge nor by REFRESH_TOKEN_AUTH', async () => {
      const user = await activeUser(h);
      // activeUser: InitiateAuth (invoked) then RespondToAuthChallenge (not invoked).
      expect(preAuthenticationsOf(user.sub)).toHaveLength(1);
      refused.set(user.sub, ARCHIVED);

      const { AuthenticationResult } = await h.client.send(
        new InitiateAuthCommand({
          ClientId: POOL.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: user.tokens.RefreshToken ?? '' },
        }),
      );

      expect(AuthenticationResult?.AccessToken).toBeDefined();
      expect(preAuthenticationsOf(user.sub)).toHaveLength(1);
    });

    it('fails the sign-in with InvalidLambdaResponseException when the function returns nothing', async () => {
      const user = await activeUser(h);
      preAuthenticationReturnsNothing = true;

      await expect(signIn(h, user.email, GOOD_PASSWORD)).rejects.toMatchObject({
        name: 'InvalidLambdaResponseException',
        message: 'Invalid lambda function output : Invalid JSON',
      });
    });
  });

  describe('PreTokenGeneration', () => {
    it('adds and suppresses claims in the ID token only, at sign-in and at refresh', async () => {
      const user = await activeUser(h);
      const roles = `admin,auditor:${user.userId}`;

      const signedIn = await signIn(h, user.email, GOOD_PASSWORD);
      const refreshed = await h.client.send(
        new InitiateAuthCommand({
          ClientId: POOL.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: user.tokens.RefreshToken ?? '' },
        }),
      );

      for (const result of [user.tokens, signedIn.AuthenticationResult, refreshed.AuthenticationResult]) {
        const id = jwtParts(result?.IdToken ?? '').payload;
        expect(id).toMatchObject({ 'gatehouse:roles': roles, sub: user.sub, email: user.email });
        expect(id).not.toHaveProperty('email_verified');
        // AWS's V1 event (claimsOverrideDetails) changes the ID token, never the access token.
        expect(jwtParts(result?.AccessToken ?? '').payload).not.toHaveProperty('gatehouse:roles');
      }
      const events = tokenGenerations.filter((e) => e.userName === user.sub);
      expect(events.map((e) => e.triggerSource)).toEqual([
        'TokenGeneration_Authentication', // cognito-local's source for the new-password challenge too
        'TokenGeneration_Authentication',
        'TokenGeneration_RefreshTokens',
      ]);
      expect(events[1]).toMatchObject({
        version: '1',
        region: REGION,
        userPoolId: POOL.userPoolId,
        callerContext: { clientId: POOL.clientId },
        request: {
          userAttributes: { sub: user.sub, 'custom:tenantId': POOL.tenantId, 'custom:userId': user.userId },
        },
      });
    });
  });
});
