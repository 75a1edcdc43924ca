// The offline Cognito as the tests drive it: one pool, its trigger functions, and the SDK v3 client.
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CustomMessageTriggerEvent, PostAuthenticationTriggerEvent } from 'aws-lambda';
import {
  type LocalCognito,
  type LocalMail,
  type LocalPool,
  type LocalTrigger,
  startLocalCognito,
} from '#local/cognito.ts';
import type { LambdaInvokeServer } from '#local/lambda-invoke.ts';

export const REGION = 'eu-west-1';
export const POOL: LocalPool = {
  tenantId: 'acme',
  name: 'Acme',
  userPoolId: 'eu-west-1_AcmeLocal',
  clientId: 'acmelocalclient000000000001',
  passwordPolicy: {
    minimumLength: 10,
    requireLowercase: true,
    requireUppercase: true,
    requireNumbers: true,
    requireSymbols: true,
    temporaryPasswordValidityDays: 7,
  },
};
export const GOOD_PASSWORD = 'Correct-Horse-9';
export const FUNCTIONS = {
  CustomMessage: 'gatehouse-custom-message',
  PostAuthentication: 'gatehouse-post-authentication',
} as const;

/** What the trigger functions received, and a switch to make PostAuthentication fail. */
export class TriggerRecorder {
  customMessages: CustomMessageTriggerEvent[] = [];
  postAuthentications: PostAuthenticationTriggerEvent[] = [];
  failPostAuthentication: string | undefined;

  functions() {
    return {
      [FUNCTIONS.CustomMessage]: async (event: unknown) => {
        const e = event as CustomMessageTriggerEvent;
        this.customMessages.push(structuredClone(e));
        if (e.triggerSource === 'CustomMessage_AdminCreateUser') {
          e.response.emailSubject = 'Welcome to Acme';
          e.response.emailMessage = `<p>Hello ${e.request.usernameParameter}</p><p>Temporary password: <b>${e.request.codeParameter}</b></p>`;
        } else if (e.triggerSource === 'CustomMessage_ForgotPassword') {
          e.response.emailSubject = 'Reset your Acme password';
          e.response.emailMessage = `Your Acme code is ${e.request.codeParameter}`;
        }
        return e;
      },
      [FUNCTIONS.PostAuthentication]: async (event: unknown) => {
        this.postAuthentications.push(structuredClone(event as PostAuthenticationTriggerEvent));
        if (this.failPostAuthentication) throw new Error(this.failPostAuthentication);
        return event;
      },
    };
  }
}

export interface Harness {
  cognito: LocalCognito;
  client: CognitoIdentityProviderClient;
  mails: LocalMail[];
  stop(): Promise<void>;
}

export async function startHarness(
  dataDir: string,
  lambda: LambdaInvokeServer | undefined,
  triggers: Partial<Record<LocalTrigger, string>> = FUNCTIONS,
  pools: LocalPool[] = [POOL],
): Promise<Harness> {
  const mails: LocalMail[] = [];
  const cognito = await startLocalCognito({
    dataDir,
    region: REGION,
    pools,
    lambdaEndpoint: lambda?.url ?? 'http://127.0.0.1:9',
    triggers: lambda ? triggers : {},
    sendMail: async (mail) => {
      mails.push(mail);
    },
  });
  const client = new CognitoIdentityProviderClient({
    endpoint: cognito.url,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    cognito,
    client,
    mails,
    stop: async () => {
      client.destroy();
      await cognito.stop();
    },
  };
}

let sequence = 0;
export const newEmail = () => `user${++sequence}.${Date.now()}@acme.test`;

/** AdminCreateUser as Gatehouse calls it; returns the sub and the temporary password read from the mail. */
export async function createUser(h: Harness, email = newEmail()) {
  const userId = `u-${sequence}`;
  const { User } = await h.client.send(
    new AdminCreateUserCommand({
      UserPoolId: POOL.userPoolId,
      Username: email,
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'custom:tenantId', Value: POOL.tenantId },
        { Name: 'custom:userId', Value: userId },
      ],
    }),
  );
  const mail = h.mails.findLast((m) => m.to === email);
  const temporaryPassword = /Temporary password: (\S+)/.exec(mail?.text ?? '')?.[1];
  if (!User?.Username || !temporaryPassword) throw new Error('user created without a welcome mail');
  return { email, userId, sub: User.Username, temporaryPassword, mail };
}

export const signIn = (h: Harness, username: string, password: string) =>
  h.client.send(
    new InitiateAuthCommand({
      ClientId: POOL.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );

/** A user who has set their own password; returns the tokens of that first sign-in. */
export async function activeUser(h: Harness) {
  const user = await createUser(h);
  const challenge = await signIn(h, user.email, user.temporaryPassword);
  const { AuthenticationResult } = await h.client.send(
    new RespondToAuthChallengeCommand({
      ClientId: POOL.clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: user.sub, NEW_PASSWORD: GOOD_PASSWORD },
    }),
  );
  if (!AuthenticationResult?.RefreshToken || !AuthenticationResult.IdToken) throw new Error('no tokens');
  return { ...user, tokens: AuthenticationResult };
}

export function jwtParts(token: string) {
  const [header, payload, signature] = token.split('.');
  const decode = (part: string | undefined) =>
    JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
  return { header: decode(header), payload: decode(payload), signed: `${header}.${payload}`, signature };
}
