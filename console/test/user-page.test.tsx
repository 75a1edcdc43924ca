import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { UserPage } from '#console/features/users/user-page.tsx';
import { aUser, renderSignedIn } from './render.tsx';

describe('User page', () => {
  it('edits only what changed, with If-Match, and clears an emptied field with null', async () => {
    const user = aUser({ version: 4, title: 'Engineer', company: 'Acme' });
    const { sent } = renderSignedIn(<UserPage userId={user.id} />, (s) => {
      if (s.path === `/users/${user.id}` && s.method === 'GET') return { status: 200, body: user };
      if (s.method === 'PATCH') return { status: 200, body: { ...user, title: 'Lead engineer', version: 5 } };
      return undefined;
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    await userEvent.click(screen.getByRole('tab', { name: 'Employee Details' }));
    const title = screen.getByRole('textbox', { name: 'Title' });
    await userEvent.clear(title);
    await userEvent.type(title, 'Lead engineer');
    await userEvent.clear(screen.getByRole('textbox', { name: 'Company' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await screen.findByText('Changes saved.');
    const patch = sent.find((s) => s.method === 'PATCH');
    expect(patch?.body).toEqual({ title: 'Lead engineer', company: null });
    expect(patch?.headers.get('if-match')).toBe('"4"');
  });

  it('on 412 tells the person someone else changed the user, and reloads it', async () => {
    const user = aUser({ version: 2 });
    let reads = 0;
    renderSignedIn(<UserPage userId={user.id} />, (s) => {
      if (s.method === 'GET' && s.path === `/users/${user.id}`) {
        reads += 1;
        return { status: 200, body: reads === 1 ? user : { ...user, firstName: 'Changed', version: 3 } };
      }
      if (s.method === 'PATCH')
        return {
          status: 412,
          body: {
            type: 'https://gatehouse.dev/problems/version-conflict',
            title: 'Changed by someone else',
            status: 412,
          },
        };
      return undefined;
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'Middle name' }), 'X');
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Someone else changed this user');
    await userEvent.click(within(alert).getByRole('button', { name: 'Reload the user' }));
    expect(await screen.findByRole('heading', { name: `Changed ${user.lastName}` })).toBeTruthy();
  });

  it("shows each problem+json issue next to the field it names, and marks that field's tab", async () => {
    const user = aUser();
    renderSignedIn(<UserPage userId={user.id} />, (s) => {
      if (s.method === 'GET' && s.path === `/users/${user.id}`) return { status: 200, body: user };
      if (s.method === 'PATCH')
        return {
          status: 400,
          body: {
            type: 'https://gatehouse.dev/problems/invalid-input',
            title: 'Invalid request',
            status: 400,
            detail: 'Invalid body.address.postalCode.',
            errors: [{ field: 'body.address.postalCode', message: 'must be at most 20 characters' }],
          },
        };
      return undefined;
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    await userEvent.click(screen.getByRole('tab', { name: 'Additional Contact Info' }));
    await userEvent.type(screen.getByRole('textbox', { name: 'ZIP or postal code' }), '1'.repeat(21));
    await userEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    const field = await screen.findByRole('textbox', { name: 'ZIP or postal code' });
    await waitFor(() => expect(field.getAttribute('aria-invalid')).toBe('true'));
    const described = document.getElementById(field.getAttribute('aria-describedby') ?? '');
    expect(described?.textContent).toBe('must be at most 20 characters');
    expect(screen.getByRole('tab', { name: 'Additional Contact Info (has errors)' })).toBeTruthy();
  });

  it('offers notifications only for technician-level users', async () => {
    const technician = aUser({ roles: [{ role: 'technician' }], notifications: { workOrderDispatch: true } });
    renderSignedIn(<UserPage userId={technician.id} />, (s) =>
      s.method === 'GET' && s.path === `/users/${technician.id}`
        ? { status: 200, body: technician }
        : undefined,
    );
    expect(await screen.findByRole('tab', { name: 'Notifications' })).toBeTruthy();
    const other = aUser();
    renderSignedIn(<UserPage userId={other.id} />, (s) =>
      s.method === 'GET' && s.path === `/users/${other.id}` ? { status: 200, body: other } : undefined,
    );
    await screen.findByRole('heading', { name: `${other.firstName} ${other.lastName}` });
    expect(screen.getAllByRole('tab', { name: 'Notifications' })).toHaveLength(1);
  });

  it('deletes only once the email is typed, sending it as confirmation', async () => {
    const user = aUser({ status: 'inactive' });
    const { sent } = renderSignedIn(<UserPage userId={user.id} />, (s) => {
      if (s.method === 'GET' && s.path === `/users/${user.id}`) return { status: 200, body: user };
      if (s.method === 'DELETE') return { status: 204 };
      return undefined;
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('dialog', { name: `Delete ${user.firstName} ${user.lastName}?` });
    const confirm = within(dialog).getByRole('button', { name: 'Delete for good' });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(within(dialog).getByRole('textbox', { name: "The user's email" }), user.email);
    await userEvent.click(confirm);
    await waitFor(() =>
      expect(sent.find((s) => s.method === 'DELETE')?.body).toEqual({ confirmEmail: user.email }),
    );
  });

  it("emails one user, showing the API's problem next to the field it names", async () => {
    const user = aUser();
    let attempts = 0;
    const { sent } = renderSignedIn(<UserPage userId={user.id} />, (s) => {
      if (s.method === 'GET' && s.path === `/users/${user.id}`) return { status: 200, body: user };
      if (s.path === `/users/${user.id}/email`) {
        attempts += 1;
        return attempts === 1
          ? {
              status: 400,
              body: {
                type: 'https://gatehouse.dev/problems/invalid-input',
                title: 'Invalid request',
                status: 400,
                errors: [{ field: 'body.subject', message: 'must not be blank' }],
              },
            }
          : { status: 202, body: { userId: user.id, messageId: 'm-1' } };
      }
      return undefined;
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Email' }));
    const dialog = screen.getByRole('dialog', { name: `Email ${user.firstName} ${user.lastName}` });
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Subject' }), ' ');
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Message' }), 'Hello');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Send' }));
    expect(await within(dialog).findByText('must not be blank')).toBeTruthy();
    await userEvent.type(within(dialog).getByRole('textbox', { name: 'Subject' }), 'Office closed');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Send' }));
    await screen.findByText(`The message was sent to ${user.email}.`);
    expect(sent.filter((s) => s.path.endsWith('/email')).at(-1)?.body).toEqual({
      subject: ' Office closed',
      text: 'Hello',
    });
  });

  it('offers only the actions the status and the permissions allow', async () => {
    const user = aUser({ status: 'archived' });
    renderSignedIn(
      <UserPage userId={user.id} />,
      (s) => (s.method === 'GET' && s.path === `/users/${user.id}` ? { status: 200, body: user } : undefined),
      ['users.read', 'users.lifecycle'],
    );
    expect(await screen.findByRole('button', { name: 'Restore' })).toBeTruthy();
    for (const name of ['Edit', 'Delete', 'Archive', 'Deactivate', 'Reset password']) {
      expect(screen.queryByRole('button', { name })).toBeNull();
    }
  });
});
