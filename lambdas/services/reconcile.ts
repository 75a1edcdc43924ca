// Use case: find and repair drift between Cognito and the profiles, taking the profiles as the truth.
import { RECONCILER, type User } from '#domain/user.ts';
import { changeEntry, systemCaller } from './changes.ts';
import type { Deps, Identity, Login, Tenant } from './ports.ts';

export interface ReconcileReport {
  tenant: string;
  logins: number;
  profiles: number;
  /** Logins whose profile is gone or knows another login: removed. */
  orphanLoginsDeleted: string[];
  /** Logins enabled though the profile may not sign in: disabled and signed out. */
  loginsDisabled: string[];
  /** Logins disabled though the profile may sign in: enabled. */
  loginsEnabled: string[];
  /** Logins whose email is not the profile's: set to the profile's. */
  emailsCorrected: string[];
  /** Profiles whose login is gone: back to inactive, without a login. */
  profilesWithoutLogin: string[];
  /** Profiles whose record of linked identities disagreed with their login's links: set to the login's. */
  linksRecorded: string[];
  /** Logins Gatehouse did not create (no user id): left alone, reported. */
  foreignLogins: string[];
  /** Repairs that failed (for example the last administrator's login gone): left for a person. */
  failures: { id: string; error: string }[];
}

/**
 * Anything touched in the last `graceMs` is left alone: an operation may be between its Cognito step and
 * its profile write right now, and the next run sees it settled.
 */
export async function reconcileTenant(
  deps: Deps,
  tenant: Tenant,
  options: { graceMs: number; requestId: string },
): Promise<ReconcileReport> {
  const cutoff = deps.now().getTime() - options.graceMs;
  const logins = await deps.directory.listLogins(tenant);
  const profiles = await allProfiles(deps, tenant.id);
  const bySub = new Map(profiles.filter((p) => p.cognitoSub).map((p) => [p.cognitoSub as string, p]));
  const loginBySub = new Map(logins.map((l) => [l.sub, l]));
  const report: ReconcileReport = {
    tenant: tenant.id,
    logins: logins.length,
    profiles: profiles.length,
    orphanLoginsDeleted: [],
    loginsDisabled: [],
    loginsEnabled: [],
    emailsCorrected: [],
    profilesWithoutLogin: [],
    linksRecorded: [],
    foreignLogins: [],
    failures: [],
  };
  // One repair failing must not stop the others.
  const attempt = async (id: string, repair: () => Promise<unknown>) => {
    try {
      await repair();
      return true;
    } catch (error) {
      report.failures.push({ id, error: error instanceof Error ? error.message : String(error) });
      return false;
    }
  };
  const settled = (login: Login) => login.lastModified.getTime() <= cutoff;
  const reconciler = systemCaller(tenant, RECONCILER, options.requestId);

  for (const login of logins) {
    if (!login.userId) {
      report.foreignLogins.push(login.sub);
      continue;
    }
    const profile = bySub.get(login.sub);
    if (!profile) {
      if (!settled(login)) continue;
      // Its links first: an identity left linked to a deleted login could never sign in again.
      if (await attempt(login.sub, () => deps.directory.deleteLogin(tenant, login.sub, login.identities))) {
        report.orphanLoginsDeleted.push(login.sub);
      }
      continue;
    }
    if (Date.parse(profile.updatedAt) > cutoff || !settled(login)) continue;
    const mayEnable = profile.status === 'invited' || profile.status === 'active';
    if (login.enabled && !mayEnable) {
      if (await attempt(profile.id, () => deps.directory.disableLogin(tenant, login.sub))) {
        report.loginsDisabled.push(profile.id);
      }
    } else if (!login.enabled && mayEnable) {
      if (await attempt(profile.id, () => deps.directory.enableLogin(tenant, login.sub))) {
        report.loginsEnabled.push(profile.id);
      }
    }
    if (login.email !== undefined && login.email !== profile.email) {
      if (await attempt(profile.id, () => deps.directory.changeEmail(tenant, login.sub, profile.email))) {
        report.emailsCorrected.push(profile.id);
      }
    }
    // A first federated sign-in links in Cognito before it writes the profile: a failure between leaves a link
    // the profile does not record (and deleting the user would not remove). The login's links are the truth.
    if (!sameIdentities(login.identities, profile.identities ?? [])) {
      const next = withIdentities(deps, profile, login.identities);
      const entry = changeEntry(deps, reconciler, 'user.reconciled', profile, next);
      if (await attempt(profile.id, () => deps.users.update(tenant.id, profile, next, entry))) {
        report.linksRecorded.push(profile.id);
      }
    }
  }

  for (const profile of profiles) {
    if (!profile.cognitoSub || loginBySub.has(profile.cognitoSub) || Date.parse(profile.updatedAt) > cutoff)
      continue;
    const { cognitoSub: _gone, ...rest } = profile;
    const next: User = {
      ...rest,
      status: profile.status === 'archived' ? 'archived' : 'inactive',
      updatedAt: deps.now().toISOString(),
      updatedBy: RECONCILER,
      version: profile.version + 1,
    };
    const entry = changeEntry(deps, reconciler, 'user.reconciled', profile, next);
    if (await attempt(profile.id, () => deps.users.update(tenant.id, profile, next, entry))) {
      report.profilesWithoutLogin.push(profile.id);
    }
  }
  return report;
}

function sameIdentities(login: readonly Identity[], profile: readonly Identity[]): boolean {
  const key = (i: Identity) => `${i.provider}\u0000${i.subject}`;
  const recorded = new Set(profile.map(key));
  return login.length === profile.length && login.every((i) => recorded.has(key(i)));
}

/** The profile recording exactly the login's links, keeping when each known one was linked. */
function withIdentities(deps: Deps, profile: User, identities: readonly Identity[]): User {
  const at = deps.now().toISOString();
  const known = new Map((profile.identities ?? []).map((i) => [`${i.provider}\u0000${i.subject}`, i]));
  const { identities: _was, ...rest } = profile;
  const next = identities.map(
    (i) =>
      known.get(`${i.provider}\u0000${i.subject}`) ?? {
        provider: i.provider,
        subject: i.subject,
        linkedAt: at,
      },
  );
  return {
    ...rest,
    ...(next.length > 0 ? { identities: next } : {}),
    updatedAt: at,
    updatedBy: RECONCILER,
    version: profile.version + 1,
  };
}

async function allProfiles(deps: Deps, tenantId: string): Promise<User[]> {
  // Archived users too: they keep their (disabled) logins, which are no orphans.
  const users: User[] = [];
  for (const archived of [false, true]) {
    let cursor: string | undefined;
    do {
      const page = await deps.users.list(tenantId, { limit: 100, archived, ...(cursor ? { cursor } : {}) });
      users.push(...page.items);
      cursor = page.next;
    } while (cursor);
  }
  return users;
}
