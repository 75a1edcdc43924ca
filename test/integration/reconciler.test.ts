// The reconciler against drift made behind Gatehouse's back, in the emulators themselves.
import { randomUUID } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  AdminUpdateUserAttributesCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { activeUser, adminToken, api, cognitoClient, newProfile } from '#test/support/offline.ts';

const env = inject('environment');
const [acme] = env.tenants as [(typeof env.tenants)[0]];

// The scheduled function itself, run here with the environment the offline backend gives its functions.
Object.assign(process.env, env.functionEnvironment, { POWERTOOLS_LOG_LEVEL: 'SILENT' });
const { handler: reconcile } = await import('#jobs/reconcile.ts');

const cognito = cognitoClient(env);
const pool = { UserPoolId: acme.userPoolId };
let admin: string;

beforeAll(async () => {
  admin = await adminToken(env, acme);
});

async function loginOf(username: string) {
  try {
    return await cognito.send(new AdminGetUserCommand({ ...pool, Username: username }));
  } catch (error) {
    if (error instanceof UserNotFoundException) return undefined;
    throw error;
  }
}

/** A login made behind Gatehouse's back, carrying the id of a profile that does not exist. */
async function orphanLogin(name: string): Promise<string> {
  const email = `${name}.${randomUUID().slice(0, 8)}@example.com`;
  await cognito.send(
    new AdminCreateUserCommand({
      ...pool,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'custom:tenantId', Value: 'acme' },
        { Name: 'custom:userId', Value: randomUUID() },
      ],
    }),
  );
  return email;
}

const acmeReport = async (graceMs = 0) => (await reconcile({ graceMs })).find((r) => r.tenant === 'acme');

describe('the reconciler', () => {
  it('records on the profile a link its login has and the profile misses (a first SSO sign-in cut short)', async () => {
    const user = await activeUser(env, acme, admin);
    const sub = (await loginOf(user.email))?.Username as string;
    const subject = `cut-short-${randomUUID().slice(0, 8)}`;
    await cognito.send(
      new AdminLinkProviderForUserCommand({
        ...pool,
        DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: sub },
        SourceUser: {
          ProviderName: 'AcmeID',
          ProviderAttributeName: 'Cognito_Subject',
          ProviderAttributeValue: subject,
        },
      }),
    );
    const report = await acmeReport();
    expect(report?.linksRecorded).toEqual([user.id]);
    const profile = await api(env, 'GET', `/users/${user.id}`, { token: admin });
    expect(profile.body.identities).toEqual([expect.objectContaining({ provider: 'AcmeID', subject })]);
    expect((await acmeReport())?.linksRecorded).toEqual([]);
  });

  it('removes a login whose profile does not exist', async () => {
    const email = await orphanLogin('orphan');
    const report = await acmeReport();
    expect(report?.orphanLoginsDeleted).toHaveLength(1);
    expect(await loginOf(email)).toBeUndefined();
  });

  it('leaves alone what changed within the grace period: an operation may be half-way', async () => {
    const email = await orphanLogin('fresh');
    await acmeReport(60_000);
    expect(await loginOf(email)).toBeDefined();
    await acmeReport();
    expect(await loginOf(email)).toBeUndefined();
  });

  it('makes each login let in exactly whom its profile lets in', async () => {
    const active = await activeUser(env, acme, admin);
    const deactivated = await activeUser(env, acme, admin);
    await api(env, 'POST', `/users/${deactivated.id}/deactivate`, { token: admin });
    await cognito.send(new AdminDisableUserCommand({ ...pool, Username: active.email }));
    await cognito.send(new AdminEnableUserCommand({ ...pool, Username: deactivated.email }));

    const report = await acmeReport();
    expect(report?.loginsEnabled).toContain(active.id);
    expect(report?.loginsDisabled).toContain(deactivated.id);
    expect((await loginOf(active.email))?.Enabled).toBe(true);
    expect((await loginOf(deactivated.email))?.Enabled).toBe(false);
  });

  it('puts the profile’s email back on a login whose email drifted', async () => {
    const user = await activeUser(env, acme, admin);
    const drifted = `drifted.${randomUUID().slice(0, 8)}@example.com`;
    await cognito.send(
      new AdminUpdateUserAttributesCommand({
        ...pool,
        Username: user.email,
        UserAttributes: [{ Name: 'email', Value: drifted }],
      }),
    );
    expect((await acmeReport())?.emailsCorrected).toContain(user.id);
    expect(await loginOf(user.email)).toBeDefined();
  });

  it('turns a profile whose login vanished back to inactive, and says so in its history', async () => {
    const profile = newProfile();
    const created = await api(env, 'POST', '/users', { token: admin, body: { ...profile, activate: true } });
    await cognito.send(new AdminDeleteUserCommand({ ...pool, Username: profile.email }));

    expect((await acmeReport())?.profilesWithoutLogin).toContain(created.body.id);
    const after = await api(env, 'GET', `/users/${created.body.id}`, { token: admin });
    expect(after.body.status).toBe('inactive');
    const history = await api<{ items: { action: string; actor: { name: string } }[] }>(
      env,
      'GET',
      `/users/${created.body.id}/history`,
      { token: admin },
    );
    expect(history.body.items[0]).toMatchObject({ action: 'user.reconciled', actor: { name: 'Reconciler' } });
    // Activating again gives them a new login.
    expect((await api(env, 'POST', `/users/${created.body.id}/activate`, { token: admin })).body.status).toBe(
      'invited',
    );
  });

  it('finds nothing to repair where nothing drifted', async () => {
    await acmeReport();
    const report = await acmeReport();
    expect(report).toMatchObject({
      orphanLoginsDeleted: [],
      loginsDisabled: [],
      loginsEnabled: [],
      emailsCorrected: [],
      profilesWithoutLogin: [],
      failures: [],
    });
  });
});
