// The checks AWS Cognito makes and cognito-local skips, run in front of its target dispatch (see EMULATORS.md).

import { randomBytes } from 'node:crypto';
import type {
  InitiateAuthResponse,
  RespondToAuthChallengeResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CodeMismatchError,
  CognitoError,
  InvalidParameterError,
  NotAuthorizedError,
  UserNotFoundError,
} from 'cognito-local/lib/errors.js';
import type { Route, Router } from 'cognito-local/lib/server/Router.js';
import type { CognitoService } from 'cognito-local/lib/services/cognitoService.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { TokenGenerator } from 'cognito-local/lib/services/tokenGenerator.js';
import { generateSecret, verify as verifyTotp } from 'cognito-local/lib/services/totp.js';
import type { User, UserPoolService } from 'cognito-local/lib/services/userPoolService.js';
import {
  ATTEMPTS_EXCEEDED,
  CODE_MISMATCH,
  DISABLED,
  EXPIRED_SESSION,
  INCORRECT,
  INVALID_ACCESS_TOKEN,
  INVALID_REFRESH_TOKEN,
  INVALID_SESSION,
  MFA_CODE_MISMATCH,
  PASSWORD_RESET_REQUIRED,
  REFRESH_TOKEN_REVOKED,
  SOFTWARE_TOKEN_MISMATCH,
  TEMPORARY_EXPIRED,
  USER_NOT_FOUND,
} from './aws-errors.ts';
import type { DisableRequest, IdentityLinks, LinkRequest } from './identity-links.ts';
import { checkNewPassword, generateTemporaryPassword, poolPasswordPolicy } from './password-policy.ts';
import {
  type AppClientOAuth,
  checkAppClientOAuth,
  clientSecret,
  type ResourceServer,
} from './resource-servers.ts';
import { jwtClaims } from './tokens.ts';
import type { AwsTriggers } from './triggers.ts';
import { type LifecycleServices, UserLifecycle } from './user-lifecycle.ts';

export interface ParityServices extends LifecycleServices {
  cognito: CognitoService;
  triggers: AwsTriggers;
  /** Links of identity-provider accounts to users (single sign-on). */
  identityLinks: IdentityLinks;
  tokenGenerator: TokenGenerator;
  /** The resource servers of a pool (cognito-local has none): what its app clients' scopes are checked against. */
  resourceServers: (userPoolId: string) => readonly ResourceServer[];
}

/** Targets cognito-local lacks (it answers them HTTP 500 Unsupported); done here entirely. */
const OWN_TARGETS = new Set([
  'AdminResetUserPassword',
  'AdminUserGlobalSignOut',
  'GlobalSignOut',
  'AdminLinkProviderForUser',
  'AdminDisableProviderForUser',
]);

/** Targets that, in the MFA_SETUP flow, name the user by the challenge's Session alone. */
const SESSION_TARGETS = new Set(['AssociateSoftwareToken', 'VerifySoftwareToken']);

// Cognito's authentication session (the Session between InitiateAuth and RespondToAuthChallenge) lasts 3 minutes.
const SESSION_TTL_MS = 3 * 60_000;
const DAY_MS = 24 * 60 * 60_000;
// Cognito locks a user out after five failed sign-ins in a row, for 1 second, doubling with every further failure
// up to about 15 minutes; a successful sign-in ends it.
const FREE_FAILURES = 5;
const MAX_LOCKOUT_MS = 15 * 60_000;

interface Failures {
  count: number;
  lockedUntil: number;
}

/**
 * Wraps cognito-local's Router: every Cognito API call passes here after its JSON body is parsed and before
 * cognito-local's target runs, and errors thrown here reach the client in cognito-local's own error format
 * (HTTP 400, `{ __type, message }`). The user state read is cognito-local's, through its services.
 */
export function withAwsParity(router: Router, services: ParityServices): Router {
  const parity = new AwsParity(services);
  return (target) => {
    const route = router(target);
    return (ctx, req) => parity.dispatch(target, route, ctx, req);
  };
}

