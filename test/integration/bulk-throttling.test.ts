// A 100-user bulk action against a Cognito that throttles above a set rate: every user done, none failed, and
// the rate held. The function runs in this worker (as in faults.test.ts), with the stand-in quota on its client.
import {
  ListUsersCommand,
  TooManyRequestsException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { anEvent, context } from '#test/support/events.ts';
import { adminToken, api, cognitoClient, newProfile } from '#test/support/offline.ts';

const env = inject('environment');
const [acme] = env.tenants as [(typeof env.tenants)[0]];

Object.assign(process.env, env.functionEnvironment, { POWERTOOLS_LOG_LEVEL: 'SILENT' });
const wiring = await import('#adapters/wiring.ts');
type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const { handler: bulk } = (await import('#api/handlers/bulk-users.ts')) as { handler: Handler };

/** The account's quota, as Cognito enforces it: at most this many calls in any one-second window. */
const QUOTA_PER_SECOND = 15;
const USERS = 100;
/** Every this-many-th attempt is throttled too. */
const THROTTLE_EVERY = 20;

const accepted: number[] = [];
const throttled: number[] = [];
/** What became of each accepted AdminCreateUser, by the email it names: the truth is in the pool, not in counts. */
const creations = new Map<string, ('created' | 'exists' | 'lost')[]>();
// Closest to the wire, after the pacing: it sees every attempt the client makes, retries included.
wiring.cognito.middlewareStack.addRelativeTo(
  ((
    next: (args: { input: { Username?: string } }) => Promise<unknown>,
    { commandName }: { commandName: string },
  ) =>
    async (args: { input: { Username?: string } }) => {
      const now = performance.now();
      // Besides the rate, a few attempts are throttled whatever the machine's speed (a slow one may never reach
      // the rate), so retries are always exercised.
      const attempt = accepted.length + throttled.length;
      if (
        accepted.filter((t) => t > now - 1000).length >= QUOTA_PER_SECOND ||
        attempt % THROTTLE_EVERY === THROTTLE_EVERY - 1
      ) {
        throttled.push(now);
        throw new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
      }
      accepted.push(now);
      if (commandName !== 'AdminCreateUserCommand') return next(args);
      const outcomes = creations.get(args.input.Username ?? '') ?? [];
      creations.set(args.input.Username ?? '', outcomes);
      try {
        const output = await next(args);
        outcomes.push('created');
        return output;
      } catch (error) {
        // An attempt whose answer was lost (a dropped socket on a loaded machine) may still have taken effect: the
        // SDK retries it, and the retry finds the login it made.
        outcomes.push(error instanceof UsernameExistsException ? 'exists' : 'lost');
        throw error;
      }
    }) as never,
  { name: 'accountQuota', relation: 'after', toMiddleware: 'rateLimit' },
);

/** The most of `times` that fall in any one-second window. */
const busiestSecond = (times: number[]) =>
  Math.max(0, ...times.map((start) => times.filter((t) => t >= start && t < start + 1000).length));

let admin: string;
const userIds: string[] = [];
const emails: string[] = [];

beforeAll(async () => {
  admin = await adminToken(env, acme);
  // Inactive users without a login: activating each is one AdminCreateUser.
  for (let batch = 0; batch < USERS / 10; batch++) {
    const created = await Promise.all(
      Array.from({ length: 10 }, () => api(env, 'POST', '/users', { token: admin, body: newProfile() })),
    );
    userIds.push(...created.map((c) => c.body.id as string));
    emails.push(...created.map((c) => c.body.email as string));
  }
}, 30_000);

describe('a bulk action under Cognito’s quota', () => {
  it('activates 100 users with none failed, never exceeding the quota, throttled calls retried', async () => {
    const started = performance.now();
    const result = await bulk(
      anEvent({ method: 'POST', path: '/users/bulk', token: admin, body: { action: 'activate', userIds } }),
      context,
    );
    const seconds = (performance.now() - started) / 1000;

    expect(result.statusCode).toBe(200);
    const { results } = JSON.parse(result.body) as { results: { userId: string; outcome: string }[] };
    expect(results.map((r) => r.userId)).toEqual(userIds);
    expect(results.filter((r) => r.outcome !== 'done')).toEqual([]);
    // One AdminCreateUser took effect per user: a throttled attempt took none and was retried; one whose answer
    // was lost leaves its retry to find the login it made. Any other outcome is a second creation, or none.
    for (const email of emails) {
      expect(
        creations.get(email)?.filter((o) => o !== 'lost'),
        email,
      ).toSatisfy(
        (outcomes: string[]) =>
          outcomes.length === 1 && (outcomes[0] === 'created' || outcomes[0] === 'exists'),
      );
    }
    // And Cognito holds one login per user, invited (its temporary password unchanged).
    const cognito = cognitoClient(env);
    const logins = await Promise.all(
      emails.map(async (email) => {
        const { Users = [] } = await cognito.send(
          new ListUsersCommand({ UserPoolId: acme.userPoolId, Filter: `email = "${email}"` }),
        );
        return Users.map((u) => u.UserStatus);
      }),
    );
    expect(new Set(logins.map((statuses) => statuses.join()))).toEqual(new Set(['FORCE_CHANGE_PASSWORD']));
    expect(busiestSecond(accepted)).toBeLessThanOrEqual(QUOTA_PER_SECOND);
    // Throttled attempts (the fixed ones, and on a fast machine the burst after a quiet spell running into the
    // quota): the backoff absorbed them.
    expect(throttled.length).toBeGreaterThanOrEqual(USERS / THROTTLE_EVERY);
    // Every attempt, throttled ones included, went through the instance's pace: its burst plus its rate in
    // any second, and on average no more than the quota.
    const attempts = [...accepted, ...throttled];
    expect(busiestSecond(attempts)).toBeLessThanOrEqual(
      wiring.COGNITO_PACE.burst + wiring.COGNITO_PACE.ratePerSecond,
    );
    expect(attempts.length / seconds).toBeLessThanOrEqual(QUOTA_PER_SECOND);

    const statuses = await Promise.all(
      userIds.map(async (id) => (await api(env, 'GET', `/users/${id}`, { token: admin })).body.status),
    );
    expect(new Set(statuses)).toEqual(new Set(['invited']));
  }, 30_000);
});
