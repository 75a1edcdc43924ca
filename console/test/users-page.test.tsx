import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { User } from '#console/api/client.ts';
import { UsersPage } from '#console/features/users/users-page.tsx';
import { aUser, renderSignedIn } from './render.tsx';

/** A user's result that failed, with the 409 problem the API gives for it. */
const failed = (detail: string) => ({
  outcome: 'failed',
  problem: { type: 'about:blank', title: 'Not possible', status: 409, detail },
});

/** Checks two users, picks Deactivate from the Actions menu and confirms it in the dialog that names them. */
async function deactivateBoth(a: User, b: User) {
  await userEvent.click(await screen.findByRole('checkbox', { name: `Select ${a.firstName} ${a.lastName}` }));
  await userEvent.click(screen.getByRole('checkbox', { name: `Select ${b.firstName} ${b.lastName}` }));
  await userEvent.click(screen.getByRole('button', { name: 'Actions (2 users)' }));
  await userEvent.click(screen.getByRole('button', { name: 'Deactivate' }));
  const dialog = screen.getByRole('dialog', { name: 'Deactivate 2 users?' });
  await userEvent.click(within(dialog).getByRole('button', { name: 'Deactivate 2 users' }));
}

describe('Users page', () => {
  it('shows each user with roles, licence and status in words', async () => {
    const user = aUser({
      licenceType: 'engineer',
      status: 'invited',
      roles: [{ role: 'team-administrator', teams: ['north'] }],
    });
    renderSignedIn(<UsersPage />, (sent) =>
      sent.path === '/users' ? { status: 200, body: { items: [user] } } : undefined,
    );
    const row = (await screen.findByRole('link', { name: `${user.firstName} ${user.lastName}` })).closest(
      'tr',
    ) as HTMLElement;
    expect(within(row).getByText('Invited')).toBeTruthy();
    expect(within(row).getByText('engineer')).toBeTruthy();
    expect(await within(row).findByText('Team Administrator (north)')).toBeTruthy();
  });

  it('searches as the person types, and reads the Archived tab with status=archived', async () => {
    const { sent } = renderSignedIn(<UsersPage />, (s) =>
      s.path === '/users' ? { status: 200, body: { items: [] } } : undefined,
    );
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search users' }), 'jo berg');
    await waitFor(() =>
      expect(sent.some((s) => s.path === '/users' && s.query.get('q') === 'jo berg')).toBe(true),
    );
    await userEvent.click(screen.getByRole('tab', { name: 'Archived' }));
    await waitFor(() => expect(sent.some((s) => s.query.get('status') === 'archived')).toBe(true));
  });

  it("filters by the API's role, licence and type filters", async () => {
    const { sent } = renderSignedIn(<UsersPage />, (s) =>
      s.path === '/users' ? { status: 200, body: { items: [] } } : undefined,
    );
    await screen.findByRole('option', { name: 'Team Administrator' });
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Role' }), 'Team Administrator');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Type' }), 'External');
    await waitFor(() =>
      expect(
        sent.some((s) => s.query.get('role') === 'team-administrator' && s.query.get('type') === 'external'),
      ).toBe(true),
    );
  });

  it('pages with the cursor the API gave', async () => {
    const { sent } = renderSignedIn(<UsersPage />, (s) =>
      s.path === '/users'
        ? { status: 200, body: { items: [aUser()], ...(s.query.get('cursor') ? {} : { next: 'page-2' }) } }
        : undefined,
    );
    await screen.findByRole('link', { name: /Grace/ });
    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(sent.some((s) => s.query.get('cursor') === 'page-2')).toBe(true));
    expect(await screen.findByText('Page 2')).toBeTruthy();
  });

  it('confirms a bulk action naming how many users, then reports each failure', async () => {
    const [a, b] = [aUser(), aUser()] as const;
    const { sent } = renderSignedIn(<UsersPage />, (s) => {
      if (s.path === '/users' && s.method === 'GET') return { status: 200, body: { items: [a, b] } };
      if (s.path === '/users/bulk')
        return {
          status: 200,
          body: {
            results: [
              { userId: a.id, outcome: 'done' },
              { userId: b.id, ...failed('Cannot deactivate a user whose status is inactive.') },
            ],
          },
        };
      return undefined;
    });
    await deactivateBoth(a, b);
    const status = await screen.findByText(/Deactivated 1 user\. 1 user failed/);
    expect(status.closest('[role=status]')?.textContent).toContain(
      'Cannot deactivate a user whose status is inactive.',
    );
    const bulk = sent.find((s) => s.path === '/users/bulk');
    expect(bulk?.body).toEqual({ action: 'deactivate', userIds: [a.id, b.id] });
    expect(bulk?.headers.get('idempotency-key')).toBeTruthy();
    expect(bulk?.headers.get('authorization')).toBe('Bearer id-token');
  });

  it('follows a bulk action the API made a job (202): its progress, then each failure', async () => {
    const [a, b] = [aUser(), aUser()] as const;
    const job = {
      id: '20261201T120000000Z-0b6f2a3c',
      action: 'deactivate',
      total: 2,
      createdAt: '2026-12-01T12:00:00.000Z',
      createdBy: { id: 'admin', name: 'Ada Admin' },
    };
    let reads = 0;
    const { sent } = renderSignedIn(<UsersPage />, (s) => {
      if (s.path === '/users' && s.method === 'GET') return { status: 200, body: { items: [a, b] } };
      if (s.path === '/users/bulk')
        return { status: 202, body: { ...job, state: 'queued', done: 0, failed: 0, left: 2 } };
      if (s.path === `/jobs/${job.id}`) {
        reads += 1;
        return reads === 1
          ? { status: 200, body: { ...job, state: 'running', done: 1, failed: 0, left: 1 } }
          : { status: 200, body: { ...job, state: 'completed', done: 1, failed: 1, left: 0 } };
      }
      if (s.path === `/jobs/${job.id}/results`)
        return {
          status: 200,
          body: {
            items: [
              { item: 1, userId: a.id, outcome: 'done' },
              { item: 2, userId: b.id, ...failed('Already inactive.') },
            ],
          },
        };
      return undefined;
    });
    await deactivateBoth(a, b);
    expect(await screen.findByText(/A job will deactivate 2 users.*1 done, 0 failed, 1 left/)).toBeTruthy();
    const status = await screen.findByText(/Deactivated 1 user\. 1 user failed/, {}, { timeout: 5000 });
    expect(status.closest('[role=status]')?.textContent).toContain(
      `${b.firstName} ${b.lastName}: Already inactive.`,
    );
    expect(sent.find((s) => s.path === `/jobs/${job.id}/results`)?.query.get('limit')).toBe('1000');
  });

  it('offers neither Add user nor actions to someone who may only read', async () => {
    renderSignedIn(
      <UsersPage />,
      (s) => (s.path === '/users' ? { status: 200, body: { items: [aUser()] } } : undefined),
      ['users.read'],
    );
    await screen.findByRole('link', { name: /Grace/ });
    expect(screen.queryByRole('link', { name: 'Add user' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Actions/ })).toBeNull();
  });
});