/** The request fields these checks read, as the SDK sends them (cognito-local types request bodies as any). */
interface CognitoRequest {
  UserPoolId?: string;
  ClientId?: string;
  Username?: string;
  Password?: string;
  TemporaryPassword?: string;
  MessageAction?: string;
  DesiredDeliveryMediums?: string[];
  ClientMetadata?: Record<string, string>;
  AuthFlow?: string;
  AuthParameters?: Record<string, string>;
  ChallengeName?: string;
  ChallengeResponses?: Record<string, string>;
  Session?: string;
  AccessToken?: string;
  PreviousPassword?: string;
  ProposedPassword?: string;
  ConfirmationCode?: string;
  UserCode?: string;
  FriendlyDeviceName?: string;
}

interface ChallengeSession {
  userPoolId: string;
  username: string;
  challenge: string;
  expiresAt: number;
  /** MFA_SETUP: the software token has been verified, so RespondToAuthChallenge may complete the sign-in. */
  verified?: boolean;
}

class AwsParity {
  readonly #sessions = new Map<string, ChallengeSession>();
  /** Failed sign-ins in a row, per pool and user (in memory: a restart forgives, as a lockout's expiry would). */
  readonly #failures = new Map<string, Failures>();
  readonly #lifecycle: UserLifecycle;

  constructor(private readonly services: ParityServices) {
    this.#lifecycle = new UserLifecycle(services);
  }

  async dispatch(target: string, route: Route, ctx: Context, body: CognitoRequest): Promise<unknown> {
    if (!isRecord(body)) return route(ctx, body);
    const pool = await this.poolOf(ctx, body);
    if (!pool) {
      // A set-up step whose Session is unknown, used, or expired (sessions are swept only as new ones start).
      if (SESSION_TARGETS.has(target) && !body.AccessToken) throw new NotAuthorizedError(INVALID_SESSION);
      // Unknown pool or client: cognito-local answers with the right error for the targets it has.
      return OWN_TARGETS.has(target) ? this.withoutPool(ctx, target, body) : route(ctx, body);
    }
    const req = caseInsensitive(pool) ? lowerCaseUsernames(body) : body;
    const accessToken = jwtClaims(req.AccessToken);
    if (accessToken) await this.#lifecycle.checkAccessToken(ctx, pool, accessToken);
    switch (target) {
      case 'AdminCreateUser':
        if (req.MessageAction === 'RESEND') return this.#lifecycle.resendInvitation(ctx, pool, req);
        return route(ctx, this.adminCreateUser(pool, req));
      case 'AdminResetUserPassword':
        return this.#lifecycle.resetPassword(ctx, pool, req);
      case 'AdminUserGlobalSignOut':
        return this.#lifecycle.adminGlobalSignOut(ctx, pool, req.Username);
      case 'GlobalSignOut':
        return this.#lifecycle.globalSignOut(ctx, pool, req.AccessToken);
      case 'AdminLinkProviderForUser':
        return this.services.identityLinks.link(ctx, pool, body as LinkRequest);
      case 'AdminDisableProviderForUser':
        return this.services.identityLinks.disable(ctx, pool, body as DisableRequest);
      case 'AdminDisableUser': {
        const res: unknown = await route(ctx, req);
        await this.#lifecycle.revokeAccessTokens(ctx, pool, req.Username);
        return res;
      }
      case 'ForgotPassword':
        await this.#lifecycle.checkForgotPassword(ctx, pool, req.Username);
        return route(ctx, req);
      case 'InitiateAuth':
      case 'AdminInitiateAuth': {
        const auth = target === 'AdminInitiateAuth' ? adminPasswordFlow(req) : req;
        await this.beforeInitiateAuth(ctx, pool, auth);
        const setup = target === 'InitiateAuth' ? await this.mfaSetupAtSignIn(ctx, pool, auth) : undefined;
        if (setup) return setup;
        const res: InitiateAuthResponse = await route(ctx, auth);
        this.rememberChallenge(pool, res);
        return res;
      }
      case 'RespondToAuthChallenge':
        return this.respondToAuthChallenge(ctx, pool, route, req);
      case 'AssociateSoftwareToken':
        if (req.AccessToken || typeof req.Session !== 'string') return route(ctx, req);
        return this.associateSoftwareToken(ctx, pool, req.Session);
      case 'VerifySoftwareToken':
        if (req.AccessToken || typeof req.Session !== 'string') return this.verifyWithToken(ctx, route, req);
        return this.verifySoftwareToken(ctx, pool, req.Session, req);
      case 'ChangePassword':
        await this.beforeChangePassword(ctx, pool, req);
        return route(ctx, req);
      case 'ConfirmForgotPassword':
        checkNewPassword(pool.options, req.Password);
        await checkConfirmationCode(ctx, pool, req.Username, req.ConfirmationCode);
        return route(ctx, req);
      case 'AdminSetUserPassword':
        checkNewPassword(pool.options, req.Password);
        return route(ctx, req);
      case 'CreateUserPoolClient':
        return this.createUserPoolClient(ctx, pool, route, body as CognitoRequest & AppClientOAuth);
      case 'DeleteUserPool':
        return this.deleteUserPool(ctx, pool, route, req);
      default:
        return route(ctx, req);
    }
  }

