// The Action menu of the users list: one action on the checked users, confirmed with how many it touches,
// then one line per user that failed; when the API made it a job (more users than it acts on at once), the
// job's progress until it ends, then its failures.
import { useId, useRef, useState } from 'react';
import type { BulkAction, Job, User } from '#console/api/client.ts';
import { type Permission, useAuth } from '#console/auth/auth-context.tsx';
import { TextAreaField, TextField } from '#console/components/field.tsx';
import { FormDialog } from '#console/components/form-dialog.tsx';
import { type BulkReply, useBulk, useJob, useJobFailures } from './queries.ts';

interface ActionSpec {
  label: string;
  /** The verb in the confirmation and the result: "Deactivate 3 users?", "Deactivated 3 users." */
  verb: string;
  done: string;
  needs: Permission[];
  /** Which tab offers it. */
  tab: 'active' | 'archived';
}

const ACTIONS = {
  activate: {
    label: 'Activate',
    verb: 'Activate',
    done: 'Activated',
    needs: ['users.lifecycle'],
    tab: 'active',
  },
  deactivate: {
    label: 'Deactivate',
    verb: 'Deactivate',
    done: 'Deactivated',
    needs: ['users.lifecycle'],
    tab: 'active',
  },
  'reset-password': {
    label: 'Reset password',
    verb: 'Reset the password of',
    done: 'Reset the password of',
    needs: ['users.lifecycle', 'users.password.reset'],
    tab: 'active',
  },
  'resend-invitation': {
    label: 'Resend invitation',
    verb: 'Resend the invitation to',
    done: 'Resent the invitation to',
    needs: ['users.lifecycle'],
    tab: 'active',
  },
  email: {
    label: 'Email',
    verb: 'Email',
    done: 'Emailed',
    needs: ['users.lifecycle', 'users.email'],
    tab: 'active',
  },
  archive: { label: 'Archive', verb: 'Archive', done: 'Archived', needs: ['users.lifecycle'], tab: 'active' },
  restore: {
    label: 'Restore',
    verb: 'Restore',
    done: 'Restored',
    needs: ['users.lifecycle'],
    tab: 'archived',
  },
} as const satisfies Record<BulkAction, ActionSpec>;

const count = (n: number) => `${n} ${n === 1 ? 'user' : 'users'}`;

