// Test helpers that act as a client of the offline backend would: sign in with Cognito, call the API, read mail.
import { randomUUID } from 'node:crypto';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Environment } from '#local/runtime.ts';
import { assertDocumented } from './contract.ts';

export type Tenant = Environment['tenants'][number];

export function cognitoClient(env: Environment): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: env.endpoints.cognito,
    region: env.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

export async function signIn(env: Environment, tenant: Tenant, email: string, password: string) {
  return cognitoClient(env).send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: tenant.clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
}

export async function adminToken(env: Environment, tenant: Tenant): Promise<string> {
  const result = await signIn(env, tenant, tenant.admin.email, tenant.admin.password);
  const token = result.AuthenticationResult?.IdToken;
  if (!token) throw new Error(`admin of ${tenant.id} got no token`);
  return token;
}

export async function completeNewPassword(
  env: Environment,
  tenant: Tenant,
  email: string,
  session: string,
  newPassword: string,
) {
  return cognitoClient(env).send(
    new RespondToAuthChallengeCommand({
      ClientId: tenant.clientId,
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: session,
      ChallengeResponses: { USERNAME: email, NEW_PASSWORD: newPassword },
    }),
  );
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function api<T = Record<string, unknown>>(
  env: Environment,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(env.apiUrl + path, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  // Every answer the tests see must be one the OpenAPI document describes.
  assertDocumented(method, path, response.status, response.headers, text);
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as T,
  };
}

export interface Mail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** Waits for the newest mail to `to` whose subject matches. */
export async function mailTo(env: Environment, to: string, subject: RegExp, timeoutMs = 5000): Promise<Mail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const store = (await (await fetch(`${env.mailboxUrl}/store`)).json()) as { emails: Mail[] };
    const mail = store.emails.filter((m) => m.destination.to.includes(to) && subject.test(m.subject)).at(-1);
    if (mail) return mail;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

export async function mailsTo(env: Environment, to: string): Promise<Mail[]> {
  const store = (await (await fetch(`${env.mailboxUrl}/store`)).json()) as { emails: Mail[] };
  return store.emails.filter((m) => m.destination.to.includes(to));
}

/** A unique, valid profile for a new user. */
export function newProfile(overrides: Record<string, unknown> = {}) {
  const tag = randomUUID().slice(0, 8);
  return {
    firstName: 'Ada',
    lastName: `Lovelace-${tag}`,
    email: `ada.${tag}@example.com`,
    ...overrides,
  };
}

/** The temporary password in the newest welcome mail to `email`, after `since` (epoch seconds). */
export async function temporaryPassword(env: Environment, email: string, since = 0): Promise<string> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const mails = (await mailsTo(env, email)).filter((m) => /Welcome/.test(m.subject) && m.at >= since);
    const password = /temporary password: <b>([^<]+)<\/b>/.exec(mails.at(-1)?.body.html ?? '')?.[1];
    if (password)
      return password.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no welcome mail to ${email}`);
}

export interface SignedInUser {
  id: string;
  email: string;
  password: string;
  idToken: string;
  refreshToken: string;
}

/** Adds, activates and signs in a user through the API, the mailbox and Cognito, as a person would. */
export async function activeUser(
  env: Environment,
  tenant: Tenant,
  adminToken: string,
  overrides: Record<string, unknown> = {},
): Promise<SignedInUser> {
  const profile = newProfile(overrides);
  const created = await api(env, 'POST', '/users', {
    token: adminToken,
    body: { ...profile, activate: true },
  });
  if (created.status !== 201)
    throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
  const temporary = await temporaryPassword(env, profile.email);
  const first = await signIn(env, tenant, profile.email, temporary);
  const password = `Chosen-${randomUUID().slice(0, 8)}-Pw1`;
  const done = await completeNewPassword(env, tenant, profile.email, first.Session as string, password);
  const result = done.AuthenticationResult;
  if (!result?.IdToken || !result.RefreshToken) throw new Error('first sign-in gave no tokens');
  return {
    id: created.body.id as string,
    email: profile.email,
    password,
    idToken: result.IdToken,
    refreshToken: result.RefreshToken,
  };
}

export async function refresh(env: Environment, tenant: Tenant, refreshToken: string) {
  return cognitoClient(env).send(
    new InitiateAuthCommand({
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: tenant.clientId,
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );
}

/** The error name a Cognito call rejected with, or 'ok'. */
export async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}