  /** Scopes and OAuth flows checked as AWS checks them; a generated secret as long as AWS's. */
  private async createUserPoolClient(
    ctx: Context,
    pool: UserPoolService,
    route: Route,
    req: CognitoRequest & AppClientOAuth,
  ): Promise<unknown> {
    checkAppClientOAuth(req, this.services.resourceServers(pool.options.Id));
    const res = (await route(ctx, req)) as { UserPoolClient?: { ClientId?: string; ClientSecret?: string } };
    const created = res.UserPoolClient;
    if (!req.GenerateSecret || !created?.ClientId) return res;
    const client = await this.services.cognito.getAppClient(ctx, created.ClientId);
    if (!client) return res;
    const secret = clientSecret();
    await pool.saveAppClient(ctx, { ...client, ClientSecret: secret });
    return { ...res, UserPoolClient: { ...created, ClientSecret: secret } };
  }

  /**
   * The pool goes with its app clients, as in AWS (cognito-local deletes the pool's file only, leaving its clients in
   * `clients.json`). Clients first: a retry after a fault half-way still finds the pool, and finishes.
   */
  private async deleteUserPool(
    ctx: Context,
    pool: UserPoolService,
    route: Route,
    req: CognitoRequest,
  ): Promise<unknown> {
    for (const client of await this.services.cognito.listAppClients(ctx, pool.options.Id)) {
      await pool.deleteAppClient(ctx, client);
    }
    return route(ctx, req);
  }

  /** The error AWS gives one of OWN_TARGETS when the pool, or the access token's client, is unknown. */
  private async withoutPool(ctx: Context, target: string, req: CognitoRequest): Promise<never> {
    if (target === 'GlobalSignOut') throw new NotAuthorizedError(INVALID_ACCESS_TOKEN);
    if (typeof req.UserPoolId !== 'string') {
      throw new InvalidParameterError('Missing required parameter UserPoolId');
    }
    await this.services.cognito.getUserPool(ctx, req.UserPoolId); // throws ResourceNotFoundException
    throw new InvalidParameterError(`Unknown user pool ${req.UserPoolId}`);
  }

  /** The pool a request is about: from UserPoolId, ClientId, or (ChangePassword) the access token's client. */
  private async poolOf(ctx: Context, req: CognitoRequest): Promise<UserPoolService | undefined> {
    const { cognito } = this.services;
    const clientId = typeof req.ClientId === 'string' ? req.ClientId : jwtClaims(req.AccessToken)?.client_id;
    // AssociateSoftwareToken and VerifySoftwareToken in the MFA_SETUP flow name only the Session.
    const session = typeof req.Session === 'string' ? this.#sessions.get(req.Session) : undefined;
    try {
      if (!clientId && !req.UserPoolId && session) return await cognito.getUserPool(ctx, session.userPoolId);
      if (typeof req.UserPoolId === 'string') return await cognito.getUserPool(ctx, req.UserPoolId);
      if (typeof clientId === 'string') return await cognito.getUserPoolForClientId(ctx, clientId);
    } catch (error: unknown) {
      if (error instanceof CognitoError) return undefined;
      throw error;
    }
    return undefined;
  }