export function BulkActions(props: { tab: 'active' | 'archived'; selected: User[]; onDone(): void }) {
  const { can } = useAuth();
  const [open, setOpen] = useState(false);
  const [action, setAction] = useState<BulkAction>();
  const [outcome, setOutcome] = useState<{ action: BulkAction; reply: BulkReply; users: User[] }>();
  const menuId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const offered = (Object.keys(ACTIONS) as BulkAction[]).filter(
    (a) => ACTIONS[a].tab === props.tab && ACTIONS[a].needs.every((p) => can(p)),
  );
  if (offered.length === 0) return null;
  const disabled = props.selected.length === 0;

  return (
    <div className="bulk">
      <div className="menu">
        <button
          ref={button}
          type="button"
          aria-expanded={open}
          aria-controls={menuId}
          disabled={disabled}
          onClick={() => setOpen(!open)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') setOpen(false);
          }}
        >
          Actions{disabled ? '' : ` (${count(props.selected.length)})`}
        </button>
        {open && (
          <ul id={menuId} className="menu-items">
            {offered.map((a) => (
              <li key={a}>
                <button
                  type="button"
                  onClick={() => {
                    setOpen(false);
                    setAction(a);
                  }}
                  onKeyDown={(event) => {
                    if (event.key === 'Escape') {
                      setOpen(false);
                      button.current?.focus();
                    }
                  }}
                >
                  {ACTIONS[a].label}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {action && (
        <ConfirmBulk
          action={action}
          users={props.selected}
          onCancel={() => setAction(undefined)}
          onDone={(reply) => {
            setOutcome({ action, reply, users: props.selected });
            setAction(undefined);
            props.onDone();
          }}
        />
      )}
      {outcome &&
        ('job' in outcome.reply ? (
          <JobProgress
            key={outcome.reply.job.id}
            action={outcome.action}
            job={outcome.reply.job}
            users={outcome.users}
          />
        ) : (
          <BulkOutcome
            action={outcome.action}
            failures={failuresOf(outcome.reply.results)}
            done={outcome.reply.results.length - failuresOf(outcome.reply.results).length}
            users={outcome.users}
          />
        ))}
    </div>
  );
}

function ConfirmBulk(props: {
  action: BulkAction;
  users: User[];
  onCancel(): void;
  onDone(reply: BulkReply): void;
}) {
  const bulk = useBulk();
  const spec = ACTIONS[props.action];
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  return (
    <FormDialog
      title={`${spec.verb} ${count(props.users.length)}?`}
      request={bulk}
      fields={['message.subject', 'message.text']}
      submit={{ label: `${spec.verb} ${count(props.users.length)}`, className: 'primary' }}
      onSubmit={() =>
        bulk.mutate(
          {
            action: props.action,
            userIds: props.users.map((u) => u.id),
            ...(props.action === 'email' ? { message: { subject, text } } : {}),
          },
          { onSuccess: props.onDone },
        )
      }
      onClose={props.onCancel}
    >
      {(errors) => (
        <>
          <p>
            {props.users.length <= 5
              ? props.users.map((u) => `${u.firstName} ${u.lastName}`).join(', ')
              : `${props.users
                  .slice(0, 5)
                  .map((u) => `${u.firstName} ${u.lastName}`)
                  .join(', ')} and ${props.users.length - 5} more`}
          </p>
          {props.action === 'email' && (
            <>
              <TextField
                label="Subject"
                required
                maxLength={200}
                value={subject}
                error={errors['message.subject']}
                onChange={(e) => setSubject(e.target.value)}
              />
              <TextAreaField
                label="Message"
                required
                maxLength={10_000}
                rows={6}
                value={text}
                error={errors['message.text']}
                onChange={(e) => setText(e.target.value)}
              />
            </>
          )}
        </>
      )}
    </FormDialog>
  );
}

interface Failure {
  userId?: string;
  detail: string;
}

function failuresOf(results: Extract<BulkReply, { results: unknown }>['results']): Failure[] {
  return results.flatMap((r) =>
    r.outcome === 'failed' ? [{ userId: r.userId, detail: r.problem.detail ?? r.problem.title }] : [],
  );
}

/** A bulk job's counts, read again every second until it ends; then what failed, as a bulk reply shows it. */
function JobProgress(props: { action: BulkAction; job: Job; users: User[] }) {
  const spec = ACTIONS[props.action];
  const job = useJob(props.job.id).data ?? props.job;
  const failures = useJobFailures(job).data;
  if (job.state === 'completed' && (job.failed === 0 || failures)) {
    return (
      <BulkOutcome
        action={props.action}
        done={job.done}
        failedCount={job.failed}
        users={props.users}
        failures={(failures ?? []).map((o) => ({
          ...(o.userId ? { userId: o.userId } : {}),
          detail: o.problem?.detail ?? o.problem?.title ?? 'Failed',
        }))}
      />
    );
  }
  const counts = `${job.done} done, ${job.failed} failed, ${job.left} left`;
  return (
    <div role="status" className="notice">
      <p>
        {job.state === 'cancelled'
          ? `The job was cancelled: ${counts}.`
          : `A job will ${spec.verb.toLowerCase()} ${count(job.total)}, at the pace Cognito allows: ${counts}.`}
      </p>
    </div>
  );
}

function BulkOutcome(props: {
  action: BulkAction;
  done: number;
  /** How many failed, when more than the failures listed (a job's, beyond its first 1,000 items). */
  failedCount?: number;
  failures: Failure[];
  users: User[];
}) {
  const spec = ACTIONS[props.action];
  const failed = props.failures;
  const failedCount = props.failedCount ?? failed.length;
  const done = props.done;
  const nameOf = (id: string | undefined) => {
    const user = props.users.find((u) => u.id === id);
    return user ? `${user.firstName} ${user.lastName}` : (id ?? 'A user');
  };
  return (
    <div role="status" className={failed.length > 0 ? 'notice notice-warning' : 'notice'}>
      <p>
        {spec.done} {count(done)}.{failedCount > 0 ? ` ${count(failedCount)} failed:` : ''}
      </p>
      {failed.length > 0 && (
        <ul>
          {failed.map((r, i) => (
            <li key={r.userId ?? i}>
              {nameOf(r.userId)}: {r.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
