// The user-lifecycle calls cognito-local answers `Unsupported` (or gets wrong), done as AWS Cognito does them.
import { randomBytes } from 'node:crypto';
import {
  CognitoError,
  InvalidParameterError,
  NotAuthorizedError,
  UserNotFoundError,
} from 'cognito-local/lib/errors.js';
import type { Clock } from 'cognito-local/lib/services/clock.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { DeliveryDetails } from 'cognito-local/lib/services/messageDelivery/messageDelivery.js';
import type { Messages } from 'cognito-local/lib/services/messages.js';
import {
  attributeValue,
  type User,
  type UserPoolService,
} from 'cognito-local/lib/services/userPoolService.js';
import { userToResponseObject } from 'cognito-local/lib/targets/responses.js';
import {
  ACCESS_TOKEN_EXPIRED,
  ACCESS_TOKEN_REVOKED,
  CANNOT_RESET_PASSWORD,
  DISABLED,
  INVALID_ACCESS_TOKEN,
  NO_RECOVERY_DESTINATION,
  resendNotPossible,
  USER_NOT_FOUND,
} from './aws-errors.ts';
import { checkNewPassword, generateTemporaryPassword, poolPasswordPolicy } from './password-policy.ts';
import { type JwtClaims, jwtClaims, type TokenLedger } from './tokens.ts';

export interface LifecycleServices {
  clock: Clock;
  messages: Messages;
  otp: () => string;
  ledger: TokenLedger;
}

/**
 * What is kept on cognito-local's own user record beside its fields (cognito-local saves users whole and its
 * targets copy them with spread, so these survive its updates and restarts). No name may end in "Date": its
 * store insists those hold Dates.
 */
interface LifecycleUser extends User {
  /** Epoch ms: access tokens issued before are refused (global sign-out, AdminDisableUser). */
  AccessTokensRevokedAt?: number;
  /** Refresh tokens a global sign-out took away, so a later refresh says "revoked" rather than "invalid". */
  RevokedRefreshTokens?: string[];
}

export interface ResendRequest {
  Username?: string;
  TemporaryPassword?: string;
  DesiredDeliveryMediums?: string[];
  ClientMetadata?: Record<string, string>;
}

export interface ResetRequest {
  Username?: string;
  ClientMetadata?: Record<string, string>;
}

export class UserLifecycle {
  constructor(private readonly services: LifecycleServices) {}

  /**
   * AdminCreateUser with MessageAction RESEND: only for a user who has not yet set a password. A new temporary
   * password (given, or generated to the policy) replaces the old one, its validity starts again, and the
   * invitation goes out again through CustomMessage_AdminCreateUser.
   */
  async resendInvitation(ctx: Context, pool: UserPoolService, req: ResendRequest) {
    const user = await this.existingUser(ctx, pool, req.Username);
    if (user.UserStatus !== 'FORCE_CHANGE_PASSWORD') {
      throw new CognitoError('UnsupportedUserStateException', resendNotPossible(user.Username));
    }
    checkNewPassword(pool.options, req.TemporaryPassword);
    const password = req.TemporaryPassword ?? generateTemporaryPassword(poolPasswordPolicy(pool.options));
    // AWS's default medium is SMS, as cognito-local's: Gatehouse asks for EMAIL.
    const delivery = invitationDelivery(req.DesiredDeliveryMediums ?? ['SMS'], user);
    // The temporary password's age is measured from UserLastModifiedDate (see the sign-in check).
    const updated: User = { ...user, Password: password, UserLastModifiedDate: this.services.clock.get() };
    // Sent before it is saved: a failing CustomMessage trigger fails the call and leaves the old password.
    await this.services.messages.deliver(
      ctx,
      'AdminCreateUser',
      null,
      pool.options.Id,
      updated,
      password,
      req.ClientMetadata,
      delivery,
    );
    await pool.saveUser(ctx, updated);
    return { User: userToResponseObject(updated) };
  }

  /**
   * AdminResetUserPassword: the password stops working (sign-in answers PasswordResetRequiredException), the
   * status becomes RESET_REQUIRED, and a code goes to the verified email through CustomMessage_ForgotPassword.
   * The code is cognito-local's own ConfirmationCode, so its ConfirmForgotPassword completes the reset.
   */
  async resetPassword(ctx: Context, pool: UserPoolService, req: ResetRequest): Promise<object> {
    const user = await this.existingUser(ctx, pool, req.Username);
    if (!user.Enabled) throw new NotAuthorizedError(DISABLED);
    checkPasswordResettable(user);
    const email = attributeValue('email', user.Attributes);
    if (!email || attributeValue('email_verified', user.Attributes) !== 'true') {
      throw new InvalidParameterError(NO_RECOVERY_DESTINATION);
    }
    const code = this.services.otp();
    const updated: User = {
      ...user,
      UserStatus: 'RESET_REQUIRED',
      // Invalidated, not merely flagged: nothing (ChangePassword, the hosted UI) may accept the old one.
      Password: randomBytes(32).toString('base64url'),
      ConfirmationCode: code,
      UserLastModifiedDate: this.services.clock.get(),
    };
    await this.services.messages.deliver(
      ctx,
      'ForgotPassword',
      null,
      pool.options.Id,
      updated,
      code,
      req.ClientMetadata,
      { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: email },
    );
    await pool.saveUser(ctx, updated);
    return {};
  }

