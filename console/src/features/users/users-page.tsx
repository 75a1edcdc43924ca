// The Users page: Active and Archived tabs, search as you type, a page of users at a time (the API's
// cursors), check boxes and the Action menu.
import { useEffect, useState } from 'react';
import type { Role, User } from '#console/api/client.ts';
import { Link, paths } from '#console/app/router.tsx';
import { useAuth } from '#console/auth/auth-context.tsx';
import { SelectField } from '#console/components/field.tsx';
import { ProblemAlert } from '#console/components/problem-alert.tsx';
import { StatusBadge } from '#console/components/status-badge.tsx';
import { BulkActions } from './bulk-actions.tsx';
import { useLicences, useRoles, useUserList } from './queries.ts';

type Tab = 'active' | 'archived';
const SEARCH_DELAY_MS = 250;

export function UsersPage() {
  const { tenant, can } = useAuth();
  const [tab, setTab] = useState<Tab>('active');
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  // Cursors of the pages before the current one: Previous pops, Next pushes.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [selected, setSelected] = useState<Map<string, User>>(new Map());
  const [filters, setFilters] = useState<{ role?: string; licence?: string; type?: 'internal' | 'external' }>(
    {},
  );
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(search);
      setCursors([undefined]);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search]);

  const list = useUserList({
    q,
    ...filters,
    ...(tab === 'archived' ? { status: 'archived' } : {}),
    ...(cursor ? { cursor } : {}),
  });
  const roles = useRoles();
  const licences = useLicences();
  const filter = (change: typeof filters) => {
    setFilters({ ...filters, ...change });
    setCursors([undefined]);
  };
  const users = list.data?.items ?? [];
  const allChecked = users.length > 0 && users.every((u) => selected.has(u.id));

  const switchTab = (next: Tab) => {
    setTab(next);
    setCursors([undefined]);
    setSelected(new Map());
  };
  const toggle = (user: User, on: boolean) => {
    const next = new Map(selected);
    if (on) next.set(user.id, user);
    else next.delete(user.id);
    setSelected(next);
  };

  return (
    <section aria-labelledby="users-title">
      <div className="page-head">
        <h1 id="users-title">Users</h1>
        {can('users.create') && (
          <Link className="button primary" href={paths.newUser(tenant.id)}>
            Add user
          </Link>
        )}
      </div>
      <div role="tablist" aria-label="Which users" className="list-tabs">
        {(['active', 'archived'] as const).map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            aria-controls="users-panel"
            onClick={() => switchTab(t)}
          >
            {t === 'active' ? 'Active' : 'Archived'}
          </button>
        ))}
      </div>
      <div id="users-panel" role="tabpanel" aria-label={tab === 'active' ? 'Active users' : 'Archived users'}>
        <div className="toolbar">
          <div className="field search">
            <label htmlFor="user-search">Search users</label>
            <input
              id="user-search"
              type="search"
              value={search}
              placeholder="Name, email, company, city, phone…"
              onChange={(e) => setSearch(e.target.value)}
              aria-describedby="user-search-hint"
            />
            <p className="hint" id="user-search-hint">
              Every word must start a word of the user's details.
            </p>
          </div>
          <div className="filters">
            <SelectField
              label="Role"
              value={filters.role ?? ''}
              onChange={(e) => filter({ role: e.target.value || undefined })}
            >
              <option value="">Any role</option>
              {roles.data?.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </SelectField>
            <SelectField
              label="Licence"
              value={filters.licence ?? ''}
              onChange={(e) => filter({ licence: e.target.value || undefined })}
            >
              <option value="">Any licence</option>
              {licences.data?.map((l) => (
                <option key={l.type} value={l.type}>
                  {l.type}
                </option>
              ))}
            </SelectField>
            <SelectField
              label="Type"
              value={filters.type ?? ''}
              onChange={(e) => filter({ type: (e.target.value || undefined) as typeof filters.type })}
            >
              <option value="">Internal and external</option>
              <option value="internal">Internal</option>
              <option value="external">External</option>
            </SelectField>
          </div>
          <BulkActions tab={tab} selected={[...selected.values()]} onDone={() => setSelected(new Map())} />
        </div>
        <ProblemAlert error={list.error} />
        <p className="sr-only" aria-live="polite">
          {list.isFetching ? 'Loading users…' : `${users.length} users on this page.`}
        </p>
        <div className="table-wrap">
          <table className="users">
            <caption className="sr-only">
              {tab === 'active' ? 'Active users' : 'Archived users'}
              {q ? ` matching “${q}”` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select every user on this page"
                    checked={allChecked}
                    onChange={(e) => {
                      const next = new Map(selected);
                      for (const u of users) {
                        if (e.target.checked) next.set(u.id, u);
                        else next.delete(u.id);
                      }
                      setSelected(next);
                    }}
                  />
                </th>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Roles</th>
                <th scope="col">Licence</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => {
                const name = `${user.firstName} ${user.lastName}`;
                return (
                  <tr key={user.id}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${name}`}
                        checked={selected.has(user.id)}
                        onChange={(e) => toggle(user, e.target.checked)}
                      />
                    </td>
                    <th scope="row">
                      <Link href={paths.user(tenant.id, user.id)}>{name}</Link>
                    </th>
                    <td data-label="Email">{user.email}</td>
                    <td data-label="Roles">{roleNames(user, roles.data)}</td>
                    <td data-label="Licence">{user.licenceType ?? '—'}</td>
                    <td data-label="Status">
                      <StatusBadge status={user.status} />
                    </td>
                  </tr>
                );
              })}
              {!list.isPending && users.length === 0 && (
                <tr>
                  <td colSpan={6}>{q ? `No user matches “${q}”.` : 'No users here yet.'}</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        <nav aria-label="Pages" className="pager">
          <button
            type="button"
            disabled={cursors.length <= 1}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Previous page
          </button>
          <span>Page {cursors.length}</span>
          <button
            type="button"
            disabled={!list.data?.next}
            onClick={() => list.data?.next && setCursors([...cursors, list.data.next])}
          >
            Next page
          </button>
        </nav>
      </div>
    </section>
  );
}

export function roleNames(user: Pick<User, 'roles'>, catalogue: Role[] | undefined): string {
  if (!user.roles || user.roles.length === 0) return '—';
  return user.roles
    .map((assignment) => {
      const name = catalogue?.find((r) => r.id === assignment.role)?.name ?? assignment.role;
      const scope = assignment.teams ?? assignment.areas ?? (assignment.client ? [assignment.client] : []);
      return scope.length > 0 ? `${name} (${scope.join(', ')})` : name;
    })
    .join(', ');
}
