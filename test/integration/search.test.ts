import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { activeUser, adminToken, api, newProfile } from '#test/support/offline.ts';

const env = inject('environment');
const [acme, globex] = env.tenants as [(typeof env.tenants)[0], (typeof env.tenants)[0]];
let admin: string;
// A word only this file's users have, so other files' users never match.
const tag = `zq${randomUUID().slice(0, 6)}`;
const ids: Record<string, string> = {};

type Page = { items: { id: string; lastName: string; firstName: string }[]; next?: string };
const search = (query: string, token = admin) => api<Page>(env, 'GET', `/users?${query}`, { token });
const found = async (query: string, token = admin) => {
  const response = await search(query, token);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.items.map((u) => u.id);
};

beforeAll(async () => {
  admin = await adminToken(env, acme);
  const people: Record<string, Record<string, unknown>> = {
    jo: { firstName: 'Jo', lastName: 'Berg', teams: ['north'] },
    john: { firstName: 'John', lastName: 'Smith', mobilePhone: '+47 912 34 567', teams: ['south'] },
    jones: {
      firstName: 'Anna',
      lastName: 'Karlsson',
      email: `jones.${tag}@example.com`,
      licenceType: 'engineer',
    },
    jonkoping: { firstName: 'Erik', lastName: 'Ek', address: { city: 'Jönköping', postalCode: '55318' } },
    other: { firstName: 'Mary', lastName: 'Berg', userType: 'external', clientOrganisation: 'contoso' },
  };
  for (const [name, fields] of Object.entries(people)) {
    const created = await api(env, 'POST', '/users', {
      token: admin,
      body: newProfile({ company: `${tag} AS`, ...fields }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ids[name] = created.body.id as string;
  }
});

describe('search', () => {
  it('matches the start of any word, case- and accent-insensitively', async () => {
    expect(new Set(await found(`q=${tag}%20jo`))).toEqual(
      new Set([ids.jo, ids.john, ids.jones, ids.jonkoping]),
    );
    expect(await found(`q=${tag}%20J%C3%96NK`)).toEqual([ids.jonkoping]);
    expect(await found(`q=${tag}%20553`)).toEqual([ids.jonkoping]);
    expect(await found(`q=${tag}%20912`)).toEqual([ids.john]);
    expect(await found(`q=${tag}%20ohn`)).toEqual([]); // the start of a word, not the middle
  });

  it('needs every word to match, and sorts by last name then first name', async () => {
    const bergs = await search(`q=${tag}%20berg`);
    expect(bergs.body.items.map((u) => `${u.lastName} ${u.firstName}`)).toEqual(['Berg Jo', 'Berg Mary']);
    expect(await found(`q=${tag}%20berg%20ma`)).toEqual([ids.other]);
  });

  it('combines keywords with filters', async () => {
    expect(await found(`q=${tag}&team=north`)).toEqual([ids.jo]);
    expect(await found(`q=${tag}&licence=engineer`)).toEqual([ids.jones]);
    expect(await found(`q=${tag}&type=external&client=contoso`)).toEqual([ids.other]);
    expect(await found(`q=${tag}%20jo&status=inactive&team=south`)).toEqual([ids.john]);
  });

  it('lists the archived only under status=archived', async () => {
    await api(env, 'POST', `/users/${ids.other}/archive`, { token: admin });
    expect(await found(`q=${tag}%20berg`)).toEqual([ids.jo]);
    expect(await found(`q=${tag}&status=archived`)).toEqual([ids.other]);
    await api(env, 'POST', `/users/${ids.other}/restore`, { token: admin });
    expect(await found(`q=${tag}%20berg`)).toEqual([ids.jo, ids.other]);
  });

  it('follows a profile change at once: the index moves in the same transaction', async () => {
    const me = await api(env, 'GET', `/users/${ids.jo}`, { token: admin });
    await api(env, 'PATCH', `/users/${ids.jo}`, {
      token: admin,
      body: { lastName: 'Dahl' },
      headers: { 'if-match': `"${me.body.version}"` },
    });
    expect(await found(`q=${tag}%20dahl`)).toEqual([ids.jo]);
    expect(await found(`q=${tag}%20berg`)).toEqual([ids.other]);
  });
});

describe('pages', () => {
  it('pages to the end with no duplicate and no gap while users are added', async () => {
    const pageTag = `zp${randomUUID().slice(0, 6)}`;
    const add = (lastName: string) =>
      api(env, 'POST', '/users', { token: admin, body: newProfile({ lastName, company: pageTag }) });
    for (const name of ['Aa', 'Cc', 'Ee', 'Gg', 'Ii', 'Kk']) await add(name);
    const seen: string[] = [];
    let cursor: string | undefined;
    let added = false;
    do {
      const page = await search(`q=${pageTag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((u) => u.lastName));
      cursor = page.body.next;
      if (!added) {
        // One sorts before the cursor (it stays behind), one after (this walk must meet it).
        await add('Bb');
        await add('Zz');
        added = true;
      }
    } while (cursor);
    expect(seen).toEqual(['Aa', 'Cc', 'Ee', 'Gg', 'Ii', 'Kk', 'Zz']);
  });

  it('refuses a cursor of another query or another tenant', async () => {
    const first = await search(`q=${tag}&limit=1`);
    const cursor = first.body.next as string;
    expect((await search(`q=${tag}%20berg&limit=1&cursor=${cursor}`)).status).toBe(400);
    const elsewhere = await search(`q=${tag}&limit=1&cursor=${cursor}`, await adminToken(env, globex));
    expect(elsewhere.status).toBe(400);
  });
});

describe('scope', () => {
  it('lets a team administrator find only users of their teams', async () => {
    const teamAdmin = await activeUser(env, acme, admin, {
      teams: ['north'],
      roles: [{ role: 'team-administrator', teams: ['north'] }],
    });
    expect(await found(`q=${tag}`, teamAdmin.idToken)).toEqual([ids.jo]);
    expect(await found(`q=${tag}%20john`, teamAdmin.idToken)).toEqual([]);
  });
});
