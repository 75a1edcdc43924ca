// A small application to land in after signing in offline: it starts the authorization code flow with PKCE,
// exchanges the code, shows who signed in and the Gatehouse claims, and signs out. A standard OIDC client.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, stopper } from './free-port.ts';

export interface LocalAppTenant {
  id: string;
  name: string;
  clientId: string;
  /** The Cognito base URL (hosted login and token endpoint). */
  cognitoUrl: string;
}

export interface LocalApp {
  url: string;
  /** This app's redirect URI for a tenant: registered on the tenant's app client. */
  callbackUrl(tenantId: string): string;
  /** Where Cognito's logout sends people back to: registered as a logout URL. */
  signedOutUrl(tenantId: string): string;
  /** Tenants are known once Cognito runs; the app answers 404 until then. */
  setTenants(tenants: LocalAppTenant[]): void;
  stop(): Promise<void>;
}

interface Pending {
  tenantId: string;
  verifier: string;
  nonce: string;
  expiresAt: number;
}

interface SignedIn {
  tenantId: string;
  idToken: string;
  refreshToken: string;
  csrf: string;
}

const SESSION_COOKIE = 'gatehouse-app';
const PENDING_TTL_MS = 10 * 60_000;

export async function startLocalApp(port = 0): Promise<LocalApp> {
  let tenants: LocalAppTenant[] = [];
  const pending = new Map<string, Pending>();
  const sessions = new Map<string, SignedIn>();
  let base = '';

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('local app:', error);
      if (!res.headersSent) send(res, 400, page('Error', '<p role="alert">Something went wrong.</p>'));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', base);
    if (url.pathname === '/') return send(res, 200, home(tenants));
    const match = /^\/([a-z][a-z0-9]*)\/(sign-in|callback|sign-out|)$/.exec(url.pathname);
    const tenant = tenants.find((t) => t.id === match?.[1]);
    if (!match || !tenant) return send(res, 404, page('Not found', '<p>No such page.</p>'));
    const action = `${req.method} ${match[2]}`;
    const session = sessionOf(req);

    if (action === 'GET ')
      return send(res, 200, tenantPage(tenant, session?.tenantId === tenant.id ? session : undefined));
    if (action === 'GET sign-in') {
      const state = random();
      const verifier = random();
      const nonce = random();
      pending.set(state, { tenantId: tenant.id, verifier, nonce, expiresAt: Date.now() + PENDING_TTL_MS });
      const authorize = new URL('/oauth2/authorize', tenant.cognitoUrl);
      authorize.search = new URLSearchParams({
        client_id: tenant.clientId,
        response_type: 'code',
        redirect_uri: callbackUrl(tenant.id),
        scope: 'openid email profile',
        state,
        nonce,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      return redirect(res, authorize.toString());
    }
    if (action === 'GET callback') return callback(res, tenant, url.searchParams);
    if (action === 'POST sign-out') {
      const form = new URLSearchParams(await body(req));
      if (!session || !same(session.csrf, form.get('csrf')))
        return send(res, 403, page('Refused', '<p role="alert">Refused.</p>'));
      sessions.delete(cookieOf(req) ?? '');
      // The refresh token is revoked, then Cognito's login session ends and it sends the browser back here.
      await fetch(new URL('/oauth2/revoke', tenant.cognitoUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: session.refreshToken, client_id: tenant.clientId }),
      });
      const logout = new URL('/logout', tenant.cognitoUrl);
      logout.search = new URLSearchParams({
        client_id: tenant.clientId,
        logout_uri: signedOutUrl(tenant.id),
      }).toString();
      return redirect(
        res,
        logout.toString(),
        `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
      );
    }
    return send(res, 405, page('Not allowed', '<p>Method not allowed.</p>'));
  }

  async function callback(res: ServerResponse, tenant: LocalAppTenant, params: URLSearchParams) {
    const error = params.get('error');
    if (error)
      return send(
        res,
        400,
        page('Sign-in failed', `<p role="alert">The login page answered ${esc(error)}.</p>`),
      );
    const state = params.get('state');
    const started = state ? pending.get(state) : undefined;
    if (state) pending.delete(state);
    // A code without state comes from a link straight to the login page (the welcome mail), as with Cognito's
    // managed login: there is no verifier to send. A state this app did not issue is refused.
    if (state && (!started || started.tenantId !== tenant.id || started.expiresAt < Date.now())) {
      return send(
        res,
        400,
        page(
          'Sign-in failed',
          '<p role="alert">This sign-in was not started here, or took too long. Please sign in again.</p>',
        ),
      );
    }
    const tokenResponse = await fetch(new URL('/oauth2/token', tenant.cognitoUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: tenant.clientId,
        code: params.get('code') ?? '',
        redirect_uri: callbackUrl(tenant.id),
        ...(started ? { code_verifier: started.verifier } : {}),
      }),
    });
    const tokens = (await tokenResponse.json()) as {
      id_token?: string;
      refresh_token?: string;
      error?: string;
    };
    if (!tokenResponse.ok || !tokens.id_token || !tokens.refresh_token) {
      return send(
        res,
        400,
        page(
          'Sign-in failed',
          `<p role="alert">The token endpoint answered ${esc(tokens.error ?? String(tokenResponse.status))}.</p>`,
        ),
      );
    }
    if (started && claimsOf(tokens.id_token).nonce !== started.nonce) {
      return send(
        res,
        400,
        page('Sign-in failed', '<p role="alert">The ID token is not for this sign-in.</p>'),
      );
    }
    const id = random();
    sessions.set(id, {
      tenantId: tenant.id,
      idToken: tokens.id_token,
      refreshToken: tokens.refresh_token,
      csrf: random(),
    });
    // Back to the tenant's page, so the code leaves the address bar and the history.
    redirect(res, `/${tenant.id}/`, `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
  }

  function sessionOf(req: IncomingMessage) {
    const id = cookieOf(req);
    return id ? sessions.get(id) : undefined;
  }

  const callbackUrl = (tenantId: string) => `${base}/${tenantId}/callback`;
  const signedOutUrl = (tenantId: string) => `${base}/${tenantId}/`;

  base = await listenOnLoopback(server, port);
  return {
    url: base,
    callbackUrl,
    signedOutUrl,
    setTenants(list) {
      tenants = list;
    },
    stop: stopper(server),
  };
}

function home(tenants: LocalAppTenant[]) {
  const items = tenants.map((t) => `<li><a href="/${esc(t.id)}/">${esc(t.name)}</a></li>`).join('');
  return page('Local application', `<h1>Local application</h1><p>Sign in to a tenant:</p><ul>${items}</ul>`);
}

function tenantPage(tenant: LocalAppTenant, session: SignedIn | undefined) {
  if (!session) {
    return page(
      tenant.name,
      `<h1>${esc(tenant.name)}</h1><p>You are not signed in.</p><p><a href="/${esc(tenant.id)}/sign-in">Sign in</a></p>`,
    );
  }
  const claims = claimsOf(session.idToken);
  const gatehouse = Object.entries(claims)
    .filter(([name]) => name.startsWith('gatehouse:'))
    .map(([name, value]) => `<tr><th scope="row">${esc(name)}</th><td>${esc(String(value))}</td></tr>`)
    .join('');
  return page(
    tenant.name,
    `<h1>${esc(tenant.name)}</h1><p role="status">Signed in as <strong>${esc(String(claims.email ?? claims.sub))}</strong></p>
<table><caption>Gatehouse claims in the ID token</caption><tbody>${gatehouse}</tbody></table>
<form method="post" action="/${esc(tenant.id)}/sign-out"><input type="hidden" name="csrf" value="${esc(session.csrf)}"><button type="submit">Sign out</button></form>`,
  );
}

function page(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;word-break:break-all}button{padding:.5rem 1rem}</style>
</head><body><main>${body}</main></body></html>`;
}

function send(res: ServerResponse, status: number, html: string) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    'Referrer-Policy': 'no-referrer',
  });
  res.end(html);
}

function redirect(res: ServerResponse, location: string, setCookie?: string) {
  res.writeHead(302, {
    Location: location,
    'Cache-Control': 'no-store',
    ...(setCookie ? { 'Set-Cookie': setCookie } : {}),
  });
  res.end();
}

const esc = (text: string) => text.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
const random = () => randomBytes(32).toString('base64url');

function same(a: string, b: string | null) {
  return b !== null && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function cookieOf(req: IncomingMessage): string | undefined {
  return /(?:^|;\s*)gatehouse-app=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
}

function claimsOf(idToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 4096) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
