// Roles: what a role is, the nine every tenant starts with, and the rules for giving roles to a user.

import { type FieldIssue, InvalidInput, RoleRuleBroken } from './errors.ts';
import { PERMISSIONS, type Permission } from './permissions.ts';
import { multiLine, nameText, singleLine } from './text.ts';
import * as z from './zod.ts';

export const SCOPE_KINDS = ['tenant', 'team', 'area', 'client'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

export const RoleIdSchema = z
  .string()
  .check(
    z.regex(
      /^[a-z][a-z0-9-]{1,62}$/,
      'must be lower-case letters, digits and dashes, starting with a letter',
    ),
  );

/** Gatehouse's own permissions, or the application's: dotted lower-case words such as `workorders.dispatch`. */
export const PermissionSchema = z
  .string()
  .check(
    z.regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'must be dotted lower-case words, e.g. workorders.read'),
  )
  .check(z.maxLength(100));

export const RoleDefinitionSchema = z.strictObject({
  /** Any script: "日本", "Менеджер", "X"; what makes its id is the service's concern, never the caller's. */
  name: nameText(100),
  description: z.optional(multiLine(500).check(z.trim())),
  permissions: z.array(PermissionSchema).check(z.maxLength(100)),
  /** Where the role applies: the whole tenant, or only the teams, areas or client organisation it is given for. */
  scope: z.enum(SCOPE_KINDS),
  /** Cannot be combined with any other role. */
  exclusive: z._default(z.boolean(), false),
  /** Only for tenants that have this feature, e.g. `technician-users`. */
  requiredFeature: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(64))),
  /** At most one role per module, e.g. one `tasks` role and one `tickets` role. */
  module: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(64))),
});
export type RoleDefinition = z.infer<typeof RoleDefinitionSchema>;

export interface Role extends RoleDefinition {
  id: string;
  /** One of the nine every tenant starts with. */
  builtIn: boolean;
  version: number;
}

/** The feature whose roles are technician-level: they carry work orders, so they may get dispatch emails. */
export const TECHNICIAN_FEATURE = 'technician-users';

/** The administrator role: it carries every Gatehouse permission and may not be changed or removed. */
export const ADMINISTRATOR = 'administrator';

const USER_ADMIN: Permission[] = [
  'users.read',
  'users.create',
  'users.update',
  'users.lifecycle',
  'users.password.reset',
  'users.email',
  'history.read',
];
const WORK_MANAGEMENT = ['workorders.read', 'workorders.write', 'workorders.dispatch'];

const builtIn = (id: string, definition: z.input<typeof RoleDefinitionSchema>): Role => ({
  id,
  builtIn: true,
  version: 1,
  ...RoleDefinitionSchema.parse(definition),
});

/** The AMT article's nine roles, as every tenant's catalogue starts. */
export const BUILT_IN_ROLES: readonly Role[] = [
  builtIn(ADMINISTRATOR, {
    name: 'Administrator',
    description: 'Manages every user, role and setting of the tenant.',
    permissions: [...PERMISSIONS, 'workorders.read', 'billing.read'],
    scope: 'tenant',
  }),
  builtIn('accountant', {
    name: 'Accountant',
    description: 'Invoices, billing and financial reports.',
    permissions: ['billing.read', 'billing.write', 'reports.read'],
    scope: 'tenant',
  }),
  builtIn('technician', {
    name: 'Technician',
    description: 'Carries out the work orders dispatched to them.',
    permissions: ['workorders.read-own', 'workorders.update-own'],
    scope: 'tenant',
    exclusive: true,
    requiredFeature: TECHNICIAN_FEATURE,
  }),
  builtIn('work-manager', {
    name: 'Work Manager',
    description: 'Plans and dispatches all work orders.',
    permissions: WORK_MANAGEMENT,
    scope: 'tenant',
    module: 'tasks',
  }),
  builtIn('work-manager-read-only', {
    name: 'Work Manager (Read Only)',
    description: 'Sees all work orders, changes none.',
    permissions: ['workorders.read'],
    scope: 'tenant',
    module: 'tasks',
  }),
  builtIn('team-work-manager', {
    name: 'Team Work Manager',
    description: 'Plans and dispatches the work orders of their teams.',
    permissions: WORK_MANAGEMENT,
    scope: 'team',
    exclusive: true,
    module: 'tasks',
  }),
  builtIn('area-work-manager', {
    name: 'Area Work Manager',
    description: 'Plans and dispatches the work orders of their areas.',
    permissions: WORK_MANAGEMENT,
    scope: 'area',
    exclusive: true,
    module: 'tasks',
  }),
  builtIn('team-administrator', {
    name: 'Team Administrator',
    description: 'Manages the users of their teams.',
    permissions: USER_ADMIN,
    scope: 'team',
  }),
  builtIn('area-administrator', {
    name: 'Area Administrator',
    description: 'Manages the users of their areas.',
    permissions: USER_ADMIN,
    scope: 'area',
  }),
];

