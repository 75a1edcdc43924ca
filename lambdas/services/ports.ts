// The ports use cases depend on, and the context every use case runs in.

import type { Access, Reach } from '#domain/access.ts';
import type { HistoryEntry } from '#domain/history.ts';
import type { Role } from '#domain/roles.ts';
import type { FilterName, Filters } from '#domain/search.ts';
import type { Tenant } from '#domain/tenant.ts';
import type { Actor, User } from '#domain/user.ts';

export type { Tenant } from '#domain/tenant.ts';

/** Reads tenants from the registry: what every entry point knows of a tenant. Cached per function instance. */
export interface TenantRegistry {
  byId(id: string): Promise<Tenant | undefined>;
  /** The tenant whose pool issues tokens with this `iss`. */
  byIssuer(issuer: string): Promise<Tenant | undefined>;
}

/** What the directory needs of a tenant: its id (stamped on logins) and its user pool. */
export type TenantPool = Pick<Tenant, 'id' | 'userPoolId'>;

/**
 * An Idempotency-Key the caller holds a lease on. The final write of the operation marks it completed,
 * with the operation's result, in the same transaction as the change: so a retry either finds the change
 * and its result together, or neither.
 */
export interface IdempotencyLease {
  tenantId: string;
  callerId: string;
  key: string;
  lease: string;
}

/** Who asks, for which tenant, under which request id: what history entries and logs record. */
export interface Caller {
  tenant: Tenant;
  actor: Actor;
  requestId: string;
  idempotency?: IdempotencyLease;
  /** What the caller may do, from their current roles. */
  access: Access;
  /** How far the permission of the route being served reaches: users outside it are answered as absent. */
  reach: Reach;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor of the next page; absent on the last page. */
  next?: string;
}

/** How a write ends: the idempotency lease it completes, with the result a retry will get; the seats it may fill. */
export interface WriteOptions {
  completes?: IdempotencyLease;
  result?: unknown;
  /** Seats per licence type: a change that would fill one beyond its seats is refused (LicenceLimitReached). */
  seats?: Readonly<Record<string, number>>;
}

/** A search: keywords (each must start a word of the user), filters, a page; `within` narrows to a scope. */
export interface UserQuery {
  q?: string;
  filters?: Filters;
  limit: number;
  cursor?: string;
  /** Matches passed over before the page starts: SCIM's `startIndex` (its cost grows with it). */
  skip?: number;
  within?: (values: Record<FilterName, string[]>) => boolean;
}

export interface UserStore {
  /** A page of users by last name, first name: cost follows the page and the matches, not the tenant. */
  search(tenantId: string, query: UserQuery): Promise<Page<User>>;
  get(tenantId: string, userId: string): Promise<User | undefined>;
  /** The user whose email (the login) this is, case-insensitively: one read of the email claim, one of the profile. */
  findByEmail(tenantId: string, email: string): Promise<User | undefined>;
  /** The id of the user whose email (the login) this is, archived ones included: one read of the email claim. */
  userIdByEmail(tenantId: string, email: string): Promise<string | undefined>;
  /** How many users are not archived: reads the index in proportion to them (SCIM's `totalResults`). */
  countLive(tenantId: string): Promise<number>;
  /** Writes a new user, its email claim and its history entry in one transaction. Throws EmailTaken. */
  create(tenantId: string, user: User, entry: HistoryEntry, options?: WriteOptions): Promise<void>;
  /**
   * Replaces `before` with `after` if it is still at `before.version`, with its history entry, moving the
   * email claim if the email changed. Throws VersionConflict, EmailTaken, LastAdministrator.
   */
  update(
    tenantId: string,
    before: User,
    after: User,
    entry: HistoryEntry,
    options?: WriteOptions,
  ): Promise<void>;
  /** Removes the user and its email claim, keeping the history entry. Throws VersionConflict, LastAdministrator. */
  delete(tenantId: string, user: User, entry: HistoryEntry, options?: WriteOptions): Promise<void>;
  /** A history entry for a change outside the profile (a password reset), with the lease it completes. */
  record(tenantId: string, entry: HistoryEntry, options?: WriteOptions): Promise<void>;
  /** Moves lastLoginAt only: a sign-in is not an edit, so it neither bumps the version nor races one. */
  touchLogin(tenantId: string, userId: string, at: string): Promise<void>;
  /** How many active administrators the tenant has. */
  activeAdministrators(tenantId: string): Promise<number>;
  /** Seats taken per licence type. */
  licencesUsed(tenantId: string): Promise<Record<string, number>>;
  /**
   * A page of users: without `archived`, those not archived; with it, only archived ones. Throws InvalidInput
   * naming `query.cursor` for a cursor this store did not issue for this tenant.
   */
  list(tenantId: string, page: { limit: number; cursor?: string; archived?: boolean }): Promise<Page<User>>;
  /** Newest first; of one user, or of the whole tenant. */
  history(
    tenantId: string,
    userId: string | undefined,
    page: { limit: number; cursor?: string },
  ): Promise<Page<HistoryEntry>>;
}

