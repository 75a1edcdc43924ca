// Request and response schemas of the HTTP API, referenced by the route table.
// The namespace import leaves zod's message translations (about 260 KB) out of the bundles.
import * as z from 'zod';
import { ImportValidationSchema } from '#domain/import-file.ts';
import { JOB_ID_PATTERN, JOB_STATES, MAX_JOB_ITEMS } from '#domain/job.ts';
import { PasswordPolicySchema } from '#domain/password-policy.ts';
import { RoleDefinitionSchema, RoleIdSchema } from '#domain/roles.ts';
import { multiLine, singleLine } from '#domain/text.ts';
import { ProfileChangesSchema, ProfileSchema, USER_STATUSES } from '#domain/user.ts';
import { BULK_ACTIONS } from '#services/bulk.ts';

export const UserIdParamsSchema = z.strictObject({
  userId: z
    .uuid()
    .meta({ description: "The user's id.", examples: ['0b6f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b'] }),
});

export const CreateUserBodySchema = ProfileSchema.extend({
  /** Also activate at once: Cognito creates the login and mails the welcome message. */
  activate: z
    .boolean()
    .default(false)
    .meta({ description: 'Also activate at once: Cognito creates the login and mails the welcome message.' }),
}).meta({
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
});

const filterValue = (description: string, example: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .meta({ description, examples: [example] });

export const ListUsersQuerySchema = z.strictObject({
  q: z
    .string()
    .max(200)
    .optional()
    .meta({
      description:
        'Keywords: each must start a word of the first, last name, email, company, city, ZIP/postal code, address or phone; case and accents do not matter.',
      examples: ['jo berg'],
    }),
  status: z
    .enum(USER_STATUSES)
    .optional()
    .meta({ description: 'By default every user who is not archived; `archived`: the Archived tab.' }),
  role: RoleIdSchema.optional().meta({
    description: 'Users holding this role (its id).',
    examples: ['team-administrator'],
  }),
  licence: filterValue('Users holding this licence type.', 'engineer'),
  team: filterValue('Users of this team.', 'north'),
  area: filterValue('Users of this area.', 'oslo'),
  client: filterValue('External users of this client organisation.', 'contoso'),
  type: z.enum(['internal', 'external']).optional().meta({ description: 'Internal or external users.' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(25)
    .meta({ examples: [25] }),
  cursor: z.string().min(1).max(1024).optional(),
});

const ActorSchema = z.strictObject({ id: z.string(), name: z.string() });
const timestamp = z.iso.datetime();

export const UserSchema = ProfileSchema.extend({
  // As stored: lower-case, so the view carries the plain email rather than the input's lower-casing transform.
  email: z.email().max(254),
  id: z.uuid(),
  status: z.enum(USER_STATUSES),
  invitedAt: timestamp.optional(),
  registeredAt: timestamp.optional(),
  lastLoginAt: timestamp.optional(),
  archivedAt: timestamp.optional(),
  /** Accounts at the tenant's identity provider linked to the user's login by their first sign-in through it. */
  identities: z
    .array(z.strictObject({ provider: z.string(), subject: z.string(), linkedAt: timestamp }))
    .optional()
    .meta({
      description: "Accounts at the tenant's identity provider (single sign-on) linked to the user's login.",
    }),
  createdAt: timestamp,
  createdBy: ActorSchema,
  updatedAt: timestamp,
  updatedBy: ActorSchema,
  version: z.number().int().min(1),
}).meta({
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
});
export type UserView = z.infer<typeof UserSchema>;

export const UserPageSchema = z.strictObject({
  items: z.array(UserSchema),
  next: z
    .string()
    .optional()
    .meta({ description: 'The cursor of the next page, for `cursor`; absent on the last page.' }),
});

export const ProblemSchema = z.object({
  type: z.url(),
  title: z.string(),
  status: z.number().int().min(100).max(599),
  detail: z.string().optional(),
  errors: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
});

export const EditUserBodySchema = ProfileChangesSchema.meta({
  examples: [{ title: 'Lead field engineer', teams: ['North', 'East'], middleName: null }],
});

export const DeleteUserBodySchema = z
  .strictObject({
    /** The email of the user being deleted, typed again: a stray call cannot delete. */
    confirmEmail: z.string().min(1).max(254),
  })
  .meta({ examples: [{ confirmEmail: 'ada.lovelace@example.com' }] });

/** Cognito's floor for any pool; the tenant's own policy (often stricter) is checked by the server, a 400 naming it. */
const PasswordSchema = z
  .string()
  .min(PasswordPolicySchema.shape.minimumLength.minValue ?? 6)
  .max(256)
  .meta({
    description:
      "At least 6 characters (Cognito's floor), at most 256; the tenant's password policy applies too: its minimum " +
      'length and which of lower-case, upper-case letters, digits and symbols it requires (refused as 400 naming the rule).',
  });

export const SetPasswordBodySchema = z
  .strictObject({
    password: PasswordSchema,
    confirmPassword: PasswordSchema,
    /** true: the user must choose a new password at the next sign-in. */
    temporary: z.boolean().default(false),
  })
  .meta({
    examples: [{ password: 'Correct-Horse-42', confirmPassword: 'Correct-Horse-42', temporary: true }],
  });

export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(1024).optional(),
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
    z.strictObject({ before: z.unknown().optional(), after: z.unknown().optional() }),
  ),
});

