// A user's profile, read-only, one tab at a time.
import type { Role, User } from '#console/api/client.ts';
import { WEEKDAYS } from './profile-model.ts';
import type { SectionId } from './profile-sections.tsx';
import { roleNames } from './users-page.tsx';

const dash = (v: unknown) => (v === undefined || v === null || v === '' ? '—' : String(v));

function Rows({ rows }: { rows: [string, unknown][] }) {
  return (
    <dl className="details">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{dash(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function SectionView({
  section,
  user,
  catalogue,
}: {
  section: SectionId;
  user: User;
  catalogue: Role[] | undefined;
}) {
  switch (section) {
    case 'general':
      return (
        <Rows
          rows={[
            ['First name', user.firstName],
            ['Middle name', user.middleName],
            ['Last name', user.lastName],
            ['Email', user.email],
            ['Mobile phone', user.mobilePhone],
            ['Photo URL', user.photoUrl],
            ['Invited', user.invitedAt && new Date(user.invitedAt).toLocaleString()],
            ['Registered', user.registeredAt && new Date(user.registeredAt).toLocaleString()],
            ['Last sign-in', user.lastLoginAt && new Date(user.lastLoginAt).toLocaleString()],
            ['Created', `${new Date(user.createdAt).toLocaleString()} by ${user.createdBy.name}`],
            ['Updated', `${new Date(user.updatedAt).toLocaleString()} by ${user.updatedBy.name}`],
          ]}
        />
      );
    case 'contact':
      return (
        <Rows
          rows={[
            ['Street', user.address?.street],
            ['City', user.address?.city],
            ['State or province', user.address?.state],
            ['ZIP or postal code', user.address?.postalCode],
            ['Country', user.address?.country],
            ['Office phone', user.officePhone],
            ['Home phone', user.homePhone],
          ]}
        />
      );
    case 'employee':
      return (
        <Rows
          rows={[
            ['Employee ID', user.employeeId],
            ['Title', user.title],
            ['Company', user.company],
            ['Teams', user.teams?.join(', ')],
            ['Areas', user.areas?.join(', ')],
            ['Accounting ID', user.accountingId],
            ['Comments', user.comments],
            ['May create support tickets', user.mayCreateTickets ? 'Yes' : 'No'],
          ]}
        />
      );
    case 'access':
      return (
        <Rows
          rows={[
            ['Roles', roleNames(user, catalogue)],
            ['Licence', user.licenceType],
            ['User type', user.userType === 'external' ? 'External' : 'Internal'],
            ['Client organisation', user.clientOrganisation],
          ]}
        />
      );
    case 'notifications':
      return (
        <Rows rows={[['Work-order dispatch emails', user.notifications?.workOrderDispatch ? 'On' : 'Off']]} />
      );
    case 'availability':
      return (
        <table className="availability-table">
          <caption>Hours per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Odd weeks</th>
              <th scope="col">Even weeks</th>
            </tr>
          </thead>
          <tbody>
            {WEEKDAYS.map((day) => (
              <tr key={day}>
                <th scope="row">{day.charAt(0).toUpperCase() + day.slice(1)}</th>
                <td>{dash(user.availability?.oddWeeks?.[day])}</td>
                <td>{dash(user.availability?.evenWeeks?.[day])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      );
  }
}
