// Request and response schemas of the HTTP API, referenced by the route table.

import { PasswordPolicySchema } from '#domain/password-policy.ts';
import { RoleDefinitionSchema, RoleIdSchema } from '#domain/roles.ts';
import { multiLine, singleLine } from '#domain/text.ts';
import { ProfileChangesSchema, ProfileSchema, USER_STATUSES } from '#domain/user.ts';
import * as z from '#domain/zod.ts';
import { BULK_ACTIONS } from '#services/bulk.ts';

export const UserIdParamsSchema = z.strictObject({
  userId: z
    .uuid()
    .check(z.meta({ description: "The user's id.", examples: ['0b6f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b'] })),
});

export const CreateUserBodySchema = z
  .extend(ProfileSchema, {
    /** Also activate at once: Cognito creates the login and mails the welcome message. */
    activate: z._default(z.boolean(), false).check(
      z.meta({
        description: 'Also activate at once: Cognito creates the login and mails the welcome message.',
      }),
    ),
  })
  .check(
    z.meta({
      examples: [
        {
          firstName: 'Ada',
          middleName: 'Augusta',
          lastName: 'Lovelace',
          email: 'ada.lovelace@example.com',
          mobilePhone: '+44 20 7946 0958',
          photoUrl: 'https://example.com/photos/ada.jpg',
          address: {
            street: '12 St James Square',
            city: 'London',
            state: 'Greater London',
            postalCode: 'SW1Y 4JH',
            country: 'United Kingdom',
          },
          officePhone: '+44 20 7946 0000',
          homePhone: '+44 20 7946 0001',
          employeeId: 'E-1815',
          title: 'Field engineer',
          company: 'Analytical Engines Ltd',
          teams: ['North'],
          areas: ['London'],
          accountingId: 'ACC-42',
          comments: 'Prefers morning shifts.',
          mayCreateTickets: true,
          roles: [{ role: 'team-work-manager', teams: ['north'] }],
          licenceType: 'engineer',
          userType: 'internal',
          notifications: { workOrderDispatch: true },
          availability: { oddWeeks: { monday: 8, tuesday: 8 }, evenWeeks: { friday: 4.5 } },
          activate: false,
        },
      ],
    }),
  );

const filterValue = (description: string, example: string) =>
  z
    .optional(z.string().check(z.trim()).check(z.minLength(1)).check(z.maxLength(64)))
    .check(z.meta({ description, examples: [example] }));

export const ListUsersQuerySchema = z.strictObject({
  q: z.optional(z.string().check(z.maxLength(200))).check(
    z.meta({
      description:
        'Keywords: each must start a word of the first, last name, email, company, city, ZIP/postal code, address or phone; case and accents do not matter.',
      examples: ['jo berg'],
    }),
  ),
  status: z
    .optional(z.enum(USER_STATUSES))
    .check(
      z.meta({ description: 'By default every user who is not archived; `archived`: the Archived tab.' }),
    ),
  role: z.optional(RoleIdSchema).check(
    z.meta({
      description: 'Users holding this role (its id).',
      examples: ['team-administrator'],
    }),
  ),
  licence: filterValue('Users holding this licence type.', 'engineer'),
  team: filterValue('Users of this team.', 'north'),
  area: filterValue('Users of this area.', 'oslo'),
  client: filterValue('External users of this client organisation.', 'contoso'),
  type: z
    .optional(z.enum(['internal', 'external']))
    .check(z.meta({ description: 'Internal or external users.' })),
  limit: z
    ._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25)
    .check(z.meta({ examples: [25] })),
  cursor: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(1024))),
});

const ActorSchema = z.strictObject({ id: z.string(), name: z.string() });
const timestamp = z.iso.datetime();

