// The checks AWS Cognito makes and cognito-local skips, run in front of its target dispatch (see EMULATORS.md).
import type {
  InitiateAuthResponse,
  RespondToAuthChallengeResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoError, NotAuthorizedError, UserNotFoundError } from 'cognito-local/lib/errors.js';
import type { Route, Router } from 'cognito-local/lib/server/Router.js';
import type { Clock } from 'cognito-local/lib/services/clock.js';
import type { CognitoService } from 'cognito-local/lib/services/cognitoService.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { Triggers } from 'cognito-local/lib/services/triggers/triggers.js';
import type { User, UserPoolService } from 'cognito-local/lib/services/userPoolService.js';
import {
  generateTemporaryPassword,
  type PasswordPolicy,
  passwordPolicyViolation,
} from './password-policy.ts';

export interface ParityServices {
  clock: Clock;
  cognito: CognitoService;
  triggers: Triggers;
}

// AWS's own messages, word for word: clients (and Gatehouse's error mapping) may match on them.
const INCORRECT = 'Incorrect username or password.';
const DISABLED = 'User is disabled.';
const TEMPORARY_EXPIRED = 'Temporary password has expired and must be reset by an administrator.';
const INVALID_SESSION = 'Invalid session for the user.';
const EXPIRED_SESSION = 'Invalid session for the user, session is expired.';
const INVALID_REFRESH_TOKEN = 'Invalid Refresh Token';

// Cognito's authentication session (the Session between InitiateAuth and RespondToAuthChallenge) lasts 3 minutes.
const SESSION_TTL_MS = 3 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

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
  AuthFlow?: string;
  AuthParameters?: Record<string, string>;
  ChallengeName?: string;
  ChallengeResponses?: Record<string, string>;
  Session?: string;
  AccessToken?: string;
  PreviousPassword?: string;
  ProposedPassword?: string;
}

interface ChallengeSession {
  userPoolId: string;
  username: string;
  challenge: string;
  expiresAt: number;
}

class AwsParity {
  readonly #sessions = new Map<string, ChallengeSession>();

  constructor(private readonly services: ParityServices) {}

  async dispatch(target: string, route: Route, ctx: Context, body: CognitoRequest): Promise<unknown> {
    if (!isRecord(body)) return route(ctx, body);
    const pool = await this.poolOf(ctx, body);
    if (!pool) return route(ctx, body); // unknown pool or client: cognito-local answers with the right error
    const req = caseInsensitive(pool) ? lowerCaseUsernames(body) : body;
    switch (target) {
      case 'AdminCreateUser':
        return route(ctx, this.adminCreateUser(pool, req));
      case 'InitiateAuth':
      case 'AdminInitiateAuth': {
        await this.beforeInitiateAuth(ctx, pool, req);
        const res: InitiateAuthResponse = await route(ctx, req);
        this.rememberChallenge(pool, res);
        return res;
      }
      case 'RespondToAuthChallenge':
        return this.respondToAuthChallenge(ctx, pool, route, req);
      case 'ChangePassword':
        await this.beforeChangePassword(ctx, pool, req);
        return route(ctx, req);
      case 'ConfirmForgotPassword':
      case 'AdminSetUserPassword':
        checkNewPassword(pool, req.Password);
        return route(ctx, req);
      default:
        return route(ctx, req);
    }
  }

  /** The pool a request is about: from UserPoolId, ClientId, or (ChangePassword) the access token's client. */
  private async poolOf(ctx: Context, req: CognitoRequest): Promise<UserPoolService | undefined> {
    const { cognito } = this.services;
    const clientId =
      typeof req.ClientId === 'string' ? req.ClientId : accessTokenClaims(req.AccessToken)?.client_id;
    try {
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
      checkNewPassword(pool, req.TemporaryPassword);
      return req;
    }
    return { ...req, TemporaryPassword: generateTemporaryPassword(policyOf(pool)) };
  }

  /** InitiateAuth and AdminInitiateAuth: their password and refresh flows. */
  private async beforeInitiateAuth(ctx: Context, pool: UserPoolService, req: CognitoRequest): Promise<void> {
    const params = req.AuthParameters ?? {};
    switch (req.AuthFlow) {
      case 'USER_PASSWORD_AUTH':
      case 'ADMIN_USER_PASSWORD_AUTH':
        return this.checkPasswordSignIn(ctx, pool, req.ClientId, params.USERNAME, params.PASSWORD);
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN':
        return checkRefresh(ctx, pool, params.REFRESH_TOKEN);
    }
  }

