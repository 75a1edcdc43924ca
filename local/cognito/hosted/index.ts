// The offline hosted login: Cognito's OAuth endpoints and login pages, answered in front of cognito-local.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoginPages, type LoginPagesOptions } from './login-pages.ts';
import { OAuthEndpoints, type OAuthServices } from './oauth.ts';

export type { IdentityProviderStep } from './login-pages.ts';
export type { CognitoCall, OAuthServices } from './oauth.ts';

export interface HostedLogin {
  oauth: OAuthEndpoints;
  pages: LoginPages;
  /** Answers the request if it is the hosted login's; false leaves it to cognito-local. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

/** The endpoints a browser application fetches (rather than navigates to): discovery, JWKS, token, userInfo, revoke. */
const CROSS_ORIGIN =
  /^(\/[\w-]+_[0-9a-zA-Z]+\/\.well-known\/(openid-configuration|jwks\.json)|\/oauth2\/(token|userInfo|revoke))$/;

export function hostedLogin(services: OAuthServices, options: LoginPagesOptions = {}): HostedLogin {
  let pages: LoginPages | undefined;
  const oauth = new OAuthEndpoints(services, (res, status, message) =>
    pages?.errorPage(res, status, message),
  );
  pages = new LoginPages(services, oauth, options);
  const login = pages;
  return {
    oauth,
    pages: login,
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      // Browser applications (the admin console) call these from their own origin, as they call Cognito's.
      if (CROSS_ORIGIN.test(url.pathname)) {
        res.setHeader('Access-Control-Allow-Origin', '*');
        if (req.method === 'OPTIONS') {
          res.writeHead(204, {
            'Access-Control-Allow-Methods': 'GET, POST',
            'Access-Control-Allow-Headers': 'authorization, content-type, accept',
            'Access-Control-Max-Age': '600',
          });
          res.end();
          return true;
        }
      }
      try {
        return (await oauth.handle(req, res, url)) || (await login.handle(req, res, url));
      } catch (error) {
        // Never a 5xx with internals: the person sees a plain message, the log says what happened.
        services.ctx.logger.error({ err: error, path: url.pathname }, 'hosted login failed');
        if (!res.headersSent) login.errorPage(res, 400, 'Something went wrong. Please try again.');
        else res.end();
        return true;
      }
    },
  };
}
