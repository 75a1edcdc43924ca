// Cognito CustomMessage: the tenant-worded welcome and password-reset mails.
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { CustomMessageTriggerEvent } from 'aws-lambda';
import { logger } from '#adapters/logger.ts';
import { ManagedLoginLinks } from '#adapters/managed-login-link.ts';
import type { Tenant } from '#services/ports.ts';
import { tenantOf } from './trigger-runtime.ts';

// Its one port beyond the stores, which its role allows (read-only Describe/List of the pools): the mail's link.
const managedLogin = new ManagedLoginLinks({
  client: new CognitoIdentityProviderClient({}),
  region: process.env.AWS_REGION ?? '',
});

/** The tenant's application when configured, else its managed login page; a mail without a link rather than none. */
async function signInUrlOf(tenant: Tenant): Promise<string | undefined> {
  if (tenant.signInUrl) return tenant.signInUrl;
  try {
    return await managedLogin.signInUrl(tenant.userPoolId);
  } catch (error) {
    logger.warn('No sign-in link for the mail', { tenant: tenant.id, error: String(error) });
    return undefined;
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function handler(event: CustomMessageTriggerEvent) {
  const { codeParameter, usernameParameter, userAttributes } = event.request;
  const tenant = await tenantOf(event);
  const name = escapeHtml(tenant.name);
  const response = event.response;
  // Written out as well as linked: the text part of the mail keeps the address, and a person can copy it.
  const signInUrl =
    event.triggerSource === 'CustomMessage_AdminCreateUser' ||
    event.triggerSource === 'CustomMessage_ForgotPassword'
      ? await signInUrlOf(tenant)
      : undefined;
  const link = signInUrl
    ? `<p>Sign in at <a href="${escapeHtml(signInUrl)}">${escapeHtml(signInUrl)}</a></p>`
    : '';
  switch (event.triggerSource) {
    case 'CustomMessage_AdminCreateUser':
      // Cognito requires both placeholders here. {username} becomes the generated user name (the sub) in a
      // pool that signs in by email, so the person is told their email, and the user name is for support only.
      response.emailSubject = `Welcome to ${tenant.name}`;
      response.emailMessage =
        `<p>An administrator of ${name} has created your account.</p>` +
        `<p>Sign in with your email <b>${escapeHtml(userAttributes.email ?? '')}</b> and this temporary password: ` +
        `<b>${codeParameter}</b></p>` +
        link +
        '<p>You will choose your own password when you first sign in. The temporary password expires in a few days.</p>' +
        `<p style="color:#888">Account reference: ${usernameParameter ?? '{username}'}</p>`;
      break;
    case 'CustomMessage_ForgotPassword':
      response.emailSubject = `Reset your ${tenant.name} password`;
      response.emailMessage =
        `<p>Your code to choose a new ${name} password is <b>${codeParameter}</b>.</p>` +
        (signInUrl
          ? `<p>Choose it at <a href="${escapeHtml(signInUrl)}">${escapeHtml(signInUrl)}</a> (Forgot your password?).</p>`
          : '') +
        '<p>If you did not ask for it, you can ignore this mail.</p>';
      break;
    default:
      // Other messages keep Cognito's own wording.
      break;
  }
  return event;
}