export const UserSchema = z
  .extend(ProfileSchema, {
    // As stored: lower-case, so the view carries the plain email rather than the input's lower-casing transform.
    email: z.email().check(z.maxLength(254)),
    id: z.uuid(),
    status: z.enum(USER_STATUSES),
    invitedAt: z.optional(timestamp),
    registeredAt: z.optional(timestamp),
    lastLoginAt: z.optional(timestamp),
    archivedAt: z.optional(timestamp),
    /** Accounts at the tenant's identity provider linked to the user's login by their first sign-in through it. */
    identities: z
      .optional(z.array(z.strictObject({ provider: z.string(), subject: z.string(), linkedAt: timestamp })))
      .check(
        z.meta({
          description:
            "Accounts at the tenant's identity provider (single sign-on) linked to the user's login.",
        }),
      ),
    createdAt: timestamp,
    createdBy: ActorSchema,
    updatedAt: timestamp,
    updatedBy: ActorSchema,
    version: z.int().check(z.gte(1)),
  })
  .check(
    z.meta({
      examples: [
        {
          id: '0b6f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b',
          firstName: 'Ada',
          lastName: 'Lovelace',
          email: 'ada.lovelace@example.com',
          title: 'Field engineer',
          roles: [{ role: 'team-work-manager', teams: ['north'] }],
          userType: 'internal',
          status: 'active',
          invitedAt: '2025-03-01T09:00:00.000Z',
          registeredAt: '2025-03-01T09:30:00.000Z',
          lastLoginAt: '2025-03-04T08:15:00.000Z',
          createdAt: '2025-03-01T09:00:00.000Z',
          createdBy: { id: '7d4c1e0a-2b3f-4c5d-8e9f-0a1b2c3d4e5f', name: 'Grace Hopper' },
          updatedAt: '2025-03-01T09:30:00.000Z',
          updatedBy: { id: 'system', name: 'Sign-in' },
          version: 3,
        },
      ],
    }),
  );
export type UserView = z.infer<typeof UserSchema>;

export const UserPageSchema = z.strictObject({
  items: z.array(UserSchema),
  next: z
    .optional(z.string())
    .check(z.meta({ description: 'The cursor of the next page, for `cursor`; absent on the last page.' })),
});

export const ProblemSchema = z.object({
  type: z.url(),
  title: z.string(),
  status: z.int().check(z.gte(100)).check(z.lte(599)),
  detail: z.optional(z.string()),
  errors: z.optional(z.array(z.strictObject({ field: z.string(), message: z.string() }))),
});

export const EditUserBodySchema = ProfileChangesSchema.check(
  z.meta({
    examples: [{ title: 'Lead field engineer', teams: ['North', 'East'], middleName: null }],
  }),
);

export const DeleteUserBodySchema = z
  .strictObject({
    /** The email of the user being deleted, typed again: a stray call cannot delete. */
    confirmEmail: z.string().check(z.minLength(1)).check(z.maxLength(254)),
  })
  .check(z.meta({ examples: [{ confirmEmail: 'ada.lovelace@example.com' }] }));

/** Cognito's floor for any pool; the tenant's own policy (often stricter) is checked by the server, a 400 naming it. */
const PasswordSchema = z
  .string()
  .check(z.minLength(PasswordPolicySchema.shape.minimumLength._zod.bag.minimum ?? 6))
  .check(z.maxLength(256))
  .check(
    z.meta({
      description:
        "At least 6 characters (Cognito's floor), at most 256; the tenant's password policy applies too: its minimum " +
        'length and which of lower-case, upper-case letters, digits and symbols it requires (refused as 400 naming the rule).',
    }),
  );

export const SetPasswordBodySchema = z
  .strictObject({
    password: PasswordSchema,
    confirmPassword: PasswordSchema,
    /** true: the user must choose a new password at the next sign-in. */
    temporary: z._default(z.boolean(), false),
  })
  .check(
    z.meta({
      examples: [{ password: 'Correct-Horse-42', confirmPassword: 'Correct-Horse-42', temporary: true }],
    }),
  );

export const PageQuerySchema = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int()).check(z.gte(1)).check(z.lte(100)), 25),
  cursor: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(1024))),
});

export const DeliverySchema = z.strictObject({
  userId: z.uuid(),
  /** What Cognito mailed: a new invitation with a temporary password, or a password reset code. */
  delivery: z.enum(['invitation', 'reset-code']),
});

export const HistoryEntrySchema = z.strictObject({
  id: z.string(),
  userId: z.string(),
  at: timestamp,
  actor: ActorSchema,
  action: z.string(),
  requestId: z.string(),
  changes: z.record(
    z.string(),
    z.strictObject({ before: z.optional(z.unknown()), after: z.optional(z.unknown()) }),
  ),
});

export const HistoryPageSchema = z.strictObject({
  items: z.array(HistoryEntrySchema),
  next: z.optional(z.string()),
});

export const RoleIdParamsSchema = z.strictObject({
  roleId: RoleIdSchema.check(z.meta({ description: "The role's id.", examples: ['team-administrator'] })),
});

const roleExample = {
  name: 'Ticket Agent',
  description: 'Answers the tickets of their client organisation.',
  permissions: ['tickets.read', 'tickets.reply'],
  scope: 'client',
  exclusive: false,
  module: 'tickets',
};

export const CreateRoleBodySchema = RoleDefinitionSchema.check(z.meta({ examples: [roleExample] }));

export const EditRoleBodySchema = z
  .extend(z.partial(RoleDefinitionSchema), { exclusive: z.optional(z.boolean()) })
  .check(
    z.meta({ examples: [{ description: 'Answers and closes the tickets of their client organisation.' }] }),
  );

