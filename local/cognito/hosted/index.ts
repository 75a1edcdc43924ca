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
