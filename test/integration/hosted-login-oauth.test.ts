// The hosted login's OAuth endpoints as an OIDC client library uses them: discovery, authorize, token (code with
// PKCE, refresh), userInfo, revoke. The sign-in itself is posted as the login page's form would be.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { activeUser, adminToken } from '#test/support/offline.ts';

const env = inject('environment');
const [acme] = env.tenants as [(typeof env.tenants)[0]];
const cognito = env.endpoints.cognito;
const redirectUri = `${env.appUrl}/acme/callback`;

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  revocation_endpoint: string;
  jwks_uri: string;
}

const discovery = async () =>
  (await (await fetch(`${acme.issuer}/.well-known/openid-configuration`)).json()) as Discovery;

/** A browser's visit, without a browser: follows nothing, keeps the cookies it is given. */
class Visitor {
  readonly cookies = new Map<string, string>();

  async get(url: string) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: this.header() } });
    this.keep(response);
    return response;
  }

  async post(url: string, form: Record<string, string>) {
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    this.keep(response);
    return response;
  }

  private header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = (pair ?? '').split('=');
      if (name) this.cookies.set(name, value ?? '');
    }
  }
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Authorizes with PKCE, signs in on the page, and answers the code the client receives. */
async function authorizationCode(email: string, password: string, extra: Record<string, string> = {}) {
  const { authorization_endpoint } = await discovery();
  const { verifier, challenge } = pkce();
  const visitor = new Visitor();
  const authorize = new URL(authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: acme.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid email',
    state: 'the-state',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  const toLogin = await visitor.get(authorize.toString());
  expect(toLogin.status).toBe(302);
  const loginUrl = new URL(toLogin.headers.get('location') ?? '', cognito).toString();
  const form = await (await visitor.get(loginUrl)).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form)?.[1] ?? '';
  const signedIn = await visitor.post(loginUrl, { _csrf: csrf, username: email, password });
  expect(signedIn.status).toBe(302);
  const back = new URL(signedIn.headers.get('location') ?? '');
  expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
  expect(back.searchParams.get('state')).toBe('the-state');
  return { code: back.searchParams.get('code') ?? '', verifier, visitor, csrf, loginUrl };
}

async function token(form: Record<string, string>) {
  const { token_endpoint } = await discovery();
  const response = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('hosted login OAuth endpoints', () => {
  it('publishes OpenID discovery and the JWKS at the issuer', async () => {
    const doc = await discovery();
    expect(doc.issuer).toBe(acme.issuer);
    expect(doc.authorization_endpoint).toBe(`${cognito}/oauth2/authorize`);
    const jwks = (await (await fetch(doc.jwks_uri)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(['CognitoLocal']);
    expect((await fetch(`${cognito}/us-east-1_Nowhere/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('exchanges a code once, with its PKCE verifier; the tokens carry the nonce, scopes and Gatehouse claims', async () => {
    const user = await activeUser(env, acme, await adminToken(env, acme));
    const { code, verifier } = await authorizationCode(user.email, user.password, { nonce: 'n-123' });
    const base = {
      grant_type: 'authorization_code',
      client_id: acme.clientId,
      redirect_uri: redirectUri,
      code,
    };

    const ok = await token({ ...base, code_verifier: verifier });
    expect(ok.status).toBe(200);
    const id = claims(ok.body.id_token ?? '');
    expect(id).toMatchObject({
      nonce: 'n-123',
      aud: acme.clientId,
      iss: acme.issuer,
      'gatehouse:tenant': 'acme',
    });
    expect(claims(ok.body.access_token ?? '').scope).toBe('openid email');

    const again = await token({ ...base, code_verifier: verifier });
    expect(again).toEqual({ status: 400, body: { error: 'invalid_grant' } });

    const userInfo = await fetch((await discovery()).userinfo_endpoint, {
      headers: { authorization: `Bearer ${ok.body.access_token}` },
    });
    expect(await userInfo.json()).toMatchObject({ email: user.email, email_verified: true });

    const refreshed = await token({
      grant_type: 'refresh_token',
      client_id: acme.clientId,
      refresh_token: ok.body.refresh_token ?? '',
    });
    expect(refreshed.status).toBe(200);
    expect(claims(refreshed.body.id_token ?? '')['gatehouse:user']).toBe(user.id);

    const revoked = await fetch((await discovery()).revocation_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: ok.body.refresh_token ?? '', client_id: acme.clientId }),
    });
    expect(revoked.status).toBe(200);
    const afterRevoke = await token({
      grant_type: 'refresh_token',
      client_id: acme.clientId,
      refresh_token: ok.body.refresh_token ?? '',
    });
    expect(afterRevoke).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses a wrong verifier, another redirect URI or another client, and burns the code', async () => {
    const user = await activeUser(env, acme, await adminToken(env, acme));
    for (const wrong of [
      { code_verifier: 'x'.repeat(43) },
      { redirect_uri: 'http://127.0.0.1:1/elsewhere' },
      { client_id: 'globexlocalclient' },
    ]) {
      const { code, verifier } = await authorizationCode(user.email, user.password);
      const base = {
        grant_type: 'authorization_code',
        client_id: acme.clientId,
        redirect_uri: redirectUri,
        code,
        code_verifier: verifier,
      };
      expect((await token({ ...base, ...wrong })).status).toBeGreaterThanOrEqual(400);
      expect(await token(base)).toEqual({ status: 400, body: { error: 'invalid_grant' } });
    }
  });

  it('never sends a browser to a redirect URI the client did not register', async () => {
    const visitor = new Visitor();
    for (const uri of [`${redirectUri}/../evil`, `${redirectUri}?x=1`, 'https://evil.example.com/callback']) {
      const url = new URL('/oauth2/authorize', cognito);
      url.search = new URLSearchParams({
        client_id: acme.clientId,
        response_type: 'code',
        redirect_uri: uri,
      }).toString();
      const response = await visitor.get(url.toString());
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
    }
  });

  it('tells the client about a bad scope or prompt=none without a session, at its registered redirect URI', async () => {
    const visitor = new Visitor();
    for (const [extra, error] of [
      [{ scope: 'openid admin' }, 'invalid_scope'],
      [{ prompt: 'none' }, 'login_required'],
    ] as const) {
      const url = new URL('/oauth2/authorize', cognito);
      url.search = new URLSearchParams({
        client_id: acme.clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        state: 's',
        ...extra,
      }).toString();
      const response = await visitor.get(url.toString());
      const location = new URL(response.headers.get('location') ?? '');
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('state')).toBe('s');
    }
  });

  it('refuses a form without its CSRF token, and sets its cookies HttpOnly and SameSite=Lax', async () => {
    const user = await activeUser(env, acme, await adminToken(env, acme));
    const visitor = new Visitor();
    const page = await fetch(acme.loginUrl);
    expect(page.headers.get('cache-control')).toBe('no-store');
    for (const line of page.headers.getSetCookie()) expect(line).toMatch(/HttpOnly; SameSite=Lax/);
    const forged = await visitor.post(acme.loginUrl, { username: user.email, password: user.password });
    expect(forged.status).toBe(403);
    const wrong = await visitor.post(acme.loginUrl, {
      _csrf: 'guessed',
      username: user.email,
      password: user.password,
    });
    expect(wrong.status).toBe(403);
  });
});