export const RoleSchema = z
  .extend(RoleDefinitionSchema, {
    id: RoleIdSchema,
    builtIn: z.boolean(),
    version: z.int().check(z.gte(1)),
  })
  .check(z.meta({ examples: [{ ...roleExample, id: 'ticket-agent', builtIn: false, version: 1 }] }));

export const RoleListSchema = z.strictObject({ items: z.array(RoleSchema) });

export const LicenceUsageSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      type: z.string(),
      seats: z.int().check(z.gte(0)),
      used: z.int().check(z.gte(0)),
      free: z.int().check(z.gte(0)),
    }),
  ),
});

const messageExample = {
  subject: 'Office closed on Friday',
  text: 'Hello,\n\nThe office is closed on Friday 6 June. Dispatch runs as usual.\n\nThe operations team',
  html: '<p>Hello,</p><p>The office is closed on <b>Friday 6 June</b>. Dispatch runs as usual.</p>',
};

/** A message to users: sent as is (no templating) from the tenant's sender. */
export const MessageSchema = z
  .strictObject({
    subject: singleLine(200),
    text: multiLine(10_000, 1).check(z.meta({ description: 'The plain-text body.' })),
    html: z
      .optional(multiLine(50_000, 1))
      .check(z.meta({ description: 'An HTML body, shown where supported.' })),
  })
  .check(z.meta({ examples: [messageExample] }));

export const EmailSentSchema = z.strictObject({
  userId: z.uuid(),
  /** SES's id of the message, also in the user's history. */
  messageId: z.string(),
});

export const BulkBodySchema = z
  .strictObject({
    action: z.enum(BULK_ACTIONS),
    userIds: z
      .array(z.uuid())
      .check(z.minLength(1))
      .check(z.maxLength(100))
      .check(z.refine((ids) => new Set(ids).size === ids.length, 'must not name a user twice'))
      .check(z.meta({ uniqueItems: true })),
    message: z.optional(MessageSchema).check(
      z.meta({
        description: 'Required for, and only for, the `email` action.',
      }),
    ),
  })
  .check(
    z.superRefine((body, ctx) => {
      if (body.action === 'email' && !body.message) {
        ctx.addIssue({ code: 'custom', path: ['message'], message: 'is required for the email action' });
      }
      if (body.action !== 'email' && body.message) {
        ctx.addIssue({ code: 'custom', path: ['message'], message: 'is only for the email action' });
      }
    }),
  )
  .check(
    z.meta({
      examples: [
        {
          action: 'deactivate',
          userIds: ['0b6f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b', '7d4c1e0a-2b3f-4c5d-8e9f-0a1b2c3d4e5f'],
        },
        { action: 'email', userIds: ['0b6f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b'], message: messageExample },
      ],
    }),
  );

export const BulkResultSchema = z.strictObject({
  results: z.array(
    z.discriminatedUnion('outcome', [
      z.strictObject({ userId: z.uuid(), outcome: z.literal('done') }),
      z.strictObject({ userId: z.uuid(), outcome: z.literal('failed'), problem: ProblemSchema }),
    ]),
  ),
});

export const ScimTokenBodySchema = z
  .strictObject({
    name: z
      .string()
      .check(z.trim())
      .check(z.minLength(1))
      .check(z.maxLength(100))
      .check(
        z.meta({
          description: 'What the token is for, e.g. the directory it connects.',
          examples: ['Entra ID'],
        }),
      ),
  })
  .check(z.meta({ examples: [{ name: 'Entra ID provisioning' }] }));

export const ScimTokenIdParamsSchema = z.strictObject({
  tokenId: z.uuid().check(
    z.meta({
      description: "The token's id (not the token itself).",
      examples: ['5e1d7c2a-9b3f-4c8e-a6d0-2f4b8e9c1a7d'],
    }),
  ),
});

const scimTokenView = {
  id: z.uuid(),
  name: z.string(),
  createdAt: timestamp,
  createdBy: ActorSchema,
  lastUsedAt: z.optional(timestamp).check(z.meta({ description: 'Its last use, to within five minutes.' })),
};

export const ScimTokenSchema = z.strictObject(scimTokenView);

export const ScimTokenCreatedSchema = z.strictObject({
  ...scimTokenView,
  token: z.string().check(
    z.meta({
      description:
        "The bearer token for the tenant's SCIM endpoint: shown this once, kept only as a hash (a lost token is revoked and replaced).",
    }),
  ),
});

export const ScimTokenListSchema = z.strictObject({ items: z.array(ScimTokenSchema) });
