// The profile's tabs, for reading and for editing: General, Additional Contact Info, Employee Details,
// Access (roles, licence), Notifications (technician-level users only) and Availability.
import type { ChangeEvent } from 'react';
import type { Role } from '#console/api/client.ts';
import { CheckboxField, SelectField, TextField } from '#console/components/field.tsx';
import type { Tab } from '#console/components/tabs.tsx';
import { isTechnician, type ProfileForm, type RoleRow, WEEKDAYS } from './profile-model.ts';

export type SectionId = 'general' | 'contact' | 'employee' | 'access' | 'notifications' | 'availability';

export function sectionsFor(form: ProfileForm, catalogue: Role[] | undefined): Tab<SectionId>[] {
  return [
    { id: 'general', label: 'General' },
    { id: 'contact', label: 'Additional Contact Info' },
    { id: 'employee', label: 'Employee Details' },
    { id: 'access', label: 'Roles and licence' },
    ...(isTechnician(form.roles, catalogue)
      ? [{ id: 'notifications' as const, label: 'Notifications' }]
      : []),
    { id: 'availability', label: 'Availability' },
  ];
}

/** Which section shows an API field, so a problem in a hidden tab can be pointed at. */
export function sectionOf(field: string): SectionId {
  const top = field.split('.')[0] ?? '';
  if (['address', 'officePhone', 'homePhone'].includes(top)) return 'contact';
  if (
    [
      'employeeId',
      'title',
      'company',
      'teams',
      'areas',
      'accountingId',
      'comments',
      'mayCreateTickets',
    ].includes(top)
  )
    return 'employee';
  if (['roles', 'licenceType', 'userType', 'clientOrganisation'].includes(top)) return 'access';
  if (top === 'notifications') return 'notifications';
  if (top === 'availability') return 'availability';
  return 'general';
}

interface EditProps {
  form: ProfileForm;
  set: (change: Partial<ProfileForm>) => void;
  errors: Record<string, string>;
  catalogue: Role[] | undefined;
  licences: { type: string; free: number }[] | undefined;
}

/** The errors at a field and below it (`roles` shows `roles.0.teams`). */
const at = (errors: Record<string, string>, field: string): string | undefined => {
  const found = Object.entries(errors)
    .filter(([key]) => key === field || key.startsWith(`${field}.`))
    .map(([, message]) => message);
  return found.length > 0 ? found.join('; ') : undefined;
};

export function SectionEditor({ section, ...props }: EditProps & { section: SectionId }) {
  const { form, set, errors } = props;
  const text = (field: keyof ProfileForm, label: string, api = field as string, extra = {}) => (
    <TextField
      label={label}
      value={form[field] as string}
      error={at(errors, api)}
      onChange={(e: ChangeEvent<HTMLInputElement>) => set({ [field]: e.target.value })}
      {...extra}
    />
  );
  switch (section) {
    case 'general':
      return (
        <div className="grid">
          {text('firstName', 'First name', 'firstName', { required: true, autoComplete: 'off' })}
          {text('middleName', 'Middle name')}
          {text('lastName', 'Last name', 'lastName', { required: true, autoComplete: 'off' })}
          {text('email', 'Email', 'email', { required: true, type: 'email', autoComplete: 'off' })}
          {text('mobilePhone', 'Mobile phone', 'mobilePhone', { type: 'tel' })}
          {text('photoUrl', 'Photo URL', 'photoUrl', { type: 'url', hint: 'An https address.' })}
        </div>
      );
    case 'contact':
      return (
        <div className="grid">
          {text('street', 'Street', 'address.street')}
          {text('city', 'City', 'address.city')}
          {text('state', 'State or province', 'address.state')}
          {text('postalCode', 'ZIP or postal code', 'address.postalCode')}
          {text('country', 'Country', 'address.country')}
          {text('officePhone', 'Office phone', 'officePhone', { type: 'tel' })}
          {text('homePhone', 'Home phone', 'homePhone', { type: 'tel' })}
        </div>
      );
    case 'employee':
      return (
        <div className="grid">
          {text('employeeId', 'Employee ID')}
          {text('title', 'Title')}
          {text('company', 'Company')}
          {text('teams', 'Teams', 'teams', { hint: 'Comma-separated.' })}
          {text('areas', 'Areas', 'areas', { hint: 'Comma-separated.' })}
          {text('accountingId', 'Accounting ID', 'accountingId', { hint: 'For third-party integrations.' })}
          <div className="field wide">
            <label htmlFor="profile-comments">Comments</label>
            <textarea
              id="profile-comments"
              rows={3}
              maxLength={2000}
              value={form.comments}
              aria-invalid={at(errors, 'comments') ? true : undefined}
              onChange={(e) => set({ comments: e.target.value })}
            />
            {at(errors, 'comments') && <p className="error">{at(errors, 'comments')}</p>}
          </div>
          <CheckboxField
            label="May create support tickets"
            checked={form.mayCreateTickets}
            error={at(errors, 'mayCreateTickets')}
            onChange={(e) => set({ mayCreateTickets: e.target.checked })}
          />
        </div>
      );
    case 'access':
      return <AccessEditor {...props} />;
    case 'notifications':
      return (
        <CheckboxField
          label="Work-order dispatch emails"
          checked={form.workOrderDispatch}
          error={at(errors, 'notifications')}
          onChange={(e) => set({ workOrderDispatch: e.target.checked })}
        />
      );
    case 'availability':
      return (
        <div className="availability">
          {(['oddWeeks', 'evenWeeks'] as const).map((weeks) => (
            <fieldset key={weeks}>
              <legend>{weeks === 'oddWeeks' ? 'Odd weeks' : 'Even weeks'}: hours per day</legend>
              {WEEKDAYS.map((day) => (
                <TextField
                  key={day}
                  label={`${capitalise(day)}, ${weeks === 'oddWeeks' ? 'odd' : 'even'} weeks`}
                  type="number"
                  min={0}
                  max={24}
                  step={0.5}
                  inputMode="decimal"
                  value={form[weeks][day]}
                  error={at(errors, `availability.${weeks}.${day}`)}
                  onChange={(e) => set({ [weeks]: { ...form[weeks], [day]: e.target.value } })}
                />
              ))}
            </fieldset>
          ))}
        </div>
      );
  }
}

