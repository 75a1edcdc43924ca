// Fault injection: every external call of every operation that touches both Cognito and DynamoDB fails
// once — before it takes effect, and as a timeout after it took effect — then the request is retried with
// the same Idempotency-Key and the reconciler runs. Nothing may be orphaned, no status may disagree, and
// each completed change has exactly one history entry.
import { randomUUID } from 'node:crypto';
import { AdminGetUserCommand, UserNotFoundException } from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { anEvent, context } from '#test/support/events.ts';
import { activeUser, adminToken, api, cognitoClient, newProfile } from '#test/support/offline.ts';

const env = inject('environment');
const [acme] = env.tenants as [(typeof env.tenants)[0]];

// This worker runs the functions itself, against the same emulators, with faults on its own SDK clients.
Object.assign(process.env, env.functionEnvironment, { POWERTOOLS_LOG_LEVEL: 'SILENT' });
const wiring = await import('#adapters/wiring.ts');
const { handler: reconcile } = await import('#jobs/reconcile.ts');
type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const handlerOf = async (file: string): Promise<Handler> =>
  ((await import(`../../lambdas/api/handlers/${file}.ts`)) as { handler: Handler }).handler;

interface Plan {
  at: number;
  mode: 'before' | 'after';
}
const faults: { plan?: Plan; calls: string[] } = { calls: [] };

class InjectedFault extends Error {
  override name = 'InjectedFault';
}
class InjectedTimeout extends Error {
  override name = 'TimeoutError';
}

function injector(service: string) {
  // Above the SDK's retry step: an injected failure is not retried away by the client.
  return (next: (args: unknown) => Promise<unknown>, ctx: { commandName?: string }) =>
    async (args: unknown) => {
      const index = faults.calls.length;
      const call = `${service}.${ctx.commandName}`;
      faults.calls.push(call);
      if (faults.plan?.at === index) {
        if (faults.plan.mode === 'before') throw new InjectedFault(`fault before ${call}`);
        await next(args);
        throw new InjectedTimeout(`timeout after ${call} took effect`);
      }
      return next(args);
    };
}
wiring.cognito.middlewareStack.add(injector('cognito') as never, {
  step: 'initialize',
  name: 'faultInjector',
});
wiring.dynamo.middlewareStack.add(injector('dynamodb') as never, {
  step: 'initialize',
  name: 'faultInjector',
});

let admin: string;
const covered: string[] = [];

interface Operation {
  name: string;
  /** The completed change's history action. */
  action: string;
  handler: string;
  /** Makes a user in the state the operation starts from; answers the request to send. */
  setup(): Promise<{ userId?: string; email: string; request: Parameters<typeof anEvent>[0] }>;
  /** The status the user has once the operation completed (undefined: deleted). */
  expected: string | undefined;
}

const userPath = (userId: string, suffix = '') => ({
  path: `/users/${userId}${suffix}`,
  resource: `/users/{userId}${suffix}`,
  pathParameters: { userId },
});

async function inactiveUser() {
  const profile = newProfile();
  const created = await api(env, 'POST', '/users', { token: admin, body: profile });
  return { userId: created.body.id as string, email: profile.email };
}
async function invitedUser() {
  const profile = newProfile();
  const created = await api(env, 'POST', '/users', { token: admin, body: { ...profile, activate: true } });
  return { userId: created.body.id as string, email: profile.email };
}
async function registeredUser() {
  const user = await activeUser(env, acme, admin);
  return { userId: user.id, email: user.email };
}
async function deactivatedUser() {
  const user = await registeredUser();
  await api(env, 'POST', `/users/${user.userId}/deactivate`, { token: admin });
  return user;
}
const post = (suffix: string) => (u: { userId: string; email: string }) => ({
  ...u,
  request: { method: 'POST', ...userPath(u.userId, suffix) },
});