  private adminCreateUser(pool: UserPoolService, req: CognitoRequest): CognitoRequest {
    // AWS checks a given temporary password against the policy, and generates a conforming one otherwise;
    // cognito-local would invent a 6-character one that the policy could never accept.
    if (req.TemporaryPassword !== undefined) {
      checkNewPassword(pool.options, req.TemporaryPassword);
      return req;
    }
    return { ...req, TemporaryPassword: generateTemporaryPassword(poolPasswordPolicy(pool.options)) };
  }

  /** InitiateAuth and AdminInitiateAuth: their password and refresh flows. */
  private async beforeInitiateAuth(ctx: Context, pool: UserPoolService, req: CognitoRequest): Promise<void> {
    const params = req.AuthParameters ?? {};
    switch (req.AuthFlow) {
      case 'USER_PASSWORD_AUTH':
      case 'ADMIN_USER_PASSWORD_AUTH':
        return this.checkPasswordSignIn(ctx, pool, req, params.USERNAME, params.PASSWORD);
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN':
        return this.checkRefresh(ctx, pool, params.REFRESH_TOKEN);
    }
  }

  /**
   * cognito-local answers a FORCE_CHANGE_PASSWORD user's sign-in with the challenge without looking at the
   * password, lets disabled users in, and says InvalidPasswordException where AWS says NotAuthorizedException.
   * It has no PreAuthentication trigger: AWS invokes it once the user is looked up and before the password is
   * checked, so a refusing function wins over a wrong password, and a refused sign-in reaches no other trigger.
   */
  private async checkPasswordSignIn(
    ctx: Context,
    pool: UserPoolService,
    req: CognitoRequest,
    username: string | undefined,
    password: string | undefined,
  ): Promise<void> {
    if (typeof username !== 'string' || typeof password !== 'string') return; // cognito-local reports it
    const { triggers } = this.services;
    const user = await pool.getUserByUsername(ctx, username);
    if (!user && triggers.enabled('UserMigration')) return; // cognito-local migrates, then signs in
    const client = req.ClientId ? await this.services.cognito.getAppClient(ctx, req.ClientId) : null;
    // With PreventUserExistenceErrors ENABLED, AWS invokes it for an unknown user too, with userNotFound true.
    const hidesUsers = client?.PreventUserExistenceErrors === 'ENABLED';
    if (req.ClientId && (user || hidesUsers) && triggers.enabled('PreAuthentication')) {
      await triggers.preAuthentication(ctx, {
        clientId: req.ClientId,
        clientMetadata: req.ClientMetadata,
        userPoolId: pool.options.Id,
        username,
        user,
        reportUserNotFound: hidesUsers,
      });
    }
    // An app client with PreventUserExistenceErrors ENABLED hides whether the user exists; LEGACY says so.
    if (!user) throw hidesUsers ? new NotAuthorizedError(INCORRECT) : new UserNotFoundError(USER_NOT_FOUND);
    // After AdminResetUserPassword the password is gone: whatever is given, the answer is "reset it".
    if (user.UserStatus === 'RESET_REQUIRED') {
      throw new CognitoError('PasswordResetRequiredException', PASSWORD_RESET_REQUIRED);
    }
    this.checkLockout(pool, user, user.Password === password);
    if (user.Password !== password) throw new NotAuthorizedError(INCORRECT);
    if (!user.Enabled) throw new NotAuthorizedError(DISABLED);
    if (user.UserStatus === 'FORCE_CHANGE_PASSWORD' && this.temporaryPasswordExpired(pool, user)) {
      throw new NotAuthorizedError(TEMPORARY_EXPIRED);
    }
  }