  /** ForgotPassword: AWS refuses it, as AdminResetUserPassword, for a user who has never set a password. */
  async checkForgotPassword(ctx: Context, pool: UserPoolService, username: unknown): Promise<void> {
    const user = typeof username === 'string' ? await pool.getUserByUsername(ctx, username) : null;
    if (user) checkPasswordResettable(user);
  }

  /** AdminUserGlobalSignOut. */
  async adminGlobalSignOut(ctx: Context, pool: UserPoolService, username: unknown): Promise<object> {
    await this.signOut(ctx, pool, await this.existingUser(ctx, pool, username));
    return {};
  }

  /** GlobalSignOut: the access token has passed checkAccessToken. */
  async globalSignOut(ctx: Context, pool: UserPoolService, accessToken: unknown): Promise<object> {
    const username = jwtClaims(accessToken)?.username;
    if (typeof username !== 'string') throw new NotAuthorizedError(INVALID_ACCESS_TOKEN);
    await this.signOut(ctx, pool, await this.existingUser(ctx, pool, username));
    return {};
  }

  /** AdminDisableUser revokes the user's access tokens (refresh tokens are refused while disabled). */
  async revokeAccessTokens(ctx: Context, pool: UserPoolService, username: unknown): Promise<void> {
    const user = typeof username === 'string' ? await pool.getUserByUsername(ctx, username) : null;
    if (!user) return;
    const revoked: LifecycleUser = { ...user, AccessTokensRevokedAt: this.services.clock.get().getTime() };
    await pool.saveUser(ctx, revoked);
  }

  /**
   * Every call that takes an access token (GetUser, ChangePassword, GlobalSignOut…): AWS refuses expired ones
   * and those issued before the user's last global sign-out or disabling. cognito-local only decodes them.
   */
  async checkAccessToken(ctx: Context, pool: UserPoolService, claims: JwtClaims): Promise<void> {
    const now = this.services.clock.get().getTime();
    if (typeof claims.exp === 'number' && claims.exp * 1000 <= now) {
      throw new NotAuthorizedError(ACCESS_TOKEN_EXPIRED);
    }
    const user: LifecycleUser | null =
      typeof claims.username === 'string' ? await pool.getUserByUsername(ctx, claims.username) : null;
    const revokedAt = user?.AccessTokensRevokedAt;
    if (revokedAt !== undefined && this.services.ledger.issuedAt(claims) < revokedAt) {
      throw new NotAuthorizedError(ACCESS_TOKEN_REVOKED);
    }
  }

  /** Whether a global sign-out took this refresh token away. */
  async isRevokedRefreshToken(ctx: Context, pool: UserPoolService, refreshToken: string): Promise<boolean> {
    const users: readonly LifecycleUser[] = await pool.listUsers(ctx);
    return users.some((user) => user.RevokedRefreshTokens?.includes(refreshToken));
  }

  /**
   * Takes every refresh token away (from cognito-local's own list too, so its hosted-UI token endpoint refuses
   * them as well) and revokes the access tokens issued so far. ID tokens are not revoked, as in AWS.
   */
  private async signOut(ctx: Context, pool: UserPoolService, user: LifecycleUser): Promise<void> {
    const current = Array.isArray(user.RefreshTokens) ? user.RefreshTokens : [];
    const signedOut: LifecycleUser = {
      ...user,
      RefreshTokens: [],
      RevokedRefreshTokens: [...(user.RevokedRefreshTokens ?? []), ...current],
      AccessTokensRevokedAt: this.services.clock.get().getTime(),
    };
    await pool.saveUser(ctx, signedOut);
  }

  private async existingUser(ctx: Context, pool: UserPoolService, username: unknown): Promise<LifecycleUser> {
    if (typeof username !== 'string') throw new InvalidParameterError('Missing required parameter Username');
    const user = await pool.getUserByUsername(ctx, username);
    if (!user) throw new UserNotFoundError(USER_NOT_FOUND);
    return user;
  }
}

function checkPasswordResettable(user: User): void {
  if (user.UserStatus === 'FORCE_CHANGE_PASSWORD') throw new NotAuthorizedError(CANNOT_RESET_PASSWORD);
}

/** As AdminCreateUser picks it: SMS when asked for and a phone number is known, else email when asked for. */
function invitationDelivery(mediums: string[], user: User): DeliveryDetails {
  const phone = attributeValue('phone_number', user.Attributes);
  if (mediums.includes('SMS') && phone) {
    return { AttributeName: 'phone_number', DeliveryMedium: 'SMS', Destination: phone };
  }
  const email = attributeValue('email', user.Attributes);
  if (mediums.includes('EMAIL') && email) {
    return { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: email };
  }
  throw new InvalidParameterError('User has no attribute matching desired delivery mediums');
}
