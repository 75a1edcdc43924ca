// The offline Cognito's signing key (the one cognito-local ships): re-signing tokens with the claims the hosted
// login adds (nonce, OAuth scopes), verifying access tokens, and publishing the JWKS.
import { createPrivateKey, createPublicKey, type JsonWebKey, sign, verify } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const privateKey = createPrivateKey(
  (require('cognito-local/lib/keys/cognitoLocal.private.json') as { pem: string }).pem,
);
const publicJwk = (require('cognito-local/lib/keys/cognitoLocal.public.json') as { jwk: JsonWebKey }).jwk;
const publicKey = createPublicKey({ key: publicJwk, format: 'jwk' });

export const JWKS = { keys: [publicJwk] };

export type Claims = Record<string, unknown>;

/** The payload of a compact JWT, unverified, or undefined when it is not one. */
export function decodeJwt(token: string): { header: Claims; payload: Claims } | undefined {
  const [header, payload] = token.split('.');
  try {
    const parse = (part: string | undefined) =>
      JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as unknown;
    const h = parse(header);
    const p = parse(payload);
    if (!isRecord(h) || !isRecord(p)) return undefined;
    return { header: h, payload: p };
  } catch {
    return undefined;
  }
}

/** A new token with this payload, signed as cognito-local signs its own (RS256, kid `CognitoLocal`). */
export function signJwt(payload: Claims): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${encode({ kid: publicJwk.kid, alg: 'RS256' })}.${encode(payload)}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), privateKey).toString('base64url')}`;
}

/** The same token with `changes` merged into its payload, signed again with the same key and kid. */
export function resign(token: string, changes: Claims): string {
  const decoded = decodeJwt(token);
  if (!decoded) throw new Error('not a JWT');
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${encode(decoded.header)}.${encode({ ...decoded.payload, ...changes })}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), privateKey).toString('base64url')}`;
}

/** The payload of a token this Cognito signed and that has not expired; undefined otherwise. */
export function verifiedClaims(token: string, now: number): Claims | undefined {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return undefined;
  const valid = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    publicKey,
    Buffer.from(signature, 'base64url'),
  );
  const claims = valid ? decodeJwt(token)?.payload : undefined;
  if (!claims || typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return undefined;
  return claims;
}

function isRecord(value: unknown): value is Claims {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