const OPERATIONS: Operation[] = [
  {
    name: 'create and activate',
    action: 'user.created',
    handler: 'create-user',
    expected: 'invited',
    setup: async () => {
      const profile = newProfile();
      return {
        email: profile.email,
        request: { method: 'POST', path: '/users', body: { ...profile, activate: true } },
      };
    },
  },
  {
    name: 'activate (first login)',
    action: 'user.activated',
    handler: 'activate-user',
    expected: 'invited',
    setup: async () => post('/activate')(await inactiveUser()),
  },
  {
    name: 'activate (enable again)',
    action: 'user.activated',
    handler: 'activate-user',
    expected: 'active',
    setup: async () => post('/activate')(await deactivatedUser()),
  },
  {
    name: 'deactivate',
    action: 'user.deactivated',
    handler: 'deactivate-user',
    expected: 'inactive',
    setup: async () => post('/deactivate')(await registeredUser()),
  },
  {
    name: 'archive',
    action: 'user.archived',
    handler: 'archive-user',
    expected: 'archived',
    setup: async () => post('/archive')(await invitedUser()),
  },
  {
    name: 'reset password (invited)',
    action: 'user.password.reset',
    handler: 'reset-password',
    expected: 'invited',
    setup: async () => post('/reset-password')(await invitedUser()),
  },
  {
    name: 'reset password (active)',
    action: 'user.password.reset',
    handler: 'reset-password',
    expected: 'active',
    setup: async () => post('/reset-password')(await registeredUser()),
  },
  {
    name: 'resend invitation',
    action: 'user.invitation.resent',
    handler: 'resend-invitation',
    expected: 'invited',
    setup: async () => post('/resend-invitation')(await invitedUser()),
  },
  {
    name: 'set password',
    action: 'user.password.set',
    handler: 'set-password',
    expected: 'active',
    setup: async () => {
      const u = await registeredUser();
      const password = 'Fault-Proof-Pw-1';
      return {
        ...u,
        request: {
          method: 'PUT',
          ...userPath(u.userId, '/password'),
          body: { password, confirmPassword: password },
        },
      };
    },
  },
  {
    name: 'delete',
    action: 'user.deleted',
    handler: 'delete-user',
    expected: undefined,
    setup: async () => {
      const u = await registeredUser();
      return { ...u, request: { method: 'DELETE', ...userPath(u.userId), body: { confirmEmail: u.email } } };
    },
  },
];

/** One attempt of the request through the function, with the given fault plan. */
async function attempt(handler: Handler, request: Parameters<typeof anEvent>[0], key: string, plan?: Plan) {
  faults.calls = [];
  faults.plan = plan;
  try {
    return await handler(anEvent({ ...request, token: admin, headers: { 'Idempotency-Key': key } }), context);
  } finally {
    faults.plan = undefined;
  }
}

/** Cognito and the profile agree about the user, and the change is in the history exactly once. */
async function assertConverged(op: Operation, email: string, userId: string) {
  const profile = await api(env, 'GET', `/users/${userId}`, { token: admin });
  const login = await cognitoClient(env)
    .send(new AdminGetUserCommand({ UserPoolId: acme.userPoolId, Username: email }))
    .catch((error: unknown) => {
      if (error instanceof UserNotFoundException) return undefined;
      throw error;
    });
  if (op.expected === undefined) {
    expect(profile.status).toBe(404);
    expect(login, 'no login is left behind a deleted user').toBeUndefined();
  } else {
    expect(profile.body.status).toBe(op.expected);
    const mayEnable = op.expected === 'invited' || op.expected === 'active';
    if (login) {
      expect(login.UserAttributes?.find((a) => a.Name === 'custom:userId')?.Value).toBe(userId);
      expect(login.Enabled, 'the login lets in exactly who the profile lets in').toBe(mayEnable);
    } else {
      expect(mayEnable, 'a user who may sign in has a login').toBe(false);
    }
  }
  const history = await api<{ items: { action: string }[] }>(
    env,
    'GET',
    `/users/${userId}/history?limit=100`,
    {
      token: admin,
    },
  );
  expect(
    history.body.items.filter((e) => e.action === op.action),
    `one ${op.action} entry`,
  ).toHaveLength(1);
}

describe('faults between Cognito and DynamoDB', () => {
  it.each(OPERATIONS)('$name converges after a fault at any call, a retry and the reconciler', async (op) => {
    admin = await adminToken(env, acme);
    const handler = await handlerOf(op.handler);

    // A clean run first, to learn which calls the operation makes.
    const clean = await op.setup();
    const ok = await attempt(handler, clean.request, randomUUID());
    expect(ok.statusCode, ok.body).toBeLessThan(300);
    const calls = [...faults.calls];
    expect(calls.some((c) => c.startsWith('cognito.'))).toBe(true);

    for (let at = 0; at < calls.length; at++) {
      for (const mode of ['before', 'after'] as const) {
        const { userId: given, email, request } = await op.setup();
        const key = randomUUID();
        const failed = await attempt(handler, request, key, { at, mode });
        const retried = await attempt(handler, request, key);
        expect(
          retried.statusCode,
          `${op.name}: retry after a fault ${mode} ${calls[at]}: ${retried.body}`,
        ).toBeLessThan(300);
        const userId = given ?? (JSON.parse(retried.body) as { id: string }).id;
        await reconcile({ graceMs: 0 });
        await assertConverged(op, email, userId);
        covered.push(`${op.name}: ${mode} ${calls[at]} (first attempt ${failed.statusCode})`);
      }
    }
  });

  afterAll(() => {
    console.log(`fault points covered: ${covered.length}\n  ${covered.join('\n  ')}`);
  });
});
