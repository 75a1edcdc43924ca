// Bulk actions and email through HTTP, as an admin console would: a result per user, mail in the mailbox.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { activeUser, adminToken, api, mailsTo, newProfile } from '#test/support/offline.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];

interface BulkAnswer {
  results: {
    userId: string;
    outcome: 'done' | 'failed';
    problem?: { type: string; title: string; status: number; detail?: string };
  }[];
}
interface HistoryPage {
  items: {
    action: string;
    requestId: string;
    changes: Record<string, { before?: unknown; after?: unknown }>;
  }[];
}

let admin: string;
let globexAdmin: string;

beforeAll(async () => {
  admin = await adminToken(env, acme);
  globexAdmin = await adminToken(env, globex);
});

async function addUser(token: string, overrides: Record<string, unknown> = {}, activate = false) {
  const profile = newProfile(overrides);
  const created = await api(env, 'POST', '/users', { token, body: { ...profile, activate } });
  expect(created.status).toBe(201);
  return { id: created.body.id as string, email: profile.email };
}

const statusOf = async (id: string, token = admin) =>
  (await api(env, 'GET', `/users/${id}`, { token })).body.status as string;

describe('POST /users/bulk', () => {
  it('deactivates its own users and fails, each alone, a foreign tenant’s, an unknown and an out-of-scope id', async () => {
    const teamAdmin = await activeUser(env, acme, admin, {
      teams: ['north'],
      roles: [{ role: 'team-administrator', teams: ['north'] }],
    });
    const signedIn = await activeUser(env, acme, admin, { teams: ['north'] });
    const invited = await addUser(admin, { teams: ['north'] }, true);
    const south = await addUser(admin, { teams: ['south'] }, true);
    const foreign = await addUser(globexAdmin, {}, true);
    const unknown = randomUUID();
    const ids = [signedIn.id, foreign.id, invited.id, south.id, unknown];

    const answer = await api<BulkAnswer>(env, 'POST', '/users/bulk', {
      token: teamAdmin.idToken,
      body: { action: 'deactivate', userIds: ids },
    });

    expect(answer.status).toBe(200);
    expect(answer.body.results.map((r) => [r.userId, r.outcome, r.problem?.status])).toEqual([
      [signedIn.id, 'done', undefined],
      [foreign.id, 'failed', 404],
      [invited.id, 'done', undefined],
      [south.id, 'failed', 404],
      [unknown, 'failed', 404],
    ]);
    // Outside the caller's scope reads exactly like absent (DESIGN rule 3).
    const [, foreignProblem, , southProblem, unknownProblem] = answer.body.results.map((r) => r.problem);
    expect(southProblem).toEqual(unknownProblem);
    expect(foreignProblem).toEqual(unknownProblem);
    expect(unknownProblem).toMatchObject({
      type: 'https://gatehouse.dev/problems/user-not-found',
      detail: 'No such user.',
    });
    expect(await statusOf(signedIn.id)).toBe('inactive');
    expect(await statusOf(invited.id)).toBe('inactive');
    expect(await statusOf(south.id)).toBe('invited');
    expect(await statusOf(foreign.id, globexAdmin)).toBe('invited');
  });

  it('keeps going past a user the action does not fit, naming that user’s status', async () => {
    const inactive = await addUser(admin);
    const invited = await addUser(admin, {}, true);
    const answer = await api<BulkAnswer>(env, 'POST', '/users/bulk', {
      token: admin,
      body: { action: 'archive', userIds: [inactive.id, invited.id] },
    });
    expect(answer.body.results.map((r) => r.outcome)).toEqual(['done', 'done']);

    const again = await api<BulkAnswer>(env, 'POST', '/users/bulk', {
      token: admin,
      body: { action: 'activate', userIds: [inactive.id, randomUUID()] },
    });
    expect(again.body.results[0]?.problem).toMatchObject({
      status: 409,
      detail: expect.stringMatching(/archived/),
    });
    expect(again.body.results[1]?.problem?.status).toBe(404);
  });

  it('emails each user from the tenant’s sender and records subject and message id in their history', async () => {
    const first = await addUser(admin);
    const second = await addUser(admin, {}, true);
    const archived = await addUser(admin);
    await api(env, 'POST', `/users/${archived.id}/archive`, { token: admin });
    const subject = `Bulk notice ${randomUUID().slice(0, 8)}`;

    const answer = await api<BulkAnswer>(env, 'POST', '/users/bulk', {
      token: admin,
      body: {
        action: 'email',
        userIds: [first.id, archived.id, second.id],
        message: {
          subject,
          text: 'The office is closed on Friday.',
          html: '<p>The office is closed on Friday.</p>',
        },
      },
    });

    expect(answer.status).toBe(200);
    expect(answer.body.results.map((r) => r.outcome)).toEqual(['done', 'failed', 'done']);
    expect(answer.body.results[1]?.problem).toMatchObject({
      status: 409,
      detail: expect.stringMatching(/archived/),
    });
    for (const user of [first, second]) {
      const mails = (await mailsTo(env, user.email)).filter((m) => m.subject === subject);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.from).toContain('no-reply@acme.example.com');
      expect(mails[0]?.body.text).toBe('The office is closed on Friday.');
      expect(mails[0]?.body.html).toBe('<p>The office is closed on Friday.</p>');
      const history = await api<HistoryPage>(env, 'GET', `/users/${user.id}/history`, { token: admin });
      const entry = history.body.items.find((e) => e.action === 'user.emailed');
      expect(entry?.changes).toEqual({
        subject: { after: subject },
        messageId: { after: mails[0]?.messageId },
      });
    }
    expect((await mailsTo(env, archived.email)).filter((m) => m.subject === subject)).toEqual([]);
  });

  it('answers a retry under the same Idempotency-Key with the first results, acting once', async () => {
    const user = await addUser(admin);
    const key = randomUUID();
    const request = {
      token: admin,
      headers: { 'idempotency-key': key },
      body: { action: 'archive', userIds: [user.id] },
    };
    const first = await api<BulkAnswer>(env, 'POST', '/users/bulk', request);
    const retry = await api<BulkAnswer>(env, 'POST', '/users/bulk', request);
    expect(first.body.results[0]?.outcome).toBe('done');
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const history = await api<HistoryPage>(env, 'GET', `/users/${user.id}/history`, { token: admin });
    expect(history.body.items.filter((e) => e.action === 'user.archived')).toHaveLength(1);
  });

  it('refuses the email action without a message, and a message with any other action, naming it', async () => {
    const id = randomUUID();
    const missing = await api(env, 'POST', '/users/bulk', {
      token: admin,
      body: { action: 'email', userIds: [id] },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { field: 'body.message', message: 'is required for the email action' },
    ]);
    const stray = await api(env, 'POST', '/users/bulk', {
      token: admin,
      body: { action: 'restore', userIds: [id], message: { subject: 'Hi', text: 'Hello' } },
    });
    expect(stray.status).toBe(400);
    expect(stray.body.errors).toEqual([{ field: 'body.message', message: 'is only for the email action' }]);
  });

  // More than 100 ids become a job (202), up to 10,000: jobs.test.ts.
  it('refuses an id given twice', async () => {
    const id = randomUUID();
    const twice = await api(env, 'POST', '/users/bulk', {
      token: admin,
      body: { action: 'restore', userIds: [id, id] },
    });
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([{ field: 'body.userIds', message: 'must not name a user twice' }]);
  });

  it('refuses reset-password and email to a caller without their own permission', async () => {
    // A role with users.lifecycle only: bulk is open to them, but not every action.
    const role = await api(env, 'POST', '/roles', {
      token: admin,
      body: {
        name: `Lifecycle only ${randomUUID().slice(0, 8)}`,
        permissions: ['users.lifecycle'],
        scope: 'tenant',
      },
    });
    const caller = await activeUser(env, acme, admin, { roles: [{ role: role.body.id }] });
    const ids = [randomUUID()];
    for (const [action, permission] of [
      ['reset-password', 'users.password.reset'],
      ['email', 'users.email'],
    ] as const) {
      const answer = await api(env, 'POST', '/users/bulk', {
        token: caller.idToken,
        body: {
          action,
          userIds: ids,
          ...(action === 'email' ? { message: { subject: 'Hi', text: 'Hello' } } : {}),
        },
      });
      expect(answer.status).toBe(403);
      expect(answer.body.detail).toContain(permission);
    }
    const allowed = await api<BulkAnswer>(env, 'POST', '/users/bulk', {
      token: caller.idToken,
      body: { action: 'restore', userIds: ids },
    });
    expect(allowed.body.results[0]?.problem?.status).toBe(404);
  });
});

