// Mailer on SES (v2): a message from the tenant's sender, with the tenant's name as the display name.
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer, Message, Tenant } from '#services/ports.ts';

export class SesMailer implements Mailer {
  constructor(private readonly options: { client: SESv2Client }) {}

  async send(tenant: Tenant, to: string, message: Message): Promise<{ messageId: string }> {
    const { MessageId } = await this.options.client.send(
      new SendEmailCommand({
        FromEmailAddress: sender(tenant.name, tenant.mailFrom),
        Destination: { ToAddresses: [to] },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: message.text, Charset: 'UTF-8' },
              ...(message.html ? { Html: { Data: message.html, Charset: 'UTF-8' } } : {}),
            },
          },
        },
      }),
    );
    if (!MessageId) throw new Error('SES answered SendEmail without a message id');
    return { messageId: MessageId };
  }
}

/** `"Name" <address>`; SES wants a display name beyond printable ASCII as a MIME encoded-word. */
export function sender(name: string, address: string): string {
  const display = /^[\x20-\x7e]*$/.test(name)
    ? `"${name.replace(/["\\]/g, '')}"`
    : `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
  return `${display} <${address}>`;
}