  /**
   * cognito-local answers a FORCE_CHANGE_PASSWORD user's sign-in with the challenge without looking at the
   * password, lets disabled users in, and says InvalidPasswordException where AWS says NotAuthorizedException.
   */
  private async checkPasswordSignIn(
    ctx: Context,
    pool: UserPoolService,
    clientId: string | undefined,
    username: string | undefined,
    password: string | undefined,
  ): Promise<void> {
    if (typeof username !== 'string' || typeof password !== 'string') return; // cognito-local reports it
    const user = await pool.getUserByUsername(ctx, username);
    if (!user) {
      if (this.services.triggers.enabled('UserMigration')) return; // cognito-local migrates, then signs in
      throw await this.unknownUserError(ctx, clientId);
    }
    if (user.Password !== password) throw new NotAuthorizedError(INCORRECT);
    if (!user.Enabled) throw new NotAuthorizedError(DISABLED);
    if (user.UserStatus === 'FORCE_CHANGE_PASSWORD' && this.temporaryPasswordExpired(pool, user)) {
      throw new NotAuthorizedError(TEMPORARY_EXPIRED);
    }
  }

  private async unknownUserError(ctx: Context, clientId: string | undefined): Promise<CognitoError> {
    const client = clientId ? await this.services.cognito.getAppClient(ctx, clientId) : null;
    // An app client with PreventUserExistenceErrors ENABLED hides whether the user exists; LEGACY says so.
    return client?.PreventUserExistenceErrors === 'ENABLED'
      ? new NotAuthorizedError(INCORRECT)
      : new UserNotFoundError('User does not exist.');
  }

  private temporaryPasswordExpired(pool: UserPoolService, user: User): boolean {
    // cognito-local keeps no "password set at"; AdminCreateUser and AdminSetUserPassword both stamp
    // UserLastModifiedDate, so it is that date (a later attribute edit extends the validity, offline only).
    const setAt = new Date(user.UserLastModifiedDate).getTime();
    const validFor = policyOf(pool).temporaryPasswordValidityDays * DAY_MS;
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
      if (req.ChallengeName === 'NEW_PASSWORD_REQUIRED')
        checkNewPassword(pool, req.ChallengeResponses?.NEW_PASSWORD);
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
    checkNewPassword(pool, req.ProposedPassword);
    const username = accessTokenClaims(req.AccessToken)?.username;
    const user = typeof username === 'string' ? await pool.getUserByUsername(ctx, username) : null;
    if (user && user.Password !== req.PreviousPassword) throw new NotAuthorizedError(INCORRECT);
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
}

async function checkRefresh(
  ctx: Context,
  pool: UserPoolService,
  refreshToken: string | undefined,
): Promise<void> {
  if (!refreshToken) return; // cognito-local reports the missing parameter
  const user = await pool.getUserByRefreshToken(ctx, refreshToken);
  if (!user) throw new NotAuthorizedError(INVALID_REFRESH_TOKEN);
  if (!user.Enabled) throw new NotAuthorizedError(DISABLED);
}

function checkNewPassword(pool: UserPoolService, password: unknown): void {
  if (typeof password !== 'string') return; // cognito-local reports the missing parameter
  const violation = passwordPolicyViolation(password, policyOf(pool));
  if (violation) throw new CognitoError('InvalidPasswordException', violation);
}

function policyOf(pool: UserPoolService): PasswordPolicy {
  // Cognito's defaults for whatever the pool leaves unset.
  const p = pool.options.Policies?.PasswordPolicy;
  return {
    minimumLength: p?.MinimumLength ?? 8,
    requireLowercase: p?.RequireLowercase ?? true,
    requireUppercase: p?.RequireUppercase ?? true,
    requireNumbers: p?.RequireNumbers ?? true,
    requireSymbols: p?.RequireSymbols ?? true,
    temporaryPasswordValidityDays: p?.TemporaryPasswordValidityDays ?? 7,
  };
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

/** The claims of a cognito-local access token, unverified: only used to find the pool and user it names. */
function accessTokenClaims(token: unknown): { client_id?: unknown; username?: unknown } | undefined {
  if (typeof token !== 'string') return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return isRecord(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