/** Whether any of the user's roles is technician-level (gated on the technician feature). */
export function holdsTechnicianRole(
  assignments: readonly RoleAssignment[],
  catalogue: ReadonlyMap<string, Role>,
): boolean {
  return assignments.some((a) => catalogue.get(a.role)?.requiredFeature === TECHNICIAN_FEATURE);
}

/** A role given to a user, with the teams, areas or client organisation it applies to when it is scoped. */
export const RoleAssignmentSchema = z.strictObject({
  role: RoleIdSchema,
  teams: z.optional(z.array(singleLine(64)).check(z.minLength(1)).check(z.maxLength(50))),
  areas: z.optional(z.array(singleLine(64)).check(z.minLength(1)).check(z.maxLength(50))),
  client: z.optional(singleLine(64)),
});
export type RoleAssignment = z.infer<typeof RoleAssignmentSchema>;

/** What the tenant has: its features and, where it lists them, its teams, areas and client organisations. */
export interface TenantOrganisation {
  features: readonly string[];
  teams?: readonly string[];
  areas?: readonly string[];
  clients?: readonly string[];
}

const SCOPE_FIELD = { team: 'teams', area: 'areas', client: 'client' } as const;

/**
 * Checks a user's roles against the catalogue and the tenant: unknown roles and missing or unknown scope
 * values are bad input (400); breaking a combination rule is a conflict (409), naming the rule.
 */
export function checkAssignments(
  assignments: readonly RoleAssignment[],
  catalogue: ReadonlyMap<string, Role>,
  tenant: TenantOrganisation,
  field = 'body.roles',
): void {
  const issues: FieldIssue[] = [];
  assignments.forEach((assignment, i) => {
    const at = `${field}.${i}`;
    const role = catalogue.get(assignment.role);
    if (!role) {
      issues.push({ field: `${at}.role`, message: 'is not a role of this tenant' });
      return;
    }
    for (const kind of ['team', 'area', 'client'] as const) {
      const name = SCOPE_FIELD[kind];
      const given = assignment[name];
      if (role.scope === kind && given === undefined) {
        issues.push({
          field: `${at}.${name}`,
          message: `is required: ${role.name} applies to chosen ${name}`,
        });
      } else if (role.scope !== kind && given !== undefined) {
        issues.push({
          field: `${at}.${name}`,
          message: `does not apply: ${role.name} is ${scopeWords(role.scope)}`,
        });
      } else if (given !== undefined) {
        const known = kind === 'team' ? tenant.teams : kind === 'area' ? tenant.areas : tenant.clients;
        const values = typeof given === 'string' ? [given] : given;
        const unknown = known ? values.filter((v) => !known.includes(v)) : [];
        if (unknown.length > 0)
          issues.push({ field: `${at}.${name}`, message: `unknown: ${unknown.join(', ')}` });
      }
    }
  });
  if (issues.length > 0) throw new InvalidInput(issues);

  const roles = assignments.map((a) => catalogue.get(a.role) as Role);
  if (new Set(roles.map((r) => r.id)).size !== roles.length) {
    throw new InvalidInput([{ field, message: 'names a role twice' }]);
  }
  const exclusive = roles.find((r) => r.exclusive);
  if (exclusive && roles.length > 1) {
    throw new RoleRuleBroken(`${exclusive.name} cannot be combined with other roles.`);
  }
  const gated = roles.find((r) => r.requiredFeature && !tenant.features.includes(r.requiredFeature));
  if (gated) {
    throw new RoleRuleBroken(
      `${gated.name} needs the tenant feature ${gated.requiredFeature}, which this tenant does not have.`,
    );
  }
  const modules = new Map<string, Role>();
  for (const role of roles) {
    if (!role.module) continue;
    const other = modules.get(role.module);
    if (other)
      throw new RoleRuleBroken(
        `${other.name} and ${role.name} are both ${role.module} roles; a user has one per module.`,
      );
    modules.set(role.module, role);
  }
}

function scopeWords(scope: ScopeKind): string {
  return scope === 'tenant' ? 'tenant-wide' : `given per ${SCOPE_FIELD[scope]}`;
}
