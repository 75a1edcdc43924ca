// The role catalogue: every role with its scope and permissions; those who may manage roles add, edit
// (If-Match) and delete them.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, fieldErrors, type Role, unwrap } from '#console/api/client.ts';
import { useAuth } from '#console/auth/auth-context.tsx';
import { Dialog } from '#console/components/dialog.tsx';
import { CheckboxField, SelectField, TextField } from '#console/components/field.tsx';
import { ProblemAlert } from '#console/components/problem-alert.tsx';
import { useRoles } from '#console/features/users/queries.ts';

type Scope = Role['scope'];
const SCOPES = {
  tenant: 'Whole tenant',
  team: 'Teams',
  area: 'Areas',
  client: 'Client organisation',
} as const satisfies Record<Scope, string>;

interface RoleForm {
  name: string;
  description: string;
  permissions: string;
  scope: Scope;
  exclusive: boolean;
  module: string;
}

export function RolesPage() {
  const { can } = useAuth();
  const roles = useRoles();
  const [editing, setEditing] = useState<Role | 'new'>();
  const [deleting, setDeleting] = useState<Role>();
  const manage = can('roles.manage');
  return (
    <section aria-labelledby="roles-title">
      <div className="page-head">
        <h1 id="roles-title">Roles</h1>
        {manage && (
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            Add role
          </button>
        )}
      </div>
      <ProblemAlert error={roles.error} />
      <div className="table-wrap">
        <table>
          <caption className="sr-only">The role catalogue</caption>
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">Scope</th>
              <th scope="col">Permissions</th>
              <th scope="col">Rules</th>
              {manage && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {roles.data?.map((role) => (
              <tr key={role.id}>
                <th scope="row">
                  {role.name}
                  {role.description && <p className="muted">{role.description}</p>}
                </th>
                <td>{SCOPES[role.scope]}</td>
                <td>{role.permissions.join(', ') || '—'}</td>
                <td>
                  {[
                    role.exclusive ? 'Exclusive' : '',
                    role.module ? `Module ${role.module}` : '',
                    role.requiredFeature ? `Needs ${role.requiredFeature}` : '',
                    role.builtIn ? 'Built in' : '',
                  ]
                    .filter(Boolean)
                    .join(' · ') || '—'}
                </td>
                {manage && (
                  <td>
                    {role.id !== 'administrator' && (
                      <div className="buttons">
                        <button
                          type="button"
                          onClick={() => setEditing(role)}
                          aria-label={`Edit ${role.name}`}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          className="danger"
                          onClick={() => setDeleting(role)}
                          aria-label={`Delete ${role.name}`}
                        >
                          Delete
                        </button>
                      </div>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing && (
        <RoleDialog role={editing === 'new' ? undefined : editing} onClose={() => setEditing(undefined)} />
      )}
      {deleting && <DeleteRoleDialog role={deleting} onClose={() => setDeleting(undefined)} />}
    </section>
  );
}

function RoleDialog({ role, onClose }: { role?: Role; onClose(): void }) {
  const { api } = useAuth();
  const queries = useQueryClient();
  const [form, setForm] = useState<RoleForm>({
    name: role?.name ?? '',
    description: role?.description ?? '',
    permissions: role?.permissions.join(' ') ?? '',
    scope: role?.scope ?? 'tenant',
    exclusive: role?.exclusive ?? false,
    module: role?.module ?? '',
  });
  const save = useMutation({
    mutationFn: async () => {
      const body = {
        name: form.name.trim(),
        ...(form.description.trim() ? { description: form.description.trim() } : {}),
        permissions: form.permissions.split(/[\s,]+/).filter(Boolean),
        scope: form.scope,
        exclusive: form.exclusive,
        ...(form.module.trim() ? { module: form.module.trim() } : {}),
      };
      return role
        ? unwrap(
            await api.PATCH('/roles/{roleId}', {
              params: { path: { roleId: role.id }, header: { 'If-Match': `"${role.version}"` } },
              body,
            }),
          )
        : unwrap(
            await api.POST('/roles', {
              params: { header: { 'Idempotency-Key': crypto.randomUUID() } },
              body,
            }),
          );
    },
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['/roles'] });
      onClose();
    },
  });
  const errors = fieldErrors(save.error);
  const set = (change: Partial<RoleForm>) => setForm({ ...form, ...change });
  return (
    <Dialog title={role ? `Edit ${role.name}` : 'Add role'} onClose={onClose}>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <TextField
          label="Name"
          value={form.name}
          error={errors.name}
          onChange={(e) => set({ name: e.target.value })}
        />
        <TextField
          label="Description"
          value={form.description}
          error={errors.description}
          onChange={(e) => set({ description: e.target.value })}
        />
        <TextField
          label="Permissions"
          hint="Separated by spaces, e.g. users.read workorders.read"
          value={form.permissions}
          error={
            Object.entries(errors)
              .filter(([k]) => k.startsWith('permissions'))
              .map(([, m]) => m)
              .join('; ') || undefined
          }
          onChange={(e) => set({ permissions: e.target.value })}
        />
        <SelectField
          label="Scope"
          value={form.scope}
          error={errors.scope}
          onChange={(e) => set({ scope: e.target.value as Scope })}
        >
          {(Object.keys(SCOPES) as Scope[]).map((s) => (
            <option key={s} value={s}>
              {SCOPES[s]}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Module"
          hint="At most one role per module, e.g. tasks."
          value={form.module}
          error={errors.module}
          onChange={(e) => set({ module: e.target.value })}
        />
        <CheckboxField
          label="Exclusive: cannot be combined with other roles"
          checked={form.exclusive}
          onChange={(e) => set({ exclusive: e.target.checked })}
        />
        {save.error instanceof ApiError && save.error.status === 412 ? (
          <p role="alert" className="alert">
            Someone else changed this role meanwhile. Close this and open it again to see their version.
          </p>
        ) : (
          <ProblemAlert error={save.error} shownFields={Object.keys(errors)} />
        )}
        <div className="buttons">
          <button type="submit" className="primary" disabled={save.isPending}>
            {role ? 'Save role' : 'Add role'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteRoleDialog({ role, onClose }: { role: Role; onClose(): void }) {
  const { api } = useAuth();
  const queries = useQueryClient();
  const remove = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.DELETE('/roles/{roleId}', {
          params: { path: { roleId: role.id }, header: { 'Idempotency-Key': crypto.randomUUID() } },
        }),
      ),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['/roles'] });
      onClose();
    },
  });
  return (
    <Dialog title={`Delete the role ${role.name}?`} onClose={onClose}>
      <p>Only a role nobody holds can be deleted.</p>
      <ProblemAlert error={remove.error} />
      <div className="buttons">
        <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
          Delete role
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
