// One user: their profile in tabs, edited in place with If-Match, the lifecycle and mail actions their
// status allows and the signed-in person may take, and their history.
import { useState } from 'react';
import { ApiError, fieldErrors, type User } from '#console/api/client.ts';
import { Link, navigate, paths } from '#console/app/router.tsx';
import { useAuth } from '#console/auth/auth-context.tsx';
import { CheckboxField, TextAreaField, TextField } from '#console/components/field.tsx';
import { FormDialog } from '#console/components/form-dialog.tsx';
import { ProblemAlert } from '#console/components/problem-alert.tsx';
import { StatusBadge } from '#console/components/status-badge.tsx';
import { type Tab, Tabs } from '#console/components/tabs.tsx';
import { HistoryList } from '#console/features/history/history-list.tsx';
import { changesOf, formOf, type ProfileForm, profileOf } from './profile-model.ts';
import { SectionEditor, type SectionId, sectionOf, sectionsFor } from './profile-sections.tsx';
import { SectionView } from './profile-view.tsx';
import {
  type LifecycleAction,
  useDeleteUser,
  useEditUser,
  useEmailUser,
  useLicences,
  useLifecycle,
  useMailAction,
  useRoles,
  useSetPassword,
  useUser,
} from './queries.ts';

type TabId = SectionId | 'history';

export function UserPage({ userId }: { userId: string }) {
  const { tenant } = useAuth();
  const user = useUser(userId);
  if (user.isPending) return <p role="status">Loading…</p>;
  if (user.error)
    return (
      <section>
        <p>
          <Link href={paths.users(tenant.id)}>← Users</Link>
        </p>
        <ProblemAlert error={user.error} />
      </section>
    );
  return <UserProfile user={user.data} reload={() => void user.refetch()} />;
}

function UserProfile({ user, reload }: { user: User; reload(): void }) {
  const { tenant, can } = useAuth();
  const roles = useRoles();
  const licences = useLicences();
  const [tab, setTab] = useState<TabId>('general');
  const [editing, setEditing] = useState<ProfileForm>();
  const [dialog, setDialog] = useState<'delete' | 'password' | 'email'>();
  const [notice, setNotice] = useState<string>();
  const edit = useEditUser(user);
  const lifecycle = useLifecycle(user.id);
  const mail = useMailAction(user.id);
  const name = `${user.firstName} ${user.lastName}`;

  const form = editing ?? formOf(user);
  const errors = fieldErrors(edit.error);
  const conflict = edit.error instanceof ApiError && edit.error.status === 412;
  const sections = sectionsFor(form, roles.data);
  const tabs: Tab<TabId>[] = [
    ...sections,
    ...(can('history.read') ? [{ id: 'history' as const, label: 'History' }] : []),
  ];
  const errorTabs = new Set(Object.keys(errors).map(sectionOf));

  const act = (action: LifecycleAction, done: string) =>
    lifecycle.mutate(action, { onSuccess: () => setNotice(`${name} ${done}.`) });

  const save = () => {
    if (!editing) return;
    const changes = changesOf(profileOf(formOf(user), roles.data), profileOf(editing, roles.data));
    if (Object.keys(changes).length === 0) return setEditing(undefined);
    edit.mutate(changes, {
      onSuccess: () => {
        setEditing(undefined);
        setNotice('Changes saved.');
      },
    });
  };

  const canLifecycle = can('users.lifecycle');
  return (
    <section aria-labelledby="user-title">
      <p>
        <Link href={paths.users(tenant.id)}>← Users</Link>
      </p>
      <div className="page-head">
        <h1 id="user-title">{name}</h1>
        <StatusBadge status={user.status} />
      </div>
      <p className="muted">{user.email}</p>
      {!editing && (
        <fieldset className="buttons bare">
          <legend className="sr-only">Actions on this user</legend>
          {can('users.update') && user.status !== 'archived' && (
            <button type="button" className="primary" onClick={() => setEditing(formOf(user))}>
              Edit
            </button>
          )}
          {canLifecycle && user.status === 'inactive' && (
            <button type="button" onClick={() => act('activate', 'can sign in')}>
              Activate
            </button>
          )}
          {canLifecycle && (user.status === 'invited' || user.status === 'active') && (
            <button type="button" onClick={() => act('deactivate', 'can no longer sign in')}>
              Deactivate
            </button>
          )}
          {canLifecycle && user.status === 'invited' && (
            <button
              type="button"
              onClick={() =>
                mail.mutate('resend-invitation', {
                  onSuccess: () => setNotice(`A new invitation was mailed to ${user.email}.`),
                })
              }
            >
              Resend invitation
            </button>
          )}
          {can('users.password.reset') && (user.status === 'invited' || user.status === 'active') && (
            <button
              type="button"
              onClick={() =>
                mail.mutate('reset-password', {
                  onSuccess: (d) =>
                    setNotice(
                      'delivery' in d && d.delivery === 'invitation'
                        ? `A new invitation was mailed to ${user.email}.`
                        : `A password reset code was mailed to ${user.email}.`,
                    ),
                })
              }
            >
              Reset password
            </button>
          )}
          {can('users.password.reset') && (user.status === 'invited' || user.status === 'active') && (
            <button type="button" onClick={() => setDialog('password')}>
              Set password
            </button>
          )}
          {can('users.email') && user.status !== 'archived' && (
            <button type="button" onClick={() => setDialog('email')}>
              Email
            </button>
          )}
          {canLifecycle && user.status !== 'archived' && (
            <button type="button" onClick={() => act('archive', 'was archived')}>
              Archive
            </button>
          )}
          {canLifecycle && user.status === 'archived' && (
            <button type="button" onClick={() => act('restore', 'was restored (inactive)')}>
              Restore
            </button>
          )}
          {can('users.delete') && (
            <button type="button" className="danger" onClick={() => setDialog('delete')}>
              Delete
            </button>
          )}
        </fieldset>
      )}
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <ProblemAlert error={lifecycle.error ?? mail.error} />
      {conflict ? (
        <div role="alert" className="alert">
          <p>
            <strong>Someone else changed this user</strong> since you opened it, so your changes were not
            saved. Reload to see their version, then make your changes again.
          </p>
          <button
            type="button"
            onClick={() => {
              edit.reset();
              setEditing(undefined);
              reload();
            }}
          >
            Reload the user
          </button>
        </div>
      ) : (
        <ProblemAlert error={edit.error} shownFields={Object.keys(errors)} />
      )}
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          save();
        }}
      >
        <Tabs<TabId>
          label="Profile"
          tabs={tabs.map((t) =>
            t.id !== 'history' && errorTabs.has(t.id) ? { ...t, label: `${t.label} (has errors)` } : t,
          )}
          selected={tab}
          onSelect={setTab}
          keepMounted={Boolean(editing)}
        >
          {(id) =>
            id === 'history' ? (
              <HistoryList userId={user.id} />
            ) : editing ? (
              <SectionEditor
                section={id}
                form={form}
                set={(change) => setEditing({ ...form, ...change })}
                errors={errors}
                catalogue={roles.data}
                licences={licences.data}
              />
            ) : (
              <SectionView section={id} user={user} catalogue={roles.data} />
            )
          }
        </Tabs>
        {editing && (
          <div className="buttons sticky">
            <button type="submit" className="primary" disabled={edit.isPending}>
              Save changes
            </button>
            <button
              type="button"
              onClick={() => {
                edit.reset();
                setEditing(undefined);
              }}
            >
              Cancel
            </button>
          </div>
        )}
      </form>
      {dialog === 'delete' && <DeleteDialog user={user} onClose={() => setDialog(undefined)} />}
      {dialog === 'email' && (
        <EmailDialog
          user={user}
          onClose={(done) => {
            setDialog(undefined);
            if (done) setNotice(`The message was sent to ${user.email}.`);
          }}
        />
      )}
      {dialog === 'password' && (
        <PasswordDialog
          user={user}
          onClose={(done) => {
            setDialog(undefined);
            if (done) setNotice(`A new password was set for ${name}.`);
          }}
        />
      )}
    </section>
  );
}

