// AdminLinkProviderForUser and AdminDisableProviderForUser, which cognito-local lacks, and how a linked identity is
// found at sign-in. As in AWS, a link lives on the destination user, in its `identities` attribute (a JSON list).
import { randomUUID } from 'node:crypto';
import { CognitoError, InvalidParameterError, UserNotFoundError } from 'cognito-local/lib/errors.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { User, UserPoolService } from 'cognito-local/lib/services/userPoolService.js';
import { USER_NOT_FOUND } from './aws-errors.ts';

/** One element of Cognito's `identities` attribute, as AWS writes it. */
export interface LinkedIdentity {
  userId: string;
  providerName: string;
  providerType: string;
  issuer: string | null;
  primary: boolean;
  dateCreated: number;
}

interface ProviderUser {
  ProviderName?: string;
  ProviderAttributeName?: string;
  ProviderAttributeValue?: string;
}

export interface LinkRequest {
  DestinationUser?: ProviderUser;
  SourceUser?: ProviderUser;
}

export interface DisableRequest {
  User?: ProviderUser;
}

/** AWS allows five identities per user. */
const MAX_LINKS = 5;
const SUBJECT = 'Cognito_Subject';

export function identitiesOf(user: User): LinkedIdentity[] {
  const value = user.Attributes.find((a) => a.Name === 'identities')?.Value;
  if (!value) return [];
  try {
    const list: unknown = JSON.parse(value);
    return Array.isArray(list) ? (list as LinkedIdentity[]) : [];
  } catch {
    return [];
  }
}

function withIdentities(user: User, identities: LinkedIdentity[], now: Date): User {
  const others = user.Attributes.filter((a) => a.Name !== 'identities');
  return {
    ...user,
    Attributes:
      identities.length > 0 ? [...others, { Name: 'identities', Value: JSON.stringify(identities) }] : others,
    UserLastModifiedDate: now,
  };
}

/** The user an identity of `provider` with `subject` is linked to, if any. */
export async function linkedUser(
  ctx: Context,
  pool: UserPoolService,
  provider: string,
  subject: string,
): Promise<User | undefined> {
  const users = await pool.listUsers(ctx);
  return users.find((u) => identitiesOf(u).some((i) => i.providerName === provider && i.userId === subject));
}

/** The pool's identity providers: name → type (OIDC, SAML). */
export type PoolProviders = (userPoolId: string) => Record<string, string>;

export class IdentityLinks {
  constructor(
    private readonly providers: PoolProviders,
    private readonly now: () => Date,
  ) {}

  async link(ctx: Context, pool: UserPoolService, req: LinkRequest): Promise<Record<string, never>> {
    const { DestinationUser: destination, SourceUser: source } = req;
    if (!destination?.ProviderName || !destination.ProviderAttributeValue) {
      throw new InvalidParameterError('Missing required parameter DestinationUser');
    }
    if (!source?.ProviderName || !source.ProviderAttributeName || !source.ProviderAttributeValue) {
      throw new InvalidParameterError('Missing required parameter SourceUser');
    }
    if (destination.ProviderName !== 'Cognito') {
      // Gatehouse links to its own logins only; AWS also links to a federated user, which it never has.
      throw new InvalidParameterError(
        'DestinationUser must be a user of the pool (ProviderName Cognito) offline',
      );
    }
    const type = this.providers(pool.options.Id)[source.ProviderName];
    if (!type) throw new InvalidParameterError(`Identity provider ${source.ProviderName} does not exist`);
    if (source.ProviderAttributeName !== SUBJECT) {
      throw new InvalidParameterError(`Only ProviderAttributeName ${SUBJECT} is supported offline`);
    }
    const user = await pool.getUserByUsername(ctx, destination.ProviderAttributeValue);
    if (!user) throw new UserNotFoundError(USER_NOT_FOUND);
    // AWS's documented rule: a user holding an immutable custom attribute cannot be linked to.
    const immutable = (pool.options.SchemaAttributes ?? []).filter(
      (a) => a.Name?.startsWith('custom:') && a.Mutable === false,
    );
    if (immutable.some((a) => user.Attributes.some((u) => u.Name === a.Name))) {
      throw new InvalidParameterError('Cannot link a user that has immutable custom attributes');
    }
    const subject = source.ProviderAttributeValue;
    if (await pool.getUserByUsername(ctx, `${source.ProviderName}_${subject}`)) {
      throw new InvalidParameterError(
        'Merging is not currently supported, provide a SourceUser that has not been used to sign in',
      );
    }
    if (await linkedUser(ctx, pool, source.ProviderName, subject)) {
      throw new InvalidParameterError('SourceUser is already linked to a user');
    }
    const identities = identitiesOf(user);
    if (identities.length >= MAX_LINKS) {
      throw new CognitoError('LimitExceededException', 'Too many identities are linked to the user');
    }
    const now = this.now();
    identities.push({
      userId: subject,
      providerName: source.ProviderName,
      providerType: type,
      issuer: null,
      primary: false,
      dateCreated: now.getTime(),
    });
    await pool.saveUser(ctx, withIdentities(user, identities, now));
    return {};
  }

  /** Removes the identity's link (and disables an unlinked federated user of it): it signs in as nobody then. */
  async disable(ctx: Context, pool: UserPoolService, req: DisableRequest): Promise<Record<string, never>> {
    const provider = req.User?.ProviderName;
    const subject = req.User?.ProviderAttributeValue;
    if (!provider || !subject) throw new InvalidParameterError('Missing required parameter User');
    if (!this.providers(pool.options.Id)[provider]) {
      throw new InvalidParameterError(`Identity provider ${provider} does not exist`);
    }
    const now = this.now();
    const linked = await linkedUser(ctx, pool, provider, subject);
    if (linked) {
      const rest = identitiesOf(linked).filter((i) => !(i.providerName === provider && i.userId === subject));
      await pool.saveUser(ctx, withIdentities(linked, rest, now));
      return {};
    }
    const federated = await pool.getUserByUsername(ctx, `${provider}_${subject}`);
    if (!federated) throw new UserNotFoundError(USER_NOT_FOUND);
    await pool.saveUser(ctx, { ...federated, Enabled: false, UserLastModifiedDate: now });
    return {};
  }
}

/** A federated user's sub, as Cognito makes one. */
export const newSub = () => randomUUID();
