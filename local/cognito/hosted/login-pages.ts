// Cognito's hosted login pages, offline: sign in, choose a new password, forgot password. Every step is a Cognito
// API call through the parity layer (InitiateAuth, RespondToAuthChallenge, ForgotPassword…), so the page applies
// exactly the checks, messages and triggers the API does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthenticationResultType, ChallengeNameType } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoError } from 'cognito-local/lib/errors.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import QRCode from 'qrcode';
import { poolPasswordPolicy } from '../password-policy.ts';
import { type Authorization, authorize } from './authorization.ts';
import { cookie, cookies, escapeHtml, randomId, readForm, redirect, sameSecret, sendHtml } from './http.ts';
import type { CognitoCall, OAuthEndpoints, OAuthServices } from './oauth.ts';
import { field, hidden, page } from './page.ts';

const CSRF_COOKIE = 'XSRF-TOKEN';
// A sign-in in progress lasts as long as Cognito's authentication session: 3 minutes.
const TRANSACTION_TTL_MS = 3 * 60_000;

interface InitiateAuthResult {
  AuthenticationResult?: AuthenticationResultType;
  ChallengeName?: ChallengeNameType;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
}

/** A sign-in between two pages (a challenge to answer), bound to the browser's CSRF cookie. */
interface Transaction {
  csrf: string;
  clientId: string;
  username: string;
  challenge: string;
  session: string;
  expiresAt: number;
  /** What the person typed to sign in, to name the account in their authenticator app. */
  email: string;
  /** MFA_SETUP: the secret to show again when a code is refused. */
  secret?: string;
}

/** A step another module adds to the login (e.g. federation for `identity_provider`), by provider name. */
export type IdentityProviderStep = (
  req: IncomingMessage,
  res: ServerResponse,
  authorization: Authorization,
) => Promise<void>;

export interface LoginPagesOptions {
  identityProviders?: Record<string, IdentityProviderStep>;
}

export class LoginPages {
  readonly #transactions = new Map<string, Transaction>();

  constructor(
    private readonly services: OAuthServices,
    private readonly oauth: OAuthEndpoints,
    private readonly options: LoginPagesOptions = {},
  ) {}