function DeleteDialog({ user, onClose }: { user: User; onClose(): void }) {
  const { tenant } = useAuth();
  const remove = useDeleteUser(user.id);
  const [email, setEmail] = useState('');
  return (
    <FormDialog
      title={`Delete ${user.firstName} ${user.lastName}?`}
      request={remove}
      fields={['confirmEmail']}
      submit={{
        label: 'Delete for good',
        className: 'danger',
        ready: email.trim().toLowerCase() === user.email.toLowerCase(),
      }}
      onSubmit={() =>
        remove.mutate(email, { onSuccess: () => navigate(paths.users(tenant.id), { replace: true }) })
      }
      onClose={onClose}
    >
      {(errors) => (
        <>
          <p>
            This removes the profile and the login for good; it cannot be undone. The history keeps a final
            record. Type the user's email, <strong>{user.email}</strong>, to confirm.
          </p>
          <TextField
            label="The user's email"
            value={email}
            autoComplete="off"
            error={errors.confirmEmail}
            onChange={(e) => setEmail(e.target.value)}
          />
        </>
      )}
    </FormDialog>
  );
}

function PasswordDialog({ user, onClose }: { user: User; onClose(done?: boolean): void }) {
  const setPassword = useSetPassword(user.id);
  const [password, setValue] = useState('');
  const [confirmPassword, setConfirm] = useState('');
  const [temporary, setTemporary] = useState(true);
  return (
    <FormDialog
      title={`Set a password for ${user.firstName} ${user.lastName}`}
      request={setPassword}
      fields={['password', 'confirmPassword']}
      submit={{ label: 'Set password', className: 'primary' }}
      onSubmit={() =>
        setPassword.mutate({ password, confirmPassword, temporary }, { onSuccess: () => onClose(true) })
      }
      onClose={onClose}
    >
      {(errors) => (
        <>
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            value={password}
            error={errors.password}
            onChange={(e) => setValue(e.target.value)}
          />
          <TextField
            label="Confirm the password"
            type="password"
            autoComplete="new-password"
            value={confirmPassword}
            error={errors.confirmPassword}
            onChange={(e) => setConfirm(e.target.value)}
          />
          <CheckboxField
            label="Temporary: they must choose a new one at their next sign-in"
            checked={temporary}
            onChange={(e) => setTemporary(e.target.checked)}
          />
        </>
      )}
    </FormDialog>
  );
}

function EmailDialog({ user, onClose }: { user: User; onClose(done?: boolean): void }) {
  const email = useEmailUser(user.id);
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  return (
    <FormDialog
      title={`Email ${user.firstName} ${user.lastName}`}
      request={email}
      fields={['subject', 'text']}
      submit={{ label: 'Send', className: 'primary' }}
      onSubmit={() => email.mutate({ subject, text }, { onSuccess: () => onClose(true) })}
      onClose={onClose}
    >
      {(errors) => (
        <>
          <TextField
            label="Subject"
            required
            maxLength={200}
            value={subject}
            error={errors.subject}
            onChange={(e) => setSubject(e.target.value)}
          />
          <TextAreaField
            label="Message"
            required
            rows={6}
            maxLength={10_000}
            value={text}
            error={errors.text}
            onChange={(e) => setText(e.target.value)}
          />
        </>
      )}
    </FormDialog>
  );
}
