// What text is stored: valid UTF-8, no controls or bidirectional overrides, visible names in any script, NFC.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { adminToken, api, newProfile } from '#test/support/offline.ts';
import { countItems } from '#test/support/tables.ts';

const env = inject('environment');
const [acme] = env.tenants as [(typeof env.tenants)[0]];

type ProblemBody = { status: number; errors: { field: string; message: string }[] };

let admin: string;
beforeAll(async () => {
  admin = await adminToken(env, acme);
});

/** Sends raw bytes as the body, as a client with a broken encoder would. */
async function postBytes(path: string, bytes: Buffer) {
  const response = await fetch(env.apiUrl + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: bytes,
  });
  return { status: response.status, body: (await response.json()) as ProblemBody };
}

async function refusedWith(path: string, body: unknown, field: string) {
  const before = await countItems(env);
  const response = await api<ProblemBody>(env, 'POST', path, { token: admin, body });
  expect(response.status).toBe(400);
  expect(response.body.errors.map((e) => e.field)).toContain(field);
  expect(await countItems(env)).toEqual(before);
}

describe('text hygiene', () => {
  it('refuses a body that is not valid UTF-8, naming the body and storing nothing', async () => {
    const before = await countItems(env);
    const { email, lastName } = newProfile();
    const bytes = Buffer.concat([
      Buffer.from('{"firstName":"'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from(`","lastName":"${lastName}","email":"${email}"}`),
    ]);
    const response = await postBytes('/users', bytes);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'body', message: 'is not valid UTF-8' }]);
    const lone = await api<ProblemBody>(env, 'POST', '/users', {
      token: admin,
      rawBody: `{"firstName":"\\ud800","lastName":"${lastName}","email":"${email}"}`,
    });
    expect(lone.status).toBe(400);
    expect(lone.body.errors.map((e) => e.field)).toEqual(['body']);
    expect(await countItems(env)).toEqual(before);
  });

  it.each([
    ['a control character', 'firstName', 'Ada\u0002'],
    ['only a zero-width non-joiner', 'firstName', '\u200C'],
    ['a right-to-left override', 'lastName', 'Love\u202Elace'],
    ['a C1 control', 'title', 'Engineer\u0085'],
    ['only invisible characters', 'title', '\u200B\u2060'],
    ['a line break in a single-line field', 'company', 'Analytical\nEngines'],
    ['a name of punctuation only', 'middleName', '-.-'],
  ])('refuses %s in %s', async (_, field, value) => {
    await refusedWith('/users', { ...newProfile(), [field]: value }, `body.${field}`);
  });

  it('refuses controls other than line breaks and tabs in multi-line text', async () => {
    await refusedWith('/users', { ...newProfile(), comments: 'Line one\n\tLine two\u0007' }, 'body.comments');
  });

  it('stores names of any script NFC-normalised, and multi-line comments as typed', async () => {
    const profile = newProfile({
      firstName: 'Zoe\u0301', // "Zoé" with a combining accent: stored as the single character
      middleName: '\u05D3\u05E0\u200F', // Hebrew with a right-to-left mark
      title: '技術者',
      comments: 'Line one\r\n\tLine two',
    });
    const created = await api<Record<string, unknown>>(env, 'POST', '/users', {
      token: admin,
      body: profile,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      firstName: 'Zoé',
      middleName: '\u05D3\u05E0\u200F',
      title: '技術者',
      comments: 'Line one\r\n\tLine two',
    });
    expect(created.body.firstName).toBe('Zo\u00E9');
  });
});

describe('role names', () => {
  it.each(['日本', 'Менеджер', 'X', 'Équipe'])('takes %s as a role name', async (name) => {
    const unique = `${name} ${randomUUID().slice(0, 4)}`;
    const created = await api<{ id: string; name: string }>(env, 'POST', '/roles', {
      token: admin,
      body: { name: unique, permissions: ['workorders.read'], scope: 'tenant' },
    });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe(unique);
    expect(created.body.id).toMatch(/^[a-z][a-z0-9-]{1,62}$/);
  });

  it.each([
    '\u200C\u200C',
    '--',
    'Admin\u202E',
  ])('refuses %j with 400 naming body.name, never 409', async (name) => {
    await refusedWith('/roles', { name, permissions: ['workorders.read'], scope: 'tenant' }, 'body.name');
  });
});