  /**
   * Counts a sign-in attempt. While locked out every attempt is refused, the right password too, and counts as
   * another failure (so guessing on only lengthens the lockout).
   */
  private checkLockout(pool: UserPoolService, user: User, passwordMatches: boolean): void {
    const key = `${pool.options.Id}/${user.Username}`;
    const now = this.services.clock.get().getTime();
    const failures = this.#failures.get(key) ?? { count: 0, lockedUntil: 0 };
    const locked = failures.lockedUntil > now;
    if (passwordMatches && !locked) {
      this.#failures.delete(key);
      return;
    }
    const count = failures.count + 1;
    const lockout =
      count >= FREE_FAILURES ? Math.min(1000 * 2 ** (count - FREE_FAILURES), MAX_LOCKOUT_MS) : 0;
    this.#failures.set(key, { count, lockedUntil: lockout ? now + lockout : 0 });
    if (locked) throw new NotAuthorizedError(ATTEMPTS_EXCEEDED);
  }

  private temporaryPasswordExpired(pool: UserPoolService, user: User): boolean {
    // cognito-local keeps no "password set at"; AdminCreateUser and AdminSetUserPassword both stamp
    // UserLastModifiedDate, so it is that date (a later attribute edit extends the validity, offline only).
    const setAt = new Date(user.UserLastModifiedDate).getTime();
    const validFor = poolPasswordPolicy(pool.options).temporaryPasswordValidityDays * DAY_MS;
    return this.services.clock.get().getTime() - setAt > validFor;
  }

  private async respondToAuthChallenge(
    ctx: Context,
    pool: UserPoolService,
    route: Route,
    req: CognitoRequest,
  ): Promise<RespondToAuthChallengeResponse> {
    const username = req.ChallengeResponses?.USERNAME;
    const user = username ? await pool.getUserByUsername(ctx, username) : null;
    if (user && req.Session) {
      // cognito-local accepts any Session string, so anyone could set a new password for any user.
      this.checkSession(pool, user, req.ChallengeName, req.Session);
      if (req.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
        checkNewPassword(pool.options, req.ChallengeResponses?.NEW_PASSWORD);
        const next = await this.mfaAfterNewPassword(ctx, pool, user, req);
        if (next) return next;
      }
      if (req.ChallengeName === 'SOFTWARE_TOKEN_MFA') this.checkTotp(pool, user, req.ChallengeResponses);
      if (req.ChallengeName === 'MFA_SETUP') return this.completeMfaSetup(ctx, pool, user, req);
    }
    const res: RespondToAuthChallengeResponse = await route(ctx, req);
    if (req.Session) this.#sessions.delete(req.Session);
    this.rememberChallenge(pool, res);
    const refreshToken = res.AuthenticationResult?.RefreshToken;
    if (user && refreshToken) {
      // cognito-local returns a refresh token here but never stores it, so it could not be used; AWS's works.
      const current = await pool.getUserByUsername(ctx, user.Username);
      if (current) await pool.storeRefreshToken(ctx, refreshToken, current);
    }
    return res;
  }

  private async beforeChangePassword(ctx: Context, pool: UserPoolService, req: CognitoRequest) {
    checkNewPassword(pool.options, req.ProposedPassword);
    const username = jwtClaims(req.AccessToken)?.username;
    const user = typeof username === 'string' ? await pool.getUserByUsername(ctx, username) : null;
    if (user && user.Password !== req.PreviousPassword) throw new NotAuthorizedError(INCORRECT);
  }