export type IdempotencyBegin =
  | { state: 'started'; lease: IdempotencyLease }
  | { state: 'completed'; result: unknown };

export interface IdempotencyStore {
  /**
   * Takes the key for a request with this fingerprint: a new key, or one whose earlier attempt failed or
   * was abandoned, is started; a completed one gives back its result. Throws RequestInProgress while another
   * attempt holds the lease, IdempotencyKeyReused for a different request.
   */
  begin(key: Omit<IdempotencyLease, 'lease'>, fingerprint: string): Promise<IdempotencyBegin>;
  /** Lets go of a lease whose attempt failed, so a retry may start at once. */
  release(lease: IdempotencyLease): Promise<void>;
  /**
   * Completes a lease with its result on its own, for an operation made of many writes (a bulk action), none
   * of which can carry the completion. Throws if the lease is no longer ours.
   */
  complete(lease: IdempotencyLease, result: unknown): Promise<void>;
}

/** A message written by an administrator; the HTML part is optional. */
export interface Message {
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** Sends `message` to `to` from the tenant's sender; answers the provider's message id. */
  send(tenant: Tenant, to: string, message: Message): Promise<{ messageId: string }>;
}

/** An account at an identity provider, as a login carries it. */
export interface Identity {
  provider: string;
  subject: string;
}

/** A Cognito login as Gatehouse sees it. */
export interface Login {
  sub: string;
  userId?: string;
  email?: string;
  /** Identity-provider accounts linked to the login. */
  identities: Identity[];
  enabled: boolean;
  /** Cognito's UserStatus: FORCE_CHANGE_PASSWORD, CONFIRMED, RESET_REQUIRED… */
  status: string;
  lastModified: Date;
}

export interface Directory {
  /**
   * Creates the Cognito login; Cognito mails the welcome message with a temporary password. A login that
   * already exists for this user id (an earlier attempt's) is adopted; one of someone else is EmailTaken.
   */
  createLogin(tenant: TenantPool, user: User): Promise<{ sub: string }>;
  /**
   * Creates the login without a welcome mail, for someone who signs in through the identity provider only.
   * Adopts a login of this user id as createLogin does.
   */
  createSilentLogin(tenant: TenantPool, user: User): Promise<{ sub: string }>;
  /** Links an identity-provider account, which has not signed in yet, to the login: it then signs in as it. */
  linkIdentity(tenant: TenantPool, sub: string, identity: Identity): Promise<void>;
  getLogin(tenant: TenantPool, sub: string): Promise<Login | undefined>;
  /** Every login of the tenant's pool. */
  listLogins(tenant: TenantPool): Promise<Login[]>;
  enableLogin(tenant: TenantPool, sub: string): Promise<void>;
  /** Disables the login and revokes its sessions. */
  disableLogin(tenant: TenantPool, sub: string): Promise<void>;
  /**
   * Removes the login, and first each linked identity (Cognito keeps a link past its login: the identity
   * would sign in as nobody). Succeeds when there is none.
   */
  deleteLogin(tenant: TenantPool, sub: string, linked?: readonly Identity[]): Promise<void>;
  /**
   * Removes a login this very request created a moment ago, whose profile write was then refused (the undo of
   * `createLogin`): no identity can be linked to it yet, so it is the login alone. Succeeds when there is none.
   */
  undoCreateLogin(tenant: TenantPool, sub: string): Promise<void>;
  /** A new temporary password, mailed again, for a login that never set its own. */
  resendInvitation(tenant: TenantPool, sub: string): Promise<void>;
  /** Cognito mails a reset code; the old password no longer signs in. */
  resetPassword(tenant: TenantPool, sub: string): Promise<void>;
  setPassword(tenant: TenantPool, sub: string, password: string, permanent: boolean): Promise<void>;
  /** Changes the sign-in email. Throws EmailTaken. */
  changeEmail(tenant: TenantPool, sub: string, email: string): Promise<void>;
}