export const HistoryPageSchema = z.strictObject({
  items: z.array(HistoryEntrySchema),
  next: z.string().optional(),
});

export const RoleIdParamsSchema = z.strictObject({
  roleId: RoleIdSchema.meta({ description: "The role's id.", examples: ['team-administrator'] }),
});

const roleExample = {
  name: 'Ticket Agent',
  description: 'Answers the tickets of their client organisation.',
  permissions: ['tickets.read', 'tickets.reply'],
  scope: 'client',
  exclusive: false,
  module: 'tickets',
};

export const CreateRoleBodySchema = RoleDefinitionSchema.meta({ examples: [roleExample] });

export const EditRoleBodySchema = RoleDefinitionSchema.partial()
  .extend({ exclusive: z.boolean().optional() })
  .meta({ examples: [{ description: 'Answers and closes the tickets of their client organisation.' }] });

export const RoleSchema = RoleDefinitionSchema.extend({
  id: RoleIdSchema,
  builtIn: z.boolean(),
  version: z.number().int().min(1),
}).meta({ examples: [{ ...roleExample, id: 'ticket-agent', builtIn: false, version: 1 }] });

export const RoleListSchema = z.strictObject({ items: z.array(RoleSchema) });

export const LicenceUsageSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      type: z.string(),
      seats: z.number().int().min(0),
      used: z.number().int().min(0),
      free: z.number().int().min(0),
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
    text: multiLine(10_000, 1).meta({ description: 'The plain-text body.' }),
    html: multiLine(50_000, 1).optional().meta({ description: 'An HTML body, shown where supported.' }),
  })
  .meta({ examples: [messageExample] });

export const EmailSentSchema = z.strictObject({
  userId: z.uuid(),
  /** SES's id of the message, also in the user's history. */
  messageId: z.string(),
});

/** A search, as `GET /users` takes it, without the page: what a bulk job's "every user matching" means. */
export const BulkSearchSchema = ListUsersQuerySchema.omit({ limit: true, cursor: true });

/** Ids answered at once, inside the request; more (or a search) become a job. */
export const BULK_AT_ONCE = 100;

export const BulkBodySchema = z
  .strictObject({
    action: z.enum(BULK_ACTIONS),
    userIds: z
      .array(z.uuid())
      .min(1)
      .max(MAX_JOB_ITEMS)
      .refine((ids) => new Set(ids).size === ids.length, 'must not name a user twice')
      .optional()
      .meta({
        uniqueItems: true,
        description: `Up to ${BULK_AT_ONCE} are acted on at once (200, a result each); more, up to ${MAX_JOB_ITEMS}, start a job (202).`,
      }),
    search: BulkSearchSchema.optional().meta({
      description:
        'Instead of `userIds`: every user this search finds now (as `GET /users` would, within your reach), as a job (202).',
    }),
    message: MessageSchema.optional().meta({
      description: 'Required for, and only for, the `email` action.',
    }),
  })
  .superRefine((body, ctx) => {
    if (!body.userIds && !body.search) {
      ctx.addIssue({ code: 'custom', path: ['userIds'], message: 'is required, unless search is given' });
    }
    if (body.userIds && body.search) {
      ctx.addIssue({ code: 'custom', path: ['search'], message: 'is only for when userIds is not given' });
    }
    if (body.action === 'email' && !body.message) {
      ctx.addIssue({ code: 'custom', path: ['message'], message: 'is required for the email action' });
    }
    if (body.action !== 'email' && body.message) {
      ctx.addIssue({ code: 'custom', path: ['message'], message: 'is only for the email action' });
    }
  })
  .meta({
    examples: [
      {
        action: 'deactivate',
        userIds: ['0b6f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b', '7d4c1e0a-2b3f-4c5d-8e9f-0a1b2c3d4e5f'],
      },
      { action: 'email', userIds: ['0b6f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b'], message: messageExample },
      { action: 'archive', search: { team: 'north', status: 'inactive' } },
    ],
  });

