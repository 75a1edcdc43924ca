// The ports use cases depend on, and the context every use case runs in.
import type { HistoryEntry } from '#domain/history.ts';
import type { Actor, User } from '#domain/user.ts';

export interface Tenant {
  id: string;
  name: string;
  userPoolId: string;
}

/** Who asks, for which tenant, under which request id: what history entries and logs record. */
export interface Caller {
  tenant: Tenant;
  actor: Actor;
  requestId: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor of the next page; absent on the last page. */
  next?: string;
}

export interface UserStore {
  get(tenantId: string, userId: string): Promise<User | undefined>;
  /** Writes a new user, its email claim and its history entry in one transaction. Throws EmailTaken. */
  create(tenantId: string, user: User, entry: HistoryEntry): Promise<void>;
  /** Replaces the user if it is still at `user.version - 1`, with its history entry. Throws VersionConflict. */
  update(tenantId: string, user: User, entry: HistoryEntry): Promise<void>;
  /** Moves lastLoginAt only: a sign-in is not an edit, so it neither bumps the version nor races one. */
  touchLogin(tenantId: string, userId: string, at: string): Promise<void>;
  /** Throws InvalidInput naming `cursor` for a cursor this store did not issue for this tenant. */
  list(tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<User>>;
}

export interface Directory {
  /** Creates the Cognito user; Cognito mails the welcome message with a temporary password. Throws EmailTaken. */
  createLogin(tenant: Tenant, user: User): Promise<{ sub: string }>;
  /** Removes the Cognito user signed in by `email`; succeeds when there is none. */
  deleteLogin(tenant: Tenant, email: string): Promise<void>;
}

export interface Deps {
  users: UserStore;
  directory: Directory;
  now: () => Date;
  newId: () => string;
}