  /** cognito-local refuses an unknown refresh token, but lets a disabled user refresh. */
  private async checkRefresh(ctx: Context, pool: UserPoolService, refreshToken: string | undefined) {
    if (!refreshToken) return; // cognito-local reports the missing parameter
    const user = await pool.getUserByRefreshToken(ctx, refreshToken);
    if (!user) {
      const revoked = await this.#lifecycle.isRevokedRefreshToken(ctx, pool, refreshToken);
      throw new NotAuthorizedError(revoked ? REFRESH_TOKEN_REVOKED : INVALID_REFRESH_TOKEN);
    }
    if (!user.Enabled) throw new NotAuthorizedError(DISABLED);
  }

  private rememberChallenge(
    pool: UserPoolService,
    res: InitiateAuthResponse | RespondToAuthChallengeResponse,
  ) {
    const username = res.ChallengeParameters?.USER_ID_FOR_SRP;
    if (!res.ChallengeName || !res.Session || !username) return;
    const now = this.services.clock.get().getTime();
    for (const [id, session] of this.#sessions) if (session.expiresAt < now) this.#sessions.delete(id);
    this.#sessions.set(res.Session, {
      userPoolId: pool.options.Id,
      username,
      challenge: res.ChallengeName,
      expiresAt: now + SESSION_TTL_MS,
    });
  }

  private checkSession(pool: UserPoolService, user: User, challenge: string | undefined, id: string): void {
    const session = this.#sessions.get(id);
    if (
      !session ||
      session.userPoolId !== pool.options.Id ||
      session.username !== user.Username ||
      session.challenge !== challenge
    ) {
      throw new NotAuthorizedError(INVALID_SESSION);
    }
    if (session.expiresAt < this.services.clock.get().getTime())
      throw new NotAuthorizedError(EXPIRED_SESSION);
  }

  // --- TOTP MFA: what cognito-local lacks (the MFA_SETUP challenge, set-up by Session) or words differently ---

  /**
   * Where the pool requires MFA (ON), a user without a verified authenticator is asked to set one up once the
   * password is right (cognito-local refuses them instead). Runs after beforeInitiateAuth's checks.
   */
  private async mfaSetupAtSignIn(
    ctx: Context,
    pool: UserPoolService,
    req: CognitoRequest,
  ): Promise<InitiateAuthResponse | undefined> {
    const username = req.AuthParameters?.USERNAME;
    if (req.AuthFlow !== 'USER_PASSWORD_AUTH' || typeof username !== 'string') return undefined;
    const user = await pool.getUserByUsername(ctx, username);
    if (user?.UserStatus !== 'CONFIRMED' || !needsMfaSetup(pool, user)) return undefined;
    return this.challenge(pool, user, 'MFA_SETUP');
  }

  /**
   * A new password with MFA to follow: AWS saves the password and asks for the second factor (MFA_SETUP, or the
   * code of the authenticator already set up) before any token or PostAuthentication; cognito-local signs in.
   */
  private async mfaAfterNewPassword(
    ctx: Context,
    pool: UserPoolService,
    user: User,
    req: CognitoRequest,
  ): Promise<RespondToAuthChallengeResponse | undefined> {
    const setup = needsMfaSetup(pool, user);
    if (!setup && !hasTotp(pool, user)) return undefined;
    await pool.saveUser(ctx, {
      ...user,
      Password: req.ChallengeResponses?.NEW_PASSWORD ?? user.Password,
      UserStatus: 'CONFIRMED',
      UserLastModifiedDate: this.services.clock.get(),
    });
    if (req.Session) this.#sessions.delete(req.Session);
    return this.challenge(pool, user, setup ? 'MFA_SETUP' : 'SOFTWARE_TOKEN_MFA');
  }

  private challenge(
    pool: UserPoolService,
    user: User,
    name: 'MFA_SETUP' | 'SOFTWARE_TOKEN_MFA',
  ): RespondToAuthChallengeResponse {
    const parameters: Record<string, string> = { USER_ID_FOR_SRP: user.Username };
    if (name === 'MFA_SETUP') parameters.MFAS_CAN_SETUP = '["SOFTWARE_TOKEN_MFA"]';
    const res: RespondToAuthChallengeResponse = {
      ChallengeName: name,
      Session: randomBytes(48).toString('base64url'),
      ChallengeParameters: parameters,
    };
    this.rememberChallenge(pool, res);
    return res;
  }

  /** The MFA_SETUP session of a request, live; it names the user being set up. */
  private async setupSession(ctx: Context, pool: UserPoolService, id: string) {
    const session = this.#sessions.get(id);
    if (session?.challenge !== 'MFA_SETUP' || session.userPoolId !== pool.options.Id) {
      throw new NotAuthorizedError(INVALID_SESSION);
    }
    if (session.expiresAt < this.services.clock.get().getTime())
      throw new NotAuthorizedError(EXPIRED_SESSION);
    const user = await pool.getUserByUsername(ctx, session.username);
    if (!user) throw new NotAuthorizedError(INVALID_SESSION);
    return { session, user };
  }

  /** AssociateSoftwareToken with the MFA_SETUP Session: a new secret for the user, and the Session to verify it. */
  private async associateSoftwareToken(ctx: Context, pool: UserPoolService, id: string) {
    const { session, user } = await this.setupSession(ctx, pool, id);
    const secret = generateSecret();
    await pool.saveUser(ctx, { ...user, SoftwareTokenMfaConfiguration: { Secret: secret, Verified: false } });
    return { SecretCode: secret, Session: this.nextSession(id, { ...session, verified: false }) };
  }

  /**
   * VerifySoftwareToken with the MFA_SETUP Session: a right code enables TOTP (and makes it preferred, as AWS does
   * at set-up); a wrong one is refused and counts towards the lockout, and the Session stays usable for a retry.
   */
  private async verifySoftwareToken(ctx: Context, pool: UserPoolService, id: string, req: CognitoRequest) {
    const { session, user } = await this.setupSession(ctx, pool, id);
    const secret = user.SoftwareTokenMfaConfiguration?.Secret;
    if (!secret) throw new InvalidParameterError('User has not associated a software token');
    const ok = typeof req.UserCode === 'string' && verifyTotp(secret, req.UserCode);
    this.checkLockout(pool, user, ok);
    if (!ok) throw new CognitoError('EnableSoftwareTokenMFAException', SOFTWARE_TOKEN_MISMATCH);
    const methods = new Set([...(user.UserMFASettingList ?? []), 'SOFTWARE_TOKEN_MFA']);
    await pool.saveUser(ctx, {
      ...user,
      SoftwareTokenMfaConfiguration: {
        Secret: secret,
        Verified: true,
        ...(req.FriendlyDeviceName ? { FriendlyDeviceName: req.FriendlyDeviceName } : {}),
      },
      UserMFASettingList: [...methods],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
    });
    return { Status: 'SUCCESS', Session: this.nextSession(id, { ...session, verified: true }) };
  }

  /** VerifySoftwareToken with an access token is cognito-local's; a wrong code in AWS's words. */
  private async verifyWithToken(ctx: Context, route: Route, req: CognitoRequest) {
    try {
      return await route(ctx, req);
    } catch (error) {
      if (error instanceof CodeMismatchError) {
        throw new CognitoError('EnableSoftwareTokenMFAException', SOFTWARE_TOKEN_MISMATCH);
      }
      throw error;
    }
  }

  /** RespondToAuthChallenge MFA_SETUP, once the token is verified: the sign-in completes as any other. */
  private async completeMfaSetup(
    ctx: Context,
    pool: UserPoolService,
    user: User,
    req: CognitoRequest,
  ): Promise<RespondToAuthChallengeResponse> {
    const session = req.Session ? this.#sessions.get(req.Session) : undefined;
    if (!session?.verified || !req.ClientId) throw new NotAuthorizedError(INVALID_SESSION);
    const client = await this.services.cognito.getAppClient(ctx, req.ClientId);
    if (!client) throw new NotAuthorizedError(INVALID_SESSION);
    if (req.Session) this.#sessions.delete(req.Session);
    const { triggers, tokenGenerator } = this.services;
    if (triggers.enabled('PostAuthentication')) {
      await triggers.postAuthentication(ctx, {
        clientId: req.ClientId,
        clientMetadata: req.ClientMetadata,
        source: 'PostAuthentication_Authentication',
        userAttributes: user.Attributes,
        username: user.Username,
        userPoolId: pool.options.Id,
      });
    }
    const groups = await pool.listUserGroupMembership(ctx, user);
    const tokens = await tokenGenerator.generate(
      ctx,
      user,
      groups,
      client,
      req.ClientMetadata,
      'Authentication',
    );
    await pool.storeRefreshToken(ctx, tokens.RefreshToken, user);
    return { ChallengeParameters: {}, AuthenticationResult: tokens };
  }

  /** A wrong authenticator code: Cognito's words, and one more failure towards the lockout. */
  private checkTotp(pool: UserPoolService, user: User, responses: Record<string, string> | undefined) {
    const secret = user.SoftwareTokenMfaConfiguration?.Secret;
    const code = responses?.SOFTWARE_TOKEN_MFA_CODE;
    const ok = !!secret && typeof code === 'string' && verifyTotp(secret, code);
    this.checkLockout(pool, user, ok);
    if (!ok) throw new CognitoError('CodeMismatchException', MFA_CODE_MISMATCH);
  }

  /** Each step of the set-up answers a new Session, as AWS's do; the old one ends. */
  private nextSession(id: string, session: ChallengeSession): string {
    const next = randomBytes(48).toString('base64url');
    this.#sessions.delete(id);
    this.#sessions.set(next, { ...session, expiresAt: this.services.clock.get().getTime() + SESSION_TTL_MS });
    return next;
  }
}

