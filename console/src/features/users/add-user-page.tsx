// Add User: the profile's sections on one form; "Add and invite" also activates (Cognito mails the welcome).
import { useState } from 'react';
import { fieldErrors } from '#console/api/client.ts';
import { Link, navigate, paths } from '#console/app/router.tsx';
import { useAuth } from '#console/auth/auth-context.tsx';
import { ProblemAlert } from '#console/components/problem-alert.tsx';
import { emptyForm, type ProfileForm, profileOf } from './profile-model.ts';
import { SectionEditor, sectionsFor } from './profile-sections.tsx';
import { useCreateUser, useLicences, useRoles } from './queries.ts';

export function AddUserPage() {
  const { tenant, can } = useAuth();
  const [form, setForm] = useState<ProfileForm>(emptyForm);
  const roles = useRoles();
  const licences = useLicences();
  const create = useCreateUser();
  const errors = fieldErrors(create.error);
  const set = (change: Partial<ProfileForm>) => setForm((f) => ({ ...f, ...change }));
  const sections = sectionsFor(form, roles.data);

  if (!can('users.create')) return <p role="alert">You may not add users.</p>;

  const submit = (activate: boolean) =>
    create.mutate(
      { ...profileOf(form, roles.data), activate },
      { onSuccess: (user) => navigate(paths.user(tenant.id, user.id)) },
    );

  return (
    <section aria-labelledby="add-user-title">
      <p>
        <Link href={paths.users(tenant.id)}>← Users</Link>
      </p>
      <h1 id="add-user-title">Add user</h1>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
          submit(submitter?.value === 'invite');
        }}
      >
        {sections.map((section) => (
          <fieldset key={section.id} className="section">
            <legend>{section.label}</legend>
            <SectionEditor
              section={section.id}
              form={form}
              set={set}
              errors={errors}
              catalogue={roles.data}
              licences={licences.data}
            />
          </fieldset>
        ))}
        <ProblemAlert error={create.error} shownFields={Object.keys(errors)} />
        <div className="buttons sticky">
          {can('users.lifecycle') && (
            <button type="submit" name="mode" value="invite" className="primary" disabled={create.isPending}>
              Add and invite
            </button>
          )}
          <button type="submit" name="mode" value="add" disabled={create.isPending}>
            Add without inviting
          </button>
        </div>
      </form>
    </section>
  );
}