export const BulkResultSchema = z.strictObject({
  results: z.array(
    z.discriminatedUnion('outcome', [
      z.strictObject({ userId: z.uuid(), outcome: z.literal('done') }),
      z.strictObject({ userId: z.uuid(), outcome: z.literal('failed'), problem: ProblemSchema }),
    ]),
  ),
});

export const JobIdParamsSchema = z.strictObject({
  jobId: z
    .string()
    .regex(JOB_ID_PATTERN, 'must be a job id')
    .meta({ description: "The job's id.", examples: ['20261201T120000000Z-0b6f2a3c'] }),
});

export const JobSchema = z
  .strictObject({
    id: z.string(),
    action: z.enum([...BULK_ACTIONS, 'import']),
    state: z.enum(JOB_STATES),
    total: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
    left: z
      .number()
      .int()
      .meta({ description: 'Neither done nor failed: still to run, or never run after a cancel.' }),
    createdAt: z.string(),
    createdBy: z.strictObject({ id: z.string(), name: z.string() }),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    activate: z
      .boolean()
      .optional()
      .meta({ description: 'An import that also activates each user it creates.' }),
  })
  .meta({ description: 'A bulk job or an import: its state and its counts.' });

export type JobView = z.infer<typeof JobSchema>;

export const JobPageSchema = z.strictObject({
  items: z.array(JobSchema),
  next: z.string().optional(),
});

export const JobOutcomeSchema = z
  .strictObject({
    item: z
      .number()
      .int()
      .meta({ description: 'The position in the job, from 1 (an import: the row of the file).' }),
    userId: z.uuid().optional().meta({ description: 'The user acted on, or created.' }),
    outcome: z.enum(['done', 'failed']),
    problem: ProblemSchema.optional().meta({
      description: 'Why it failed: what its own request would have answered.',
    }),
  })
  .meta({ description: 'One item of a job: settled exactly once.' });

export const JobResultsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().min(1).max(1024).optional(),
});

export const JobResultsPageSchema = z.strictObject({
  items: z.array(JobOutcomeSchema),
  next: z.string().optional(),
});

const booleanQuery = (description: string) =>
  z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .meta({ description });

export const ImportQuerySchema = z.strictObject({
  dryRun: booleanQuery('Only validate: a report per row, nothing created.'),
  activate: booleanQuery('Also activate each user created: Cognito mails each a welcome message.'),
});

export const ImportReportSchema = z.strictObject({
  rows: z.number().int(),
  valid: z.number().int(),
  invalid: z.number().int(),
  results: z.array(ImportValidationSchema),
});

export const ScimTokenBodySchema = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .meta({
        description: 'What the token is for, e.g. the directory it connects.',
        examples: ['Entra ID'],
      }),
  })
  .meta({ examples: [{ name: 'Entra ID provisioning' }] });

export const ScimTokenIdParamsSchema = z.strictObject({
  tokenId: z.uuid().meta({
    description: "The token's id (not the token itself).",
    examples: ['5e1d7c2a-9b3f-4c8e-a6d0-2f4b8e9c1a7d'],
  }),
});

const scimTokenView = {
  id: z.uuid(),
  name: z.string(),
  createdAt: timestamp,
  createdBy: ActorSchema,
  lastUsedAt: timestamp.optional().meta({ description: 'Its last use, to within five minutes.' }),
};

export const ScimTokenSchema = z.strictObject(scimTokenView);

export const ScimTokenCreatedSchema = z.strictObject({
  ...scimTokenView,
  token: z.string().meta({
    description:
      "The bearer token for the tenant's SCIM endpoint: shown this once, kept only as a hash (a lost token is revoked and replaced).",
  }),
});

export const ScimTokenListSchema = z.strictObject({ items: z.array(ScimTokenSchema) });