/** An operation of the directory: what a function declares it uses, so only those are built and bundled. */
export type DirectoryOperation = keyof Directory;

export interface RoleStore {
  /** The tenant's catalogue, seeded with the built-in roles on first use. */
  catalogue(tenantId: string): Promise<ReadonlyMap<string, Role>>;
  /** Writes a new role with its history entry. Throws RoleRuleBroken for a name or id already used. */
  create(tenantId: string, role: Role, entry: HistoryEntry, options?: WriteOptions): Promise<void>;
  /** Replaces a role at `before.version`. Throws VersionConflict. */
  update(
    tenantId: string,
    before: Role,
    after: Role,
    entry: HistoryEntry,
    options?: WriteOptions,
  ): Promise<void>;
  delete(tenantId: string, role: Role, entry: HistoryEntry, options?: WriteOptions): Promise<void>;
}

/** A SCIM token as kept: its secret only as a hash. */
export interface ScimToken {
  id: string;
  name: string;
  /** SHA-256 of the token's secret, base64url. */
  hash: string;
  createdAt: string;
  createdBy: Actor;
  lastUsedAt?: string;
}

/** A token's last use is recorded at most this often. */
export const SCIM_TOKEN_TOUCH_MS = 5 * 60 * 1000;

export interface ScimTokenStore {
  /** Writes a new token. Throws ScimTokenLimit when the tenant has its most already. */
  create(tenantId: string, token: ScimToken, limit: number): Promise<void>;
  get(tenantId: string, tokenId: string): Promise<ScimToken | undefined>;
  list(tenantId: string): Promise<ScimToken[]>;
  /** Removes the token; false when there was none. */
  revoke(tenantId: string, tokenId: string): Promise<boolean>;
  /** Records a use (at most every few minutes, so a busy directory does not write on every request). */
  touch(tenantId: string, tokenId: string, at: string): Promise<void>;
}

/**
 * A SCIM OAuth client as kept: an app client of the tenant's pool that may take the client-credentials grant
 * for the `gatehouse/scim` scope. Its id is Cognito's client id; its secret is Cognito's alone.
 */
export interface ScimClient {
  id: string;
  name: string;
  createdAt: string;
  createdBy: Actor;
  lastUsedAt?: string;
}

export interface ScimClientStore {
  /** Writes a new client's record. Throws ScimClientLimit when the tenant has its most already. */
  create(tenantId: string, client: ScimClient, limit: number): Promise<void>;
  get(tenantId: string, clientId: string): Promise<ScimClient | undefined>;
  list(tenantId: string): Promise<ScimClient[]>;
  /** Removes the record; false when there was none. */
  revoke(tenantId: string, clientId: string): Promise<boolean>;
  /** Records a use (at most every few minutes, as for tokens). */
  touch(tenantId: string, clientId: string, at: string): Promise<void>;
}

/** The app clients of a tenant's pool that a directory authenticates with (client-credentials grant). */
export interface OAuthClients {
  /** A confidential client for the client-credentials grant with these scopes only; its secret is in the answer. */
  createClientCredentialsClient(
    tenant: TenantPool,
    name: string,
    scopes: readonly string[],
  ): Promise<{ clientId: string; clientSecret: string }>;
  /** Deletes the app client; succeeds when it is already gone. */
  deleteClient(tenant: TenantPool, clientId: string): Promise<void>;
}

export interface Deps {
  users: UserStore;
  scimTokens: ScimTokenStore;
  scimClients: ScimClientStore;
  oauthClients: OAuthClients;
  roles: RoleStore;
  directory: Directory;
  idempotency: IdempotencyStore;
  mailer: Mailer;
  now: () => Date;
  newId: () => string;
}
