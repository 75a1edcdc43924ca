// Bulk jobs and imports through the API, run by the offline job worker (the deployed worker's code, on its
// schedule): every item settled once, per-row outcomes, cancel, and two tenants' jobs served in turn.
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  allOutcomes,
  importedUsers,
  type JobBody,
  jobEnded,
  peopleCsv,
  seededInvitedUsers,
} from '#test/support/jobs.ts';
import { adminToken, api, cognitoClient } from '#test/support/offline.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];

let admin: string;
let globexAdmin: string;

beforeAll(async () => {
  admin = await adminToken(env, acme);
  globexAdmin = await adminToken(env, globex);
});

const csvImport = (token: string, csv: string, query = '') =>
  api<Record<string, unknown>>(env, 'POST', `/users/import${query}`, {
    token,
    rawBody: csv,
    headers: { 'content-type': 'text/csv' },
  });

describe('a bulk job', () => {
  // The largest test of the suite: 1,000 invited users (seeded by the create-and-activate use case, without the
  // mails), their logins then taken away by one job.
  it('deactivates 1,000 users, with a result for every one', async () => {
    const userIds = await seededInvitedUsers(env, globex.id, 1000);
    expect(new Set(userIds).size).toBe(1000);

    const started = await api<JobBody>(env, 'POST', '/users/bulk', {
      token: globexAdmin,
      body: { action: 'deactivate', userIds },
    });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/jobs/${started.body.id}`);
    expect(started.body).toMatchObject({ action: 'deactivate', total: 1000, left: 1000 });

    const job = await jobEnded(env, globexAdmin, started.body.id, 400_000);
    expect(job).toMatchObject({ state: 'completed', total: 1000, done: 1000, failed: 0, left: 0 });
    expect(Date.parse(job.finishedAt as string)).toBeGreaterThanOrEqual(Date.parse(job.startedAt as string));
    const outcomes = await allOutcomes(env, globexAdmin, job.id);
    expect(outcomes.map((o) => o.item)).toEqual(userIds.map((_, i) => i + 1));
    expect(outcomes.map((o) => o.userId)).toEqual(userIds);
    expect(outcomes.every((o) => o.outcome === 'done')).toBe(true);

    // What the results say happened: profiles inactive, logins disabled in Cognito.
    for (const id of [userIds[0], userIds[499], userIds[999]] as string[]) {
      const user = await api(env, 'GET', `/users/${id}`, { token: globexAdmin });
      expect(user.body.status).toBe('inactive');
      const login = await cognitoClient(env).send(
        new AdminGetUserCommand({ UserPoolId: globex.userPoolId, Username: user.body.email as string }),
      );
      expect(login.Enabled).toBe(false);
    }
    const listed = await api<{ items: JobBody[] }>(env, 'GET', '/jobs?limit=5', { token: globexAdmin });
    expect(listed.body.items[0]?.id).toBe(job.id);
  }, 900_000);

  it('answers up to 100 ids at once, as before, and 10,001 with a 400 naming the limit', async () => {
    const userIds = await importedUsers(env, admin, peopleCsv(3));
    const atOnce = await api(env, 'POST', '/users/bulk', {
      token: admin,
      body: { action: 'archive', userIds },
    });
    expect(atOnce.status).toBe(200);
    expect(atOnce.body.results).toEqual(userIds.map((userId) => ({ userId, outcome: 'done' })));

    const tooMany = Array.from(
      { length: 10_001 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const refused = await api(env, 'POST', '/users/bulk', {
      token: admin,
      body: { action: 'restore', userIds: tooMany },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ field: 'body.userIds', message: expect.stringMatching(/10000/) }]);
  });

  it('acts on every user a search finds', async () => {
    const tag = `Searched${Date.now()}`;
    const csv = [
      'firstName,lastName,email',
      ...[0, 1, 2].map((i) => `Bo,${tag},bo.${tag}.${i}@example.com`),
    ].join('\n');
    const userIds = await importedUsers(env, admin, csv);
    const started = await api<JobBody>(env, 'POST', '/users/bulk', {
      token: admin,
      body: { action: 'archive', search: { q: tag } },
    });
    expect(started.status).toBe(202);
    expect(started.body.total).toBe(3);
    const job = await jobEnded(env, admin, started.body.id);
    expect(job).toMatchObject({ done: 3, failed: 0 });
    expect(new Set((await allOutcomes(env, admin, job.id)).map((o) => o.userId))).toEqual(new Set(userIds));
  });

  it('is cancelled: what had not started never runs, and the outcomes match what was done', async () => {
    const userIds = await importedUsers(env, admin, peopleCsv(200));
    const started = await api<JobBody>(env, 'POST', '/users/bulk', {
      token: admin,
      body: { action: 'archive', userIds },
    });
    const cancelled = await api<JobBody>(env, 'DELETE', `/jobs/${started.body.id}`, { token: admin });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');

    // Items already under way finish: wait until the counts stop moving.
    let job = await jobEnded(env, admin, started.body.id);
    for (let before = -1; before !== job.done + job.failed; ) {
      before = job.done + job.failed;
      await new Promise((r) => setTimeout(r, 1500));
      job = (await api<JobBody>(env, 'GET', `/jobs/${job.id}`, { token: admin })).body;
    }
    expect(job.state).toBe('cancelled');
    expect(job.left).toBeGreaterThan(0);
    const outcomes = await allOutcomes(env, admin, job.id);
    expect(outcomes).toHaveLength(job.done + job.failed);
    const archived = new Set(outcomes.filter((o) => o.outcome === 'done').map((o) => o.userId));
    const listed = await Promise.all(
      userIds.map(async (id) => (await api(env, 'GET', `/users/${id}`, { token: admin })).body.status),
    );
    userIds.forEach((id, i) => {
      expect(listed[i]).toBe(archived.has(id) ? 'archived' : 'inactive');
    });

    const again = await api(env, 'DELETE', `/jobs/${job.id}`, { token: admin });
    expect(again.status).toBe(409);
  }, 120_000);

  it("is another tenant's as absent as a job that does not exist", async () => {
    const [userId] = await importedUsers(env, admin, peopleCsv(1));
    const started = await api<JobBody>(env, 'POST', '/users/bulk', {
      token: admin,
      body: { action: 'archive', search: { q: 'nobody-matches-this-search-at-all' } },
    });
    expect(started.status).toBe(400);
    const job = await api<JobBody>(env, 'POST', '/users/import', {
      token: admin,
      rawBody: peopleCsv(1),
      headers: { 'content-type': 'text/csv' },
    });
    for (const [method, path] of [
      ['GET', `/jobs/${job.body.id}`],
      ['GET', `/jobs/${job.body.id}/results`],
      ['DELETE', `/jobs/${job.body.id}`],
    ] as const) {
      const answer = await api(env, method, path, { token: globexAdmin });
      expect(answer.status, `${method} ${path}`).toBe(404);
    }
    const theirs = await api<{ items: JobBody[] }>(env, 'GET', '/jobs?limit=100', { token: globexAdmin });
    expect(theirs.body.items.map((j) => j.id)).not.toContain(job.body.id);
    expect(userId).toBeDefined();
  });
});

describe('an import', () => {
  const mixed = [
    '\uFEFFfirstName,lastName,email,teams,mayCreateTickets,city',
    'Grace,Hopper,grace.{tag}@example.com,north;south,yes,"Arlington, VA"',
    'Alan,Turing,not-an-email,,,',
    '"Katherine ""Kay""",Johnson,kay.{tag}@example.com,,no,',
    ',Nameless,nameless.{tag}@example.com,,,',
    'Dup,Licate,grace.{tag}@example.com,,,',
    'Too,Few,fields',
  ].join('\r\n');

  it('reports each row of a mixed CSV in a dry run, creating nothing, then creates each valid row', async () => {
    const tag = Date.now().toString(36);
    const csv = mixed.replaceAll('{tag}', tag);
    const dry = await csvImport(admin, csv, '?dryRun=true');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ rows: 6, valid: 2, invalid: 4 });
    expect(dry.body.results).toEqual([
      { row: 1, outcome: 'valid' },
      { row: 2, outcome: 'invalid', errors: [{ field: 'row.email', message: expect.any(String) }] },
      { row: 3, outcome: 'valid' },
      { row: 4, outcome: 'invalid', errors: [{ field: 'row.firstName', message: expect.any(String) }] },
      { row: 5, outcome: 'invalid', errors: [{ field: 'row.email', message: 'is the email of row 1 too' }] },
      { row: 6, outcome: 'invalid', errors: [{ field: 'row', message: 'has 3 fields; the header names 6' }] },
    ]);
    const found = await api<{ items: unknown[] }>(env, 'GET', `/users?q=grace.${tag}`, { token: admin });
    expect(found.body.items).toEqual([]);

    const started = await csvImport(admin, csv);
    expect(started.status).toBe(202);
    const job = await jobEnded(env, admin, started.body.id as string);
    expect(job).toMatchObject({ state: 'completed', total: 6, done: 2, failed: 4 });
    const outcomes = await allOutcomes(env, admin, job.id);
    expect(outcomes.map((o) => [o.item, o.outcome, o.problem?.status])).toEqual([
      [1, 'done', undefined],
      [2, 'failed', 400],
      [3, 'done', undefined],
      [4, 'failed', 400],
      // The email of row 1: refused as the dry run said, whichever row the worker reaches first.
      [5, 'failed', 400],
      [6, 'failed', 400],
    ]);
    expect(outcomes[1]?.problem?.errors).toEqual([{ field: 'row.email', message: expect.any(String) }]);
    expect(outcomes[4]?.problem?.errors).toEqual([
      { field: 'row.email', message: 'is the email of row 1 too' },
    ]);
    const grace = await api(env, 'GET', `/users/${outcomes[0]?.userId}`, { token: admin });
    expect(grace.body).toMatchObject({
      firstName: 'Grace',
      email: `grace.${tag}@example.com`,
      teams: ['north', 'south'],
      mayCreateTickets: true,
      address: { city: 'Arlington, VA' },
      status: 'inactive',
    });
    const kay = await api(env, 'GET', `/users/${outcomes[2]?.userId}`, { token: admin });
    expect(kay.body.firstName).toBe('Katherine "Kay"');
  });

  it('takes JSON Lines, activating each user when asked', async () => {
    const tag = Date.now().toString(36);
    const lines = [
      JSON.stringify({ firstName: 'Lin', lastName: 'One', email: `lin.${tag}@example.com` }),
      JSON.stringify({ firstName: 'Lin', lastName: 'Two', email: `lin2.${tag}@example.com`, shoeSize: 42 }),
    ].join('\n');
    const started = await api<JobBody>(env, 'POST', '/users/import?activate=true', {
      token: admin,
      rawBody: lines,
      headers: { 'content-type': 'application/jsonl' },
    });
    expect(started.status).toBe(202);
    const job = await jobEnded(env, admin, started.body.id);
    expect(job).toMatchObject({ done: 1, failed: 1 });
    const [one, two] = await allOutcomes(env, admin, job.id);
    expect((await api(env, 'GET', `/users/${one?.userId}`, { token: admin })).body.status).toBe('invited');
    expect(two?.problem?.errors).toEqual([{ field: 'row.shoeSize', message: 'is not a known field' }]);
  });

  it('refuses a file that is not CSV, has unknown columns, is too big or too long, naming what is wrong', async () => {
    const unknown = await csvImport(admin, 'firstName,lastName,email,shoeSize,\nA,B,a@example.com,42,\n');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { field: 'body.columns.shoeSize', message: expect.stringMatching(/^is not a profile field/) },
      { field: 'body.columns.(empty)', message: expect.stringMatching(/^is not a profile field/) },
    ]);
    const open = await csvImport(admin, 'firstName,lastName,email\n"Ada,Lovelace,ada@example.com\n');
    expect(open.status).toBe(400);
    expect(open.body.errors).toEqual([
      { field: 'body', message: 'is not CSV: a quoted field is never closed' },
    ]);
    const json = await api(env, 'POST', '/users/import', { token: admin, body: { firstName: 'A' } });
    expect(json.status).toBe(400);
    expect(json.body.errors).toEqual([
      { field: 'body', message: 'must be sent as text/csv or application/jsonl or application/x-ndjson' },
    ]);
    const long = await csvImport(admin, peopleCsv(10_001), '?dryRun=true');
    expect(long.status).toBe(400);
    expect(long.body.errors).toEqual([
      { field: 'body', message: 'has 10001 rows; at most 10000 may be imported at once' },
    ]);
    const big = await csvImport(
      admin,
      `firstName,lastName,email,comments\n${'A,B,c@example.com,'.concat('x'.repeat(1999), '\n').repeat(2700)}`,
    );
    expect(big.status).toBe(400);
    expect(big.body.errors).toEqual([{ field: 'body', message: 'must be at most 5 MB' }]);
  });
});

describe('two tenants', () => {
  it("have their jobs served in turn: one tenant's job does not wait for another's", async () => {
    const [first, second] = await Promise.all([
      csvImport(admin, peopleCsv(200)),
      csvImport(globexAdmin, peopleCsv(200)),
    ]);
    const [a, b] = await Promise.all([
      jobEnded(env, admin, first?.body.id as string, 170_000),
      jobEnded(env, globexAdmin, second?.body.id as string, 170_000),
    ]);
    expect(a.done + b.done).toBe(400);
    // Each created user's history says when: the two jobs' items interleave in time.
    const times = async (token: string, jobId: string) => {
      const outcomes = await allOutcomes(env, token, jobId);
      const users = await Promise.all(
        outcomes.map(
          async (o) => (await api(env, 'GET', `/users/${o.userId}`, { token })).body.createdAt as string,
        ),
      );
      return users.map(Date.parse).sort((x, y) => x - y);
    };
    const [acmeTimes, globexTimes] = await Promise.all([times(admin, a.id), times(globexAdmin, b.id)]);
    const acmeLast = acmeTimes.at(-1) as number;
    const globexLast = globexTimes.at(-1) as number;
    // Much of each job ran while the other did: neither waited for the other to finish (one after the other,
    // one of these counts would be 0).
    const globexBeforeAcmeEnded = globexTimes.filter((t) => t < acmeLast).length;
    const acmeBeforeGlobexEnded = acmeTimes.filter((t) => t < globexLast).length;
    expect(Math.min(globexBeforeAcmeEnded, acmeBeforeGlobexEnded)).toBeGreaterThan(50);
  }, 180_000);
});