  get #ctx(): Context {
    return this.services.ctx;
  }

  get #call(): CognitoCall {
    return this.services.call;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const route = `${req.method} ${url.pathname}`;
    if (!ROUTES.has(route)) return false;
    const found = await authorize(this.#ctx, this.services.cognito, url.searchParams);
    if ('kind' in found) {
      if (found.kind === 'page') this.errorPage(res, 400, found.message);
      else redirect(res, found.location);
      return true;
    }
    const csrf = cookies(req)[CSRF_COOKIE];
    if (req.method === 'GET') {
      const provider = found.request.identityProvider;
      if (route === 'GET /login' && provider && provider !== 'COGNITO') {
        const step = this.options.identityProviders?.[provider];
        if (!step) this.errorPage(res, 400, `Login option ${provider} is not available offline`);
        else await step(req, res, found);
        return true;
      }
      const view = new View(res, found, csrf ?? randomId(), !csrf);
      if (route === 'GET /login') view.signIn();
      else if (route === 'GET /forgotPassword') view.forgotPassword();
      else view.confirmForgotPassword(url.searchParams.get('username') ?? '');
      return true;
    }
    const form = await readForm(req);
    if (!form || !sameSecret(csrf, form.get('_csrf'))) {
      this.errorPage(res, 403, 'Your sign-in form has expired. Go back, reload the page and try again.');
      return true;
    }
    const view = new View(res, found, csrf as string, false);
    if (route === 'POST /login') await this.postLogin(res, found, view, form, csrf as string);
    else if (route === 'POST /forgotPassword') await this.postForgotPassword(found, view, form);
    else await this.postConfirmForgotPassword(view, form);
    return true;
  }

  errorPage(res: ServerResponse, status: number, message: string): void {
    sendHtml(
      res,
      status,
      page({ tenant: 'Sign in', title: 'Something is wrong with this link', error: message, body: '' }),
    );
  }

  private async postLogin(
    res: ServerResponse,
    found: Authorization,
    view: View,
    form: URLSearchParams,
    csrf: string,
  ) {
    const step = form.get('step') ?? 'password';
    if (step === 'password') {
      const email = (form.get('username') ?? '').trim();
      try {
        const result = await this.#call<InitiateAuthResult>('InitiateAuth', {
          ClientId: found.request.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: form.get('password') ?? '' },
        });
        return this.next(res, found, view, csrf, result, email);
      } catch (error) {
        return view.signIn(cognitoMessage(error), email);
      }
    }
    const tx = this.transaction(form.get('tx'), csrf, found.request.clientId);
    if (!tx) return view.signIn('Your sign-in session has expired. Please sign in again.');
    if (step === 'new_password') {
      const password = form.get('password') ?? '';
      if (password !== form.get('confirm_password')) {
        return view.newPassword(tx, 'Password does not match the confirmation password.');
      }
      try {
        const result = await this.#call<InitiateAuthResult>('RespondToAuthChallenge', {
          ClientId: found.request.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: tx.session,
          ChallengeResponses: { USERNAME: tx.username, NEW_PASSWORD: password },
        });
        this.#transactions.delete(form.get('tx') ?? '');
        return this.next(res, found, view, csrf, result, tx.username);
      } catch (error) {
        if (isCognitoError(error, 'InvalidPasswordException'))
          return view.newPassword(tx, cognitoMessage(error));
        this.#transactions.delete(form.get('tx') ?? '');
        return view.signIn(cognitoMessage(error));
      }
    }
    if (step === 'mfa_setup' || step === 'mfa_code') return this.postMfa(res, found, view, form, csrf, tx);
    return view.signIn('Please sign in again.');
  }

  /** The authenticator's code: verifies a new one (MFA_SETUP) or answers the SOFTWARE_TOKEN_MFA challenge. */
  private async postMfa(
    res: ServerResponse,
    found: Authorization,
    view: View,
    form: URLSearchParams,
    csrf: string,
    tx: Transaction & { id: string },
  ) {
    const code = (form.get('code') ?? '').replace(/\s/g, '');
    const clientId = found.request.clientId;
    try {
      let result: InitiateAuthResult;
      if (tx.challenge === 'MFA_SETUP') {
        const verified = await this.#call<{ Session?: string }>('VerifySoftwareToken', {
          Session: tx.session,
          UserCode: code,
          FriendlyDeviceName: 'Authenticator app',
        });
        result = await this.#call<InitiateAuthResult>('RespondToAuthChallenge', {
          ClientId: clientId,
          ChallengeName: 'MFA_SETUP',
          Session: verified.Session,
          ChallengeResponses: { USERNAME: tx.username },
        });
      } else {
        result = await this.#call<InitiateAuthResult>('RespondToAuthChallenge', {
          ClientId: clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: tx.session,
          ChallengeResponses: { USERNAME: tx.username, SOFTWARE_TOKEN_MFA_CODE: code },
        });
      }
      this.#transactions.delete(tx.id);
      return this.next(res, found, view, csrf, result, tx.email);
    } catch (error) {
      const wrongCode =
        isCognitoError(error, 'CodeMismatchException') ||
        isCognitoError(error, 'EnableSoftwareTokenMFAException');
      if (!wrongCode) {
        this.#transactions.delete(tx.id);
        return view.signIn(cognitoMessage(error), tx.email);
      }
      // Cognito's words for a wrong code at sign-in; at set-up its own ("Code mismatch") says less.
      const message = 'Invalid code received for user';
      return tx.challenge === 'MFA_SETUP'
        ? view.mfaSetup(tx, await qrCode(tx, view.tenantName), message)
        : view.mfaCode(tx, message);
    }
  }

  /** What follows a Cognito answer: tokens complete the authorization; a challenge is the next page. */
  private async next(
    res: ServerResponse,
    found: Authorization,
    view: View,
    csrf: string,
    result: InitiateAuthResult,
    username: string,
  ) {
    if (result.AuthenticationResult) {
      return this.oauth.complete(res, found.request, username, result.AuthenticationResult);
    }
    const challenge = result.ChallengeName;
    const session = result.Session;
    const user = result.ChallengeParameters?.USER_ID_FOR_SRP ?? username;
    if (!challenge || !session) return view.signIn('Sign-in did not complete. Please try again.');
    let secret: string | undefined;
    let txSession = session;
    if (challenge === 'MFA_SETUP') {
      // Cognito's managed login offers the authenticator app: a secret associated through the challenge's Session.
      const associated = await this.#call<{ SecretCode?: string; Session?: string }>(
        'AssociateSoftwareToken',
        {
          Session: session,
        },
      );
      secret = associated.SecretCode;
      txSession = associated.Session ?? session;
    }
    const tx: Transaction = {
      csrf,
      clientId: found.request.clientId,
      username: user,
      challenge,
      session: txSession,
      expiresAt: this.services.now() + TRANSACTION_TTL_MS,
      email: username,
      ...(secret ? { secret } : {}),
    };
    const id = randomId();
    this.sweep();
    this.#transactions.set(id, tx);
    if (challenge === 'NEW_PASSWORD_REQUIRED') return view.newPassword({ ...tx, id });
    if (challenge === 'MFA_SETUP' && secret)
      return view.mfaSetup({ ...tx, id }, await qrCode(tx, view.tenantName));
    if (challenge === 'SOFTWARE_TOKEN_MFA') return view.mfaCode({ ...tx, id });
    this.#transactions.delete(id);
    return view.signIn(
      `This account needs a sign-in step (${challenge}) the offline login page does not offer.`,
    );
  }

  private transaction(
    id: string | null,
    csrf: string,
    clientId: string,
  ): (Transaction & { id: string }) | undefined {
    const tx = id ? this.#transactions.get(id) : undefined;
    if (!id || !tx || !sameSecret(tx.csrf, csrf) || tx.clientId !== clientId) return undefined;
    if (tx.expiresAt <= this.services.now()) {
      this.#transactions.delete(id);
      return undefined;
    }
    return { ...tx, id };
  }

  private sweep() {
    const now = this.services.now();
    for (const [id, tx] of this.#transactions) if (tx.expiresAt <= now) this.#transactions.delete(id);
  }

  private async postForgotPassword(found: Authorization, view: View, form: URLSearchParams) {
    const email = (form.get('username') ?? '').trim();
    try {
      await this.#call('ForgotPassword', { ClientId: found.request.clientId, Username: email });
    } catch (error) {
      // The app client hides whether a user exists: an unknown email is answered as if a code went out.
      if (!isCognitoError(error, 'UserNotFoundException'))
        return view.forgotPassword(cognitoMessage(error), email);
    }
    return view.confirmForgotPassword(email, 'If an account exists for this email, we have sent it a code.');
  }

  private async postConfirmForgotPassword(view: View, form: URLSearchParams) {
    const email = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    if (password !== form.get('confirm_password')) {
      return view.confirmForgotPassword(
        email,
        undefined,
        'Password does not match the confirmation password.',
      );
    }
    try {
      await this.#call('ConfirmForgotPassword', {
        ClientId: view.clientId,
        Username: email,
        ConfirmationCode: (form.get('code') ?? '').trim(),
        Password: password,
      });
    } catch (error) {
      const message = isCognitoError(error, 'UserNotFoundException')
        ? 'Invalid verification code provided, please try again.'
        : cognitoMessage(error);
      return view.confirmForgotPassword(email, undefined, message);
    }
    return view.signIn(undefined, email, 'Your password has been changed. Sign in with your new password.');
  }
}

