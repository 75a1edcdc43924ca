// Signs Cognito-shaped ID tokens with a throw-away key, and serves its JWKS, for tests without an emulator.
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KID = 'unit-test-key';

export const testJwks = {
  keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }],
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function idToken(
  claims: { iss: string; aud: string; sub?: string; 'custom:userId'?: string } & Record<string, unknown>,
) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    sub: randomUUID(),
    token_use: 'id',
    iat: now,
    exp: now + 3600,
    auth_time: now,
    ...claims,
  };
  const unsigned = `${b64({ alg: 'RS256', kid: KID, typ: 'JWT' })}.${b64(payload)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url');
  return `${unsigned}.${signature}`;
}