function AccessEditor({ form, set, errors, catalogue, licences }: EditProps) {
  const setRow = (index: number, row: Partial<RoleRow>) =>
    set({ roles: form.roles.map((r, i) => (i === index ? { ...r, ...row } : r)) });
  return (
    <div>
      <fieldset>
        <legend>Roles</legend>
        {at(errors, 'roles') && <p className="error">{at(errors, 'roles')}</p>}
        {form.roles.map((row, index) => {
          const role = catalogue?.find((r) => r.id === row.role);
          const scope = role?.scope ?? 'tenant';
          return (
            <div className="role-row" key={index}>
              <SelectField
                label={`Role ${index + 1}`}
                value={row.role}
                error={at(errors, `roles.${index}.role`)}
                onChange={(e) => setRow(index, { role: e.target.value, scope: '' })}
              >
                <option value="">Choose a role…</option>
                {catalogue?.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </SelectField>
              {scope !== 'tenant' && (
                <TextField
                  label={scope === 'team' ? 'Teams' : scope === 'area' ? 'Areas' : 'Client organisation'}
                  hint={scope === 'client' ? 'The client this role applies to.' : 'Comma-separated.'}
                  value={row.scope}
                  error={at(
                    errors,
                    `roles.${index}.${scope === 'team' ? 'teams' : scope === 'area' ? 'areas' : 'client'}`,
                  )}
                  onChange={(e) => setRow(index, { scope: e.target.value })}
                />
              )}
              <button
                type="button"
                onClick={() => set({ roles: form.roles.filter((_, i) => i !== index) })}
                aria-label={`Remove role ${index + 1}${role ? ` (${role.name})` : ''}`}
              >
                Remove
              </button>
            </div>
          );
        })}
        <button type="button" onClick={() => set({ roles: [...form.roles, { role: '', scope: '' }] })}>
          Add a role
        </button>
      </fieldset>
      <div className="grid">
        <SelectField
          label="Licence"
          value={form.licenceType}
          error={at(errors, 'licenceType')}
          onChange={(e) => set({ licenceType: e.target.value })}
        >
          <option value="">No licence</option>
          {licences?.map((l) => (
            <option key={l.type} value={l.type}>
              {l.type} ({l.free} free)
            </option>
          ))}
          {form.licenceType && !licences?.some((l) => l.type === form.licenceType) && (
            <option value={form.licenceType}>{form.licenceType}</option>
          )}
        </SelectField>
        <SelectField
          label="User type"
          value={form.userType}
          error={at(errors, 'userType')}
          onChange={(e) => set({ userType: e.target.value as ProfileForm['userType'] })}
        >
          <option value="internal">Internal</option>
          <option value="external">External (a client organisation's)</option>
        </SelectField>
        {form.userType === 'external' && (
          <TextField
            label="Client organisation"
            value={form.clientOrganisation}
            error={at(errors, 'clientOrganisation')}
            onChange={(e) => set({ clientOrganisation: e.target.value })}
          />
        )}
      </div>
    </div>
  );
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