describe('POST /users/{userId}/email', () => {
  it('sends the message and records the send, not the body, in the user’s history', async () => {
    const user = await addUser(admin);
    const subject = `Hello ${randomUUID().slice(0, 8)}`;
    const sent = await api(env, 'POST', `/users/${user.id}/email`, {
      token: admin,
      body: { subject, text: 'Your badge is ready at reception.' },
    });
    expect(sent.status).toBe(202);
    const [mail] = (await mailsTo(env, user.email)).filter((m) => m.subject === subject);
    expect(sent.body).toEqual({ userId: user.id, messageId: mail?.messageId });
    expect(mail?.body.text).toBe('Your badge is ready at reception.');
    const history = await api<HistoryPage>(env, 'GET', `/users/${user.id}/history`, { token: admin });
    expect(history.body.items[0]).toMatchObject({
      action: 'user.emailed',
      changes: { subject: { after: subject }, messageId: { after: mail?.messageId } },
    });
    expect(JSON.stringify(history.body)).not.toContain('badge');
  });

  it('refuses an archived user with 409 naming the status, and sends nothing', async () => {
    const user = await addUser(admin);
    await api(env, 'POST', `/users/${user.id}/archive`, { token: admin });
    const answer = await api(env, 'POST', `/users/${user.id}/email`, {
      token: admin,
      body: { subject: 'Hi', text: 'Hello' },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.detail).toMatch(/archived/);
    expect(await mailsTo(env, user.email)).toEqual([]);
  });

  it('answers 404 for another tenant’s user', async () => {
    const foreign = await addUser(globexAdmin);
    const answer = await api(env, 'POST', `/users/${foreign.id}/email`, {
      token: admin,
      body: { subject: 'Hi', text: 'Hello' },
    });
    expect(answer.status).toBe(404);
    expect(await mailsTo(env, foreign.email)).toEqual([]);
  });
});