/** A pool that requires MFA, and a user with no verified authenticator app. */
function needsMfaSetup(pool: UserPoolService, user: User): boolean {
  return pool.options.MfaConfiguration === 'ON' && !user.SoftwareTokenMfaConfiguration?.Verified;
}

/** A user who will be asked for an authenticator code at sign-in. */
function hasTotp(pool: UserPoolService, user: User): boolean {
  return (
    pool.options.MfaConfiguration !== 'OFF' &&
    pool.options.MfaConfiguration !== undefined &&
    !!user.SoftwareTokenMfaConfiguration?.Verified &&
    (user.UserMFASettingList ?? []).includes('SOFTWARE_TOKEN_MFA')
  );
}

/**
 * ADMIN_NO_SRP_AUTH is the former name of ADMIN_USER_PASSWORD_AUTH, still accepted by AdminInitiateAuth;
 * cognito-local knows only the new name.
 */
function adminPasswordFlow(req: CognitoRequest): CognitoRequest {
  return req.AuthFlow === 'ADMIN_NO_SRP_AUTH' ? { ...req, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH' } : req;
}

/** cognito-local refuses a wrong code too, but in its own words. */
async function checkConfirmationCode(ctx: Context, pool: UserPoolService, username: unknown, code: unknown) {
  const user = typeof username === 'string' ? await pool.getUserByUsername(ctx, username) : null;
  if (user && user.ConfirmationCode !== code) throw new CognitoError('CodeMismatchException', CODE_MISMATCH);
}

function caseInsensitive(pool: UserPoolService): boolean {
  return pool.options.UsernameConfiguration?.CaseSensitive === false;
}

/**
 * cognito-local finds users by exact key, sub or email. In a case-insensitive pool AWS matches usernames and
 * email aliases in any case; Gatehouse stores emails lower-case and usernames are subs, so lower-casing the
 * name a request gives is enough.
 */
function lowerCaseUsernames(req: CognitoRequest): CognitoRequest {
  const out = { ...req };
  if (typeof req.Username === 'string') out.Username = req.Username.toLowerCase();
  for (const key of ['AuthParameters', 'ChallengeResponses'] as const) {
    const params = req[key];
    if (isRecord(params) && typeof params.USERNAME === 'string') {
      out[key] = { ...params, USERNAME: params.USERNAME.toLowerCase() };
    }
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
