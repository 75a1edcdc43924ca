// Use case of writing to a user: a message from the tenant's sender, recorded in the user's history.
import { InvalidTransition } from '#domain/errors.ts';
import { completing, existingUser, historyEntry } from './changes.ts';
import type { Caller, Deps, Message } from './ports.ts';

export interface EmailSent {
  userId: string;
  messageId: string;
}

/** To a user who is not archived; the history keeps the subject and the message id, never the body. */
export async function emailUser(
  deps: Deps,
  caller: Caller,
  userId: string,
  message: Message,
): Promise<EmailSent> {
  const user = await existingUser(deps, caller, userId);
  if (user.status === 'archived') throw new InvalidTransition('email', user.status);
  // Sent first: the history records sends that happened, never one that failed.
  const { messageId } = await deps.mailer.send(caller.tenant, user.email, message);
  const sent = { userId: user.id, messageId };
  await deps.users.record(
    caller.tenant.id,
    historyEntry(deps, caller, 'user.emailed', user.id, {
      subject: { after: message.subject },
      messageId: { after: messageId },
    }),
    completing(caller, sent),
  );
  return sent;
}
