// An offline OpenID Provider (npm oidc-provider, OpenID-certified) standing in for a tenant's company identity
// provider: it signs in any email of its domain with one documented password, as development providers do.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import { escapeHtml, readForm } from './cognito/hosted/http.ts';
import { listenOnLoopback, stopper } from './free-port.ts';

export interface LocalIdentityProviderOptions {
  /** Shown on its sign-in page, e.g. "AcmeID". */
  name: string;
  /** The email domain whose people it signs in, e.g. acme.example.com. */
  domain: string;
  /** The one password every person of the domain signs in with. */
  password: string;
  /**
   * The OIDC client Cognito federates as (confidential: client secret basic). Its redirect URIs are read at the
   * first request: Cognito, whose address they hold, may start after the provider, which Cognito must know.
   */
  client: { clientId: string; clientSecret: string; redirectUris: () => string[] };
  /** 0 or undefined: a free port on 127.0.0.1. */
  port?: number;
}

export interface LocalIdentityProvider {
  issuer: string;
  stop(): Promise<void>;
}

/** A person's subject at the provider: stable for their email, opaque like a real provider's. */
export function subjectOf(email: string): string {
  return createHash('sha256')
    .update(`gatehouse-offline-idp:${email.toLowerCase()}`)
    .digest('hex')
    .slice(0, 32);
}

export async function startLocalIdentityProvider(
  options: LocalIdentityProviderOptions,
): Promise<LocalIdentityProvider> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => handler(req, res));
  const issuer = await listenOnLoopback(server, options.port ?? 0);
  const people = new Map<string, string>(); // subject → email, for the claims of who signed in

  // Its own signing key, made for this run: the package's built-in key is for quick starts only.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    use: 'sig',
    alg: 'RS256',
  };
  const configuration = (): Configuration => ({
    jwks: { keys: [signingKey] },
    clients: [
      {
        client_id: options.client.clientId,
        client_secret: options.client.clientSecret,
        redirect_uris: options.client.redirectUris(),
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'name'],
    },
    // Cognito reads the person from the ID token: the scopes' claims go in it, not only in userinfo.
    conformIdTokenClaims: false,
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const email = people.get(sub);
      if (!email) return undefined;
      const local = email.slice(0, email.indexOf('@'));
      const [given = local, family = ''] = local
        .split(/[._-]/)
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email,
          email_verified: true,
          given_name: given,
          ...(family ? { family_name: family } : {}),
          name: family ? `${given} ${family}` : given,
        }),
      };
    },
    // First-party: the person is not asked to consent to Cognito reading their email and name.
    async loadExistingGrant(ctx) {
      const { session, client } = ctx.oidc;
      if (!session?.accountId || !client) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
    ttl: {
      Interaction: 10 * 60,
      Session: 60 * 60,
      Grant: 60 * 60,
      IdToken: 60 * 60,
      AccessToken: 60 * 60,
      AuthorizationCode: 60,
    },
  });
  let made: { provider: Provider; callback: ReturnType<Provider['callback']> } | undefined;
  const oidc = () => {
    if (!made) {
      const provider = new Provider(issuer, configuration());
      made = { provider, callback: provider.callback() };
    }
    return made;
  };

  handler = (req, res) => {
    const { callback } = oidc();
    const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!interaction) return void callback(req, res);
    void signInPage(req, res, interaction[2] === '/login').catch(() => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('This sign-in has expired. Go back to the application and start again.');
    });
  };

  async function signInPage(req: IncomingMessage, res: ServerResponse, submitted: boolean) {
    const { provider } = oidc();
    const details = await provider.interactionDetails(req, res);
    if (!submitted) return page(res, details.uid);
    const form = await readForm(req);
    const email = (form?.get('email') ?? '').trim().toLowerCase();
    const domainOk = email.endsWith(`@${options.domain}`) && email.indexOf('@') > 0;
    if (!domainOk) return page(res, details.uid, email, `Only people of ${options.domain} sign in here.`);
    if (form?.get('password') !== options.password) return page(res, details.uid, email, 'Wrong password.');
    const sub = subjectOf(email);
    people.set(sub, email);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: sub } },
      { mergeWithLastSubmission: false },
    );
  }

  function page(res: ServerResponse, uid: string, email = '', error?: string) {
    const name = escapeHtml(options.name);
    res.writeHead(error ? 401 : 200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${name} sign-in</title></head><body>
<main><h1>${name}</h1><p>Offline company sign-in for people of ${escapeHtml(options.domain)}.</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="email">Work email</label><input id="email" name="email" type="email" autocomplete="username" value="${escapeHtml(email)}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Continue</button></form></main></body></html>`);
  }

  return { issuer, stop: stopper(server) };
}