const ROUTES = new Set([
  'GET /login',
  'POST /login',
  'GET /forgotPassword',
  'POST /forgotPassword',
  'GET /confirmForgotPassword',
  'POST /confirmForgotPassword',
]);

/** One response's pages: each keeps the authorization request in its form's URL and carries the CSRF token. */
class View {
  constructor(
    private readonly res: ServerResponse,
    private readonly found: Authorization,
    private readonly csrf: string,
    private readonly setCsrfCookie: boolean,
  ) {}

  get clientId() {
    return this.found.request.clientId;
  }

  get tenantName() {
    return this.found.pool.options.Name ?? 'Sign in';
  }

  private get tenant() {
    return this.tenantName;
  }

  private url(path: string, extra: Record<string, string> = {}) {
    const query = new URLSearchParams(this.found.request.query);
    for (const [k, v] of Object.entries(extra)) query.set(k, v);
    return escapeHtml(`${path}?${query.toString()}`);
  }

  private form(path: string, fields: string, button: string, extra: Record<string, string> = {}) {
    return `<form method="post" action="${this.url(path, extra)}" novalidate>${hidden('_csrf', this.csrf)}${fields}<button type="submit">${escapeHtml(button)}</button></form>`;
  }

  private send(status: number, title: string, body: string, error?: string, notice?: string) {
    sendHtml(
      this.res,
      status,
      page({ tenant: this.tenant, title, body, error, notice }),
      this.setCsrfCookie ? [cookie(CSRF_COOKIE, this.csrf)] : [],
    );
  }

  signIn(error?: string, email = '', notice?: string) {
    const fields =
      field('username', 'Email', { type: 'email', autocomplete: 'username', value: email }) +
      field('password', 'Password', { type: 'password', autocomplete: 'current-password' });
    const links = `<p class="links"><a href="${this.url('/forgotPassword')}">Forgot your password?</a></p>`;
    this.send(
      200,
      'Sign in',
      this.providers() + this.form('/login', fields, 'Sign in') + links,
      error,
      notice,
    );
  }

  /** The app client's identity providers, each a way in before the password form, as Cognito's page offers them. */
  private providers() {
    const names = (this.found.client.SupportedIdentityProviders ?? []).filter((p) => p !== 'COGNITO');
    if (names.length === 0) return '';
    const buttons = names
      .map(
        (name) =>
          `<p><a class="provider" href="${this.url('/login', { identity_provider: name })}">Sign in with ${escapeHtml(name)}</a></p>`,
      )
      .join('');
    return `${buttons}<p class="or">or</p>`;
  }

