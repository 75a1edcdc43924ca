// A user's profile as the form holds it (strings, as inputs do) and back as the API's body: the one place
// that knows how a field is written and read.
import type { CreateUserBody, EditUserBody, Role, User } from '#console/api/client.ts';

export const WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type Week = Partial<Record<Weekday, number>>;

export interface RoleRow {
  role: string;
  /** Teams, areas or client, comma-separated, as the role's scope asks. */
  scope: string;
}

export interface ProfileForm {
  firstName: string;
  middleName: string;
  lastName: string;
  email: string;
  mobilePhone: string;
  photoUrl: string;
  street: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
  officePhone: string;
  homePhone: string;
  employeeId: string;
  title: string;
  company: string;
  teams: string;
  areas: string;
  accountingId: string;
  comments: string;
  mayCreateTickets: boolean;
  roles: RoleRow[];
  licenceType: string;
  userType: 'internal' | 'external';
  clientOrganisation: string;
  workOrderDispatch: boolean;
  oddWeeks: Record<Weekday, string>;
  evenWeeks: Record<Weekday, string>;
}

type Profile = Omit<CreateUserBody, 'activate'>;

const emptyWeek = () => Object.fromEntries(WEEKDAYS.map((d) => [d, ''])) as Record<Weekday, string>;
const weekForm = (week: Week | undefined) =>
  Object.fromEntries(WEEKDAYS.map((d) => [d, week?.[d] === undefined ? '' : String(week[d])])) as Record<
    Weekday,
    string
  >;

export function emptyForm(): ProfileForm {
  return {
    firstName: '',
    middleName: '',
    lastName: '',
    email: '',
    mobilePhone: '',
    photoUrl: '',
    street: '',
    city: '',
    state: '',
    postalCode: '',
    country: '',
    officePhone: '',
    homePhone: '',
    employeeId: '',
    title: '',
    company: '',
    teams: '',
    areas: '',
    accountingId: '',
    comments: '',
    mayCreateTickets: false,
    roles: [],
    licenceType: '',
    userType: 'internal',
    clientOrganisation: '',
    workOrderDispatch: false,
    oddWeeks: emptyWeek(),
    evenWeeks: emptyWeek(),
  };
}

export function formOf(user: User): ProfileForm {
  return {
    firstName: user.firstName,
    middleName: user.middleName ?? '',
    lastName: user.lastName,
    email: user.email,
    mobilePhone: user.mobilePhone ?? '',
    photoUrl: user.photoUrl ?? '',
    street: user.address?.street ?? '',
    city: user.address?.city ?? '',
    state: user.address?.state ?? '',
    postalCode: user.address?.postalCode ?? '',
    country: user.address?.country ?? '',
    officePhone: user.officePhone ?? '',
    homePhone: user.homePhone ?? '',
    employeeId: user.employeeId ?? '',
    title: user.title ?? '',
    company: user.company ?? '',
    teams: (user.teams ?? []).join(', '),
    areas: (user.areas ?? []).join(', '),
    accountingId: user.accountingId ?? '',
    comments: user.comments ?? '',
    mayCreateTickets: user.mayCreateTickets ?? false,
    roles: (user.roles ?? []).map((r) => ({
      role: r.role,
      scope: (r.teams ?? r.areas ?? (r.client ? [r.client] : [])).join(', '),
    })),
    licenceType: user.licenceType ?? '',
    userType: user.userType ?? 'internal',
    clientOrganisation: user.clientOrganisation ?? '',
    workOrderDispatch: user.notifications?.workOrderDispatch ?? false,
    oddWeeks: weekForm(user.availability?.oddWeeks),
    evenWeeks: weekForm(user.availability?.evenWeeks),
  };
}

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
const opt = (value: string) => (value.trim() ? value.trim() : undefined);

function week(values: Record<Weekday, string>): Week | undefined {
  const entries = WEEKDAYS.filter((d) => values[d].trim() !== '').map((d) => [d, Number(values[d])]);
  return entries.length > 0 ? (Object.fromEntries(entries) as Week) : undefined;
}

/** Whether the user's roles make them technician-level: only they are offered notifications. */
export function isTechnician(roles: { role: string }[], catalogue: Role[] | undefined): boolean {
  return roles.some(
    (r) =>
      r.role === 'technician' ||
      catalogue?.find((c) => c.id === r.role)?.requiredFeature === 'technician-users',
  );
}

/** The profile the form describes; empty optional fields are left out. */
export function profileOf(form: ProfileForm, catalogue: Role[] | undefined): Profile {
  const address = {
    street: opt(form.street),
    city: opt(form.city),
    state: opt(form.state),
    postalCode: opt(form.postalCode),
    country: opt(form.country),
  };
  const availability = { oddWeeks: week(form.oddWeeks), evenWeeks: week(form.evenWeeks) };
  const profile: Record<string, unknown> = {
    firstName: form.firstName.trim(),
    middleName: opt(form.middleName),
    lastName: form.lastName.trim(),
    email: form.email.trim(),
    mobilePhone: opt(form.mobilePhone),
    photoUrl: opt(form.photoUrl),
    address: Object.values(address).some((v) => v !== undefined) ? address : undefined,
    officePhone: opt(form.officePhone),
    homePhone: opt(form.homePhone),
    employeeId: opt(form.employeeId),
    title: opt(form.title),
    company: opt(form.company),
    teams: list(form.teams).length > 0 ? list(form.teams) : undefined,
    areas: list(form.areas).length > 0 ? list(form.areas) : undefined,
    accountingId: opt(form.accountingId),
    comments: opt(form.comments),
    mayCreateTickets: form.mayCreateTickets || undefined,
    roles: form.roles.filter((r) => r.role).map((r) => assignment(r, catalogue)),
    licenceType: opt(form.licenceType),
    userType: form.userType,
    clientOrganisation: form.userType === 'external' ? opt(form.clientOrganisation) : undefined,
    notifications:
      isTechnician(form.roles, catalogue) && form.workOrderDispatch ? { workOrderDispatch: true } : undefined,
    availability: availability.oddWeeks || availability.evenWeeks ? availability : undefined,
  };
  return JSON.parse(JSON.stringify(profile)) as Profile;
}

function assignment(row: RoleRow, catalogue: Role[] | undefined) {
  const scope = catalogue?.find((r) => r.id === row.role)?.scope ?? 'tenant';
  const values = list(row.scope);
  if (scope === 'team') return { role: row.role, teams: values };
  if (scope === 'area') return { role: row.role, areas: values };
  if (scope === 'client') return { role: row.role, client: values[0] ?? '' };
  return { role: row.role };
}

/** An edit: only the fields that changed; a field emptied is cleared with null. */
export function changesOf(before: Profile, after: Profile): EditUserBody {
  const changes: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof Profile>;
  for (const key of keys) {
    const a = before[key];
    const b = after[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    changes[key] = b === undefined ? null : b;
  }
  return changes as EditUserBody;
}
