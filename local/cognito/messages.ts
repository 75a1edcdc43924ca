// Turns what cognito-local would deliver (codes, temporary passwords) into mails, via CustomMessage or templates.
import type { CognitoService } from 'cognito-local/lib/services/cognitoService.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { Messages } from 'cognito-local/lib/services/messages.js';
import type { Triggers } from 'cognito-local/lib/services/triggers/triggers.js';
import type { UserPool } from 'cognito-local/lib/services/userPoolService.js';
import type { LocalMail } from '../cognito.ts';
import { CODE_PARAMETER, USERNAME_PARAMETER } from './triggers.ts';

type Deliver = Messages['deliver'];
type MessageSource = Parameters<Deliver>[1];

// What Cognito itself calls the admin API when it fills CustomMessage's callerContext.clientId.
const ADMIN_CLIENT_ID = 'CLIENT_ID_NOT_APPLICABLE';

/**
 * Implements cognito-local's Messages rather than feeding a MessageSender to its MessagesService: the sender is
 * never told which message it carries (invitation or code), so it could not pick Cognito's default texts, which
 * apply whenever no CustomMessage trigger is set or the trigger leaves a field empty.
 */
export class MailMessages implements Messages {
  constructor(
    private readonly cognito: CognitoService,
    private readonly triggers: Triggers,
    private readonly sendMail: (mail: LocalMail) => Promise<void>,
  ) {}

  async deliver(
    ...[ctx, source, clientId, userPoolId, user, code, clientMetadata, delivery]: Parameters<Deliver>
  ) {
    if (delivery.DeliveryMedium !== 'EMAIL') {
      // Gatehouse sends no SMS; say where the code went rather than drop it silently.
      ctx.logger.warn({ source, destination: delivery.Destination }, 'SMS message not delivered offline');
      return;
    }
    const pool = await this.cognito.getUserPool(ctx, userPoolId);
    const template = defaultTemplate(pool.options, source);
    const custom = this.triggers.enabled('CustomMessage')
      ? await this.triggers.customMessage(ctx, {
          clientId: clientId ?? ADMIN_CLIENT_ID,
          clientMetadata,
          code,
          source: `CustomMessage_${source}`,
          userAttributes: user.Attributes,
          username: user.Username,
          userPoolId,
        })
      : null;
    const fill = (text: string) =>
      // Replacer functions: a password holding `$$` or `$&` must arrive as it is, not as a replacement pattern.
      text.replaceAll(CODE_PARAMETER, () => code).replaceAll(USERNAME_PARAMETER, () => user.Username);
    const subject = custom?.emailSubject || template.subject;
    const body = custom?.emailMessage || fill(template.message);
    await this.sendMail(toMail(userPoolId, delivery.Destination, subject, body));
    logDelivered(ctx, source);
  }
}

/** Cognito's own texts (or the pool's configured ones) for each kind of message. */
function defaultTemplate(pool: UserPool, source: MessageSource): { subject: string; message: string } {
  if (source === 'AdminCreateUser') {
    const invite = pool.AdminCreateUserConfig?.InviteMessageTemplate;
    return {
      subject: invite?.EmailSubject || 'Your temporary password',
      message: invite?.EmailMessage || 'Your username is {username} and temporary password is {####}.',
    };
  }
  if (source === 'Authentication') {
    return { subject: 'Your authentication code', message: 'Your authentication code is {####}.' };
  }
  const verification = pool.VerificationMessageTemplate;
  return {
    subject: verification?.EmailSubject || pool.EmailVerificationSubject || 'Your verification code',
    message:
      verification?.EmailMessage || pool.EmailVerificationMessage || 'Your verification code is {####}.',
  };
}

function toMail(userPoolId: string, to: string, subject: string, body: string): LocalMail {
  // Cognito sends message bodies as HTML; keep a text part so a mailbox shows something readable.
  if (!/<[a-z][^>]*>/i.test(body)) return { userPoolId, to, subject, text: body };
  const text = body
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>/gi, '\n\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
  return { userPoolId, to, subject, text, html: body };
}

function logDelivered(ctx: Context, source: MessageSource): void {
  // The body holds a code or a password: log that a mail went, never what it said.
  ctx.logger.debug({ source }, 'Cognito message delivered as mail');
}
