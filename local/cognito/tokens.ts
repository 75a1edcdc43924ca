// What revoking tokens needs and cognito-local's JWTs lack: the exact moment each access token was issued.
import type { Clock } from 'cognito-local/lib/services/clock.js';
import type { TokenGenerator } from 'cognito-local/lib/services/tokenGenerator.js';

/** The claims this module reads; cognito-local's tokens carry them all. */
export interface JwtClaims {
  client_id?: unknown;
  username?: unknown;
  token_use?: unknown;
  jti?: unknown;
  iat?: unknown;
  exp?: unknown;
}

/** The claims of a cognito-local token, unverified: only used to find the pool and user it names. */
export function jwtClaims(token: unknown): JwtClaims | undefined {
  if (typeof token !== 'string') return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Remembers, in memory, when each access token was issued, to the millisecond. A token's `iat` has whole
 * seconds only, so "issued before the sign-out" could not tell a token from just before a global sign-out from
 * one of a sign-in just after it, within the same second. Tokens not in the ledger (issued before a restart)
 * fall back to their `iat`.
 */
export class TokenLedger {
  readonly #issued = new Map<string, { at: number; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  /** The same generator, recording every access token it issues (sign-in, refresh, hosted UI). */
  recording(generator: TokenGenerator): TokenGenerator {
    return {
      generate: async (...args) => {
        const startedAt = this.clock.get().getTime();
        const tokens = await generator.generate(...args);
        this.remember(tokens.AccessToken, startedAt);
        return tokens;
      },
    };
  }

  /** When the token was issued, in epoch milliseconds. */
  issuedAt(claims: JwtClaims): number {
    const recorded = typeof claims.jti === 'string' ? this.#issued.get(claims.jti) : undefined;
    if (recorded) return recorded.at;
    return typeof claims.iat === 'number' ? claims.iat * 1000 : 0;
  }

  private remember(accessToken: string, at: number): void {
    const { jti, exp } = jwtClaims(accessToken) ?? {};
    if (typeof jti !== 'string' || typeof exp !== 'number') return;
    // Once expired a token is refused anyway, so its entry can go; entries are in (about) expiry order.
    for (const [id, entry] of this.#issued) {
      if (entry.expiresAt > at) break;
      this.#issued.delete(id);
    }
    this.#issued.set(jti, { at, expiresAt: exp * 1000 });
  }
}