  newPassword(tx: Transaction & { id: string }, error?: string) {
    const fields =
      hidden('step', 'new_password') +
      hidden('tx', tx.id) +
      `<p>Choose a new password to replace your temporary one.</p>${this.policy()}` +
      field('password', 'New password', {
        type: 'password',
        autocomplete: 'new-password',
        hint: 'It must meet every rule above.',
      }) +
      field('confirm_password', 'Confirm new password', { type: 'password', autocomplete: 'new-password' });
    this.send(200, 'Choose a new password', this.form('/login', fields, 'Set password and sign in'), error);
  }

  /** Set-up of an authenticator app: the secret as a QR code and as text, then a code to prove it works. */
  mfaSetup(tx: Transaction & { id: string }, qr: string, error?: string) {
    const fields =
      hidden('step', 'mfa_setup') +
      hidden('tx', tx.id) +
      '<p>Your account needs an authenticator app. Scan this QR code with the app, or enter the key below, then type the 6-digit code it shows.</p>' +
      `<img class="qr" src="${escapeHtml(qr)}" alt="QR code to add this account to an authenticator app">` +
      `<p id="secret-title">Key to enter by hand:</p><p class="secret" aria-labelledby="secret-title">${escapeHtml(tx.secret ?? '')}</p>` +
      field('code', 'Code from the authenticator app', {
        autocomplete: 'one-time-code',
        inputmode: 'numeric',
      });
    this.send(200, 'Set up an authenticator app', this.form('/login', fields, 'Verify and sign in'), error);
  }

  /** The SOFTWARE_TOKEN_MFA challenge: the current code of the authenticator app set up before. */
  mfaCode(tx: Transaction & { id: string }, error?: string) {
    const fields =
      hidden('step', 'mfa_code') +
      hidden('tx', tx.id) +
      '<p>Open your authenticator app and enter the 6-digit code it shows for this account.</p>' +
      field('code', 'Code from the authenticator app', {
        autocomplete: 'one-time-code',
        inputmode: 'numeric',
      });
    this.send(200, 'Enter your authentication code', this.form('/login', fields, 'Sign in'), error);
  }

  forgotPassword(error?: string, email = '') {
    const fields =
      '<p>Enter your email and we will send you a code to choose a new password.</p>' +
      field('username', 'Email', { type: 'email', autocomplete: 'username', value: email });
    const links = `<p class="links"><a href="${this.url('/login')}">Back to sign in</a></p>`;
    this.send(200, 'Forgot your password?', this.form('/forgotPassword', fields, 'Send code') + links, error);
  }

  confirmForgotPassword(email: string, notice?: string, error?: string) {
    const fields =
      field('username', 'Email', { type: 'email', autocomplete: 'username', value: email }) +
      field('code', 'Code from the mail', { autocomplete: 'one-time-code', inputmode: 'numeric' }) +
      this.policy() +
      field('password', 'New password', { type: 'password', autocomplete: 'new-password' }) +
      field('confirm_password', 'Confirm new password', { type: 'password', autocomplete: 'new-password' });
    const links = `<p class="links"><a href="${this.url('/login')}">Back to sign in</a></p>`;
    this.send(
      200,
      'Choose a new password',
      this.form('/confirmForgotPassword', fields, 'Change password') + links,
      error,
      notice,
    );
  }

  /** The tenant's password rules, as the person must meet them. */
  private policy() {
    const p = poolPasswordPolicy(this.found.pool.options);
    const rules = [
      `At least ${p.minimumLength} characters`,
      p.requireLowercase ? 'A lower-case letter' : '',
      p.requireUppercase ? 'An upper-case letter' : '',
      p.requireNumbers ? 'A number' : '',
      p.requireSymbols ? 'A symbol (such as ! # $ % * + - = ? @ ^ _)' : '',
    ].filter(Boolean);
    return `<p id="policy-title">Your password needs:</p><ul class="policy" aria-labelledby="policy-title">${rules
      .map((r) => `<li>${escapeHtml(r)}</li>`)
      .join('')}</ul>`;
  }
}

/**
 * The otpauth URI an authenticator app reads (Key URI Format: issuer and account name, SHA1, 6 digits, 30 s, as
 * Cognito's TOTP), as an SVG QR code in a data URL: drawn here, so no request leaves the machine.
 */
async function qrCode(tx: Transaction, issuer: string): Promise<string> {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(tx.email)}`;
  const uri = `otpauth://totp/${label}?secret=${tx.secret ?? ''}&issuer=${encodeURIComponent(issuer)}`;
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** Cognito's own words for a refusal; anything else is not shown (it could say something about internals). */
function cognitoMessage(error: unknown): string {
  if (error instanceof CognitoError) return error.message;
  return 'Something went wrong. Please try again.';
}

function isCognitoError(error: unknown, code: string): error is CognitoError {
  return error instanceof CognitoError && error.code === code;
}
