// Request and response schemas of the HTTP API, referenced by the route table.

import { ImportValidationSchema } from '#domain/import-file.ts';
import { BULK_ACTIONS, JOB_ID_PATTERN, JOB_STATES, MAX_JOB_ITEMS } from '#domain/job.ts';
import { PasswordPolicySchema } from '#domain/password-policy.ts';
import { RoleDefinitionSchema, RoleIdSchema } from '#domain/roles.ts';
import { multiLine, nameText, singleLine } from '#domain/text.ts';
import { ProfileChangesSchema, ProfileSchema, USER_STATUSES } from '#domain/user.ts';
import * as z from '#domain/zod.ts';

export const UserIdParamsSchema = /* @__PURE__ */ z.strictObject({
  userId: /* @__PURE__ */ z.uuid().check(
    /* @__PURE__ */ z.meta({
      description: "The user's id.",
      examples: ['0b6f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b'],
    }),
  ),
});

export const CreateUserBodySchema = /* @__PURE__ */ z
  .extend(ProfileSchema, {
    /** Also activate at once: Cognito creates the login and mails the welcome message. */
    activate: /* @__PURE__ */ z._default(/* @__PURE__ */ z.boolean(), false).check(
      /* @__PURE__ */ z.meta({
        description: 'Also activate at once: Cognito creates the login and mails the welcome message.',
      }),
    ),
  })
  .check(
    /* @__PURE__ */ z.meta({
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
  /* @__PURE__ */ z
    .optional(
      /* @__PURE__ */ z
        .string()
        .check(/* @__PURE__ */ z.trim())
        .check(/* @__PURE__ */ z.minLength(1))
        .check(/* @__PURE__ */ z.maxLength(64)),
    )
    .check(/* @__PURE__ */ z.meta({ description, examples: [example] }));

export const ListUsersQuerySchema = /* @__PURE__ */ z.strictObject({
  q: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string().check(/* @__PURE__ */ z.maxLength(200))).check(
    /* @__PURE__ */ z.meta({
      description:
        'Keywords: each must start a word of the first, last name, email, company, city, ZIP/postal code, address or phone; case and accents do not matter.',
      examples: ['jo berg'],
    }),
  ),
  status: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.enum(USER_STATUSES)).check(
    /* @__PURE__ */ z.meta({
      description: 'By default every user who is not archived; `archived`: the Archived tab.',
    }),
  ),
  role: /* @__PURE__ */ z.optional(RoleIdSchema).check(
    /* @__PURE__ */ z.meta({
      description: 'Users holding this role (its id).',
      examples: ['team-administrator'],
    }),
  ),
  licence: /* @__PURE__ */ filterValue('Users holding this licence type.', 'engineer'),
  team: /* @__PURE__ */ filterValue('Users of this team.', 'north'),
  area: /* @__PURE__ */ filterValue('Users of this area.', 'oslo'),
  client: /* @__PURE__ */ filterValue('External users of this client organisation.', 'contoso'),
  type: /* @__PURE__ */ z
    .optional(/* @__PURE__ */ z.enum(['internal', 'external']))
    .check(/* @__PURE__ */ z.meta({ description: 'Internal or external users.' })),
  limit: /* @__PURE__ */ z
    ._default(
      /* @__PURE__ */ z.coerce
        .number()
        .check(/* @__PURE__ */ z.int(), /* @__PURE__ */ z.gte(1), /* @__PURE__ */ z.lte(100)),
      25,
    )
    .check(/* @__PURE__ */ z.meta({ examples: [25] })),
  cursor: /* @__PURE__ */ z.optional(
    /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.minLength(1)).check(/* @__PURE__ */ z.maxLength(1024)),
  ),
});

const ActorSchema = /* @__PURE__ */ z.strictObject({
  id: /* @__PURE__ */ z.string(),
  name: /* @__PURE__ */ z.string(),
});
const timestamp = /* @__PURE__ */ z.iso.datetime();

export const UserSchema = /* @__PURE__ */ z
  .extend(ProfileSchema, {
    // As stored: lower-case, so the view carries the plain email rather than the input's lower-casing transform.
    email: /* @__PURE__ */ z.email().check(/* @__PURE__ */ z.maxLength(254)),
    id: /* @__PURE__ */ z.uuid(),
    status: /* @__PURE__ */ z.enum(USER_STATUSES),
    invitedAt: /* @__PURE__ */ z.optional(timestamp),
    registeredAt: /* @__PURE__ */ z.optional(timestamp),
    lastLoginAt: /* @__PURE__ */ z.optional(timestamp),
    archivedAt: /* @__PURE__ */ z.optional(timestamp),
    /** Accounts at the tenant's identity provider linked to the user's login by their first sign-in through it. */
    identities: /* @__PURE__ */ z
      .optional(
        /* @__PURE__ */ z.array(
          /* @__PURE__ */ z.strictObject({
            provider: /* @__PURE__ */ z.string(),
            subject: /* @__PURE__ */ z.string(),
            linkedAt: timestamp,
          }),
        ),
      )
      .check(
        /* @__PURE__ */ z.meta({
          description:
            "Accounts at the tenant's identity provider (single sign-on) linked to the user's login.",
        }),
      ),
    createdAt: timestamp,
    createdBy: ActorSchema,
    updatedAt: timestamp,
    updatedBy: ActorSchema,
    version: /* @__PURE__ */ z.int().check(/* @__PURE__ */ z.gte(1)),
  })
  .check(
    /* @__PURE__ */ z.meta({
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

export const UserPageSchema = /* @__PURE__ */ z.strictObject({
  items: /* @__PURE__ */ z.array(UserSchema),
  next: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()).check(
    /* @__PURE__ */ z.meta({
      description: 'The cursor of the next page, for `cursor`; absent on the last page.',
    }),
  ),
});

export const ProblemSchema = /* @__PURE__ */ z.object({
  type: /* @__PURE__ */ z.url(),
  title: /* @__PURE__ */ z.string(),
  status: /* @__PURE__ */ z.int().check(/* @__PURE__ */ z.gte(100)).check(/* @__PURE__ */ z.lte(599)),
  detail: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
  errors: /* @__PURE__ */ z.optional(
    /* @__PURE__ */ z.array(
      /* @__PURE__ */ z.strictObject({
        field: /* @__PURE__ */ z.string(),
        message: /* @__PURE__ */ z.string(),
      }),
    ),
  ),
});

export const EditUserBodySchema = /* @__PURE__ */ ProfileChangesSchema.check(
  /* @__PURE__ */ z.meta({
    examples: [{ title: 'Lead field engineer', teams: ['North', 'East'], middleName: null }],
  }),
);

export const DeleteUserBodySchema = /* @__PURE__ */ z
  .strictObject({
    /** The email of the user being deleted, typed again: a stray call cannot delete. */
    confirmEmail: /* @__PURE__ */ z
      .string()
      .check(/* @__PURE__ */ z.minLength(1))
      .check(/* @__PURE__ */ z.maxLength(254)),
  })
  .check(/* @__PURE__ */ z.meta({ examples: [{ confirmEmail: 'ada.lovelace@example.com' }] }));

/** Cognito's floor for any pool; the tenant's own policy (often stricter) is checked by the server, a 400 naming it. */
const PasswordSchema = /* @__PURE__ */ z
  .string()
  .check(/* @__PURE__ */ z.minLength(PasswordPolicySchema.shape.minimumLength._zod.bag.minimum ?? 6))
  .check(/* @__PURE__ */ z.maxLength(256))
  .check(
    /* @__PURE__ */ z.meta({
      description:
        "At least 6 characters (Cognito's floor), at most 256; the tenant's password policy applies too: its minimum " +
        'length and which of lower-case, upper-case letters, digits and symbols it requires (refused as 400 naming the rule).',
    }),
  );

export const SetPasswordBodySchema = /* @__PURE__ */ z
  .strictObject({
    password: PasswordSchema,
    confirmPassword: PasswordSchema,
    /** true: the user must choose a new password at the next sign-in. */
    temporary: /* @__PURE__ */ z._default(/* @__PURE__ */ z.boolean(), false),
  })
  .check(
    /* @__PURE__ */ z.meta({
      examples: [{ password: 'Correct-Horse-42', confirmPassword: 'Correct-Horse-42', temporary: true }],
    }),
  );

/** A page's query: `limit`, from 1 to `max` (`size` when not given), and the `cursor` the page before handed out. */
const pageQuery = (max: number, size: number) =>
  /* @__PURE__ */ z.strictObject({
    limit: /* @__PURE__ */ z._default(
      /* @__PURE__ */ z.coerce
        .number()
        .check(/* @__PURE__ */ z.int())
        .check(/* @__PURE__ */ z.gte(1))
        .check(/* @__PURE__ */ z.lte(max)),
      size,
    ),
    cursor: /* @__PURE__ */ z.optional(
      /* @__PURE__ */ z
        .string()
        .check(/* @__PURE__ */ z.minLength(1))
        .check(/* @__PURE__ */ z.maxLength(1024)),
    ),
  });

export const PageQuerySchema = /* @__PURE__ */ pageQuery(100, 25);

export const DeliverySchema = /* @__PURE__ */ z.strictObject({
  userId: /* @__PURE__ */ z.uuid(),
  /** What Cognito mailed: a new invitation with a temporary password, or a password reset code. */
  delivery: /* @__PURE__ */ z.enum(['invitation', 'reset-code']),
});

export const HistoryEntrySchema = /* @__PURE__ */ z.strictObject({
  id: /* @__PURE__ */ z.string(),
  userId: /* @__PURE__ */ z.string(),
  at: timestamp,
  actor: ActorSchema,
  action: /* @__PURE__ */ z.string(),
  requestId: /* @__PURE__ */ z.string(),
  changes: /* @__PURE__ */ z.record(
    /* @__PURE__ */ z.string(),
    /* @__PURE__ */ z.strictObject({
      before: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.unknown()),
      after: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.unknown()),
    }),
  ),
});

export const HistoryPageSchema = /* @__PURE__ */ z.strictObject({
  items: /* @__PURE__ */ z.array(HistoryEntrySchema),
  next: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
});

export const RoleIdParamsSchema = /* @__PURE__ */ z.strictObject({
  roleId: /* @__PURE__ */ RoleIdSchema.check(
    /* @__PURE__ */ z.meta({ description: "The role's id.", examples: ['team-administrator'] }),
  ),
});

/**
 * `{ ...a, ...b }` as a call a bundle may drop: esbuild takes a spread for a possible side effect, so a top-level
 * constant made by one (and every schema it names) stayed in every bundle; `/* @__PURE__ *\/ merged(a, b)` goes
 * wherever nothing uses it.
 */
function merged<A extends object, B extends object>(a: A, b: B): Omit<A, keyof B> & B {
  return { ...a, ...b };
}

const roleExample = {
  name: 'Ticket Agent',
  description: 'Answers the tickets of their client organisation.',
  permissions: ['tickets.read', 'tickets.reply'],
  scope: 'client',
  exclusive: false,
  module: 'tickets',
};
const roleViewExample = /* @__PURE__ */ merged(roleExample, {
  id: 'ticket-agent',
  builtIn: false,
  version: 1,
});

export const CreateRoleBodySchema = /* @__PURE__ */ RoleDefinitionSchema.check(
  /* @__PURE__ */ z.meta({ examples: [roleExample] }),
);

export const EditRoleBodySchema = /* @__PURE__ */ z
  .extend(/* @__PURE__ */ z.partial(RoleDefinitionSchema), {
    exclusive: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.boolean()),
  })
  .check(
    /* @__PURE__ */ z.meta({
      examples: [{ description: 'Answers and closes the tickets of their client organisation.' }],
    }),
  );

export const RoleSchema = /* @__PURE__ */ z
  .extend(RoleDefinitionSchema, {
    id: RoleIdSchema,
    builtIn: /* @__PURE__ */ z.boolean(),
    version: /* @__PURE__ */ z.int().check(/* @__PURE__ */ z.gte(1)),
  })
  .check(
    /* @__PURE__ */ z.meta({
      examples: [roleViewExample],
    }),
  );

export const RoleListSchema = /* @__PURE__ */ z.strictObject({ items: /* @__PURE__ */ z.array(RoleSchema) });

export const LicenceUsageSchema = /* @__PURE__ */ z.strictObject({
  items: /* @__PURE__ */ z.array(
    /* @__PURE__ */ z.strictObject({
      type: /* @__PURE__ */ z.string(),
      seats: /* @__PURE__ */ z.int().check(/* @__PURE__ */ z.gte(0)),
      used: /* @__PURE__ */ z.int().check(/* @__PURE__ */ z.gte(0)),
      free: /* @__PURE__ */ z.int().check(/* @__PURE__ */ z.gte(0)),
    }),
  ),
});

const messageExample = {
  subject: 'Office closed on Friday',
  text: 'Hello,\n\nThe office is closed on Friday 6 June. Dispatch runs as usual.\n\nThe operations team',
  html: '<p>Hello,</p><p>The office is closed on <b>Friday 6 June</b>. Dispatch runs as usual.</p>',
};

/** A message to users: sent as is (no templating) from the tenant's sender. */
export const MessageSchema = /* @__PURE__ */ z
  .strictObject({
    subject: /* @__PURE__ */ singleLine(200),
    text: /* @__PURE__ */ multiLine(10_000, 1).check(
      /* @__PURE__ */ z.meta({ description: 'The plain-text body.' }),
    ),
    html: /* @__PURE__ */ z
      .optional(/* @__PURE__ */ multiLine(50_000, 1))
      .check(/* @__PURE__ */ z.meta({ description: 'An HTML body, shown where supported.' })),
  })
  .check(/* @__PURE__ */ z.meta({ examples: [messageExample] }));

export const EmailSentSchema = /* @__PURE__ */ z.strictObject({
  userId: /* @__PURE__ */ z.uuid(),
  /** SES's id of the message, also in the user's history. */
  messageId: /* @__PURE__ */ z.string(),
});

/** A search, as `GET /users` takes it, without the page: what a bulk job's "every user matching" means. */
export const BulkSearchSchema = /* @__PURE__ */ z.omit(ListUsersQuerySchema, { limit: true, cursor: true });

/** Ids answered at once, inside the request; more (or a search) become a job. */
export const BULK_AT_ONCE = 100;

export const BulkBodySchema = /* @__PURE__ */ z
  .strictObject({
    action: /* @__PURE__ */ z.enum(BULK_ACTIONS),
    userIds: /* @__PURE__ */ z
      .optional(
        /* @__PURE__ */ z
          .array(/* @__PURE__ */ z.uuid())
          .check(/* @__PURE__ */ z.minLength(1))
          .check(/* @__PURE__ */ z.maxLength(MAX_JOB_ITEMS))
          .check(
            /* @__PURE__ */ z.refine((ids) => new Set(ids).size === ids.length, 'must not name a user twice'),
          ),
      )
      .check(
        /* @__PURE__ */ z.meta({
          uniqueItems: true,
          description: `Up to ${BULK_AT_ONCE} are acted on at once (200, a result each); more, up to ${MAX_JOB_ITEMS}, start a job (202).`,
        }),
      ),
    search: /* @__PURE__ */ z.optional(BulkSearchSchema).check(
      /* @__PURE__ */ z.meta({
        description:
          'Instead of `userIds`: every user this search finds now (as `GET /users` would, within your reach), as a job (202).',
      }),
    ),
    message: /* @__PURE__ */ z.optional(MessageSchema).check(
      /* @__PURE__ */ z.meta({
        description: 'Required for, and only for, the `email` action.',
      }),
    ),
  })
  .check(
    /* @__PURE__ */ z.superRefine((body, ctx) => {
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
    }),
  )
  .check(
    /* @__PURE__ */ z.meta({
      examples: [
        {
          action: 'deactivate',
          userIds: ['0b6f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b', '7d4c1e0a-2b3f-4c5d-8e9f-0a1b2c3d4e5f'],
        },
        { action: 'email', userIds: ['0b6f2a3c-4d5e-4f60-8a7b-9c0d1e2f3a4b'], message: messageExample },
        { action: 'archive', search: { team: 'north', status: 'inactive' } },
      ],
    }),
  );

export const BulkResultSchema = /* @__PURE__ */ z.strictObject({
  results: /* @__PURE__ */ z.array(
    /* @__PURE__ */ z.discriminatedUnion('outcome', [
      /* @__PURE__ */ z.strictObject({
        userId: /* @__PURE__ */ z.uuid(),
        outcome: /* @__PURE__ */ z.literal('done'),
      }),
      /* @__PURE__ */ z.strictObject({
        userId: /* @__PURE__ */ z.uuid(),
        outcome: /* @__PURE__ */ z.literal('failed'),
        problem: ProblemSchema,
      }),
    ]),
  ),
});

export const JobIdParamsSchema = /* @__PURE__ */ z.strictObject({
  jobId: /* @__PURE__ */ z
    .string()
    .check(/* @__PURE__ */ z.regex(JOB_ID_PATTERN, 'must be a job id'))
    .check(
      /* @__PURE__ */ z.meta({ description: "The job's id.", examples: ['20261201T120000000Z-0b6f2a3c'] }),
    ),
});

export const JobSchema = /* @__PURE__ */ z
  .strictObject({
    id: /* @__PURE__ */ z.string(),
    action: /* @__PURE__ */ z.enum([...BULK_ACTIONS, 'import']),
    state: /* @__PURE__ */ z.enum(JOB_STATES),
    total: /* @__PURE__ */ z.int(),
    done: /* @__PURE__ */ z.int(),
    failed: /* @__PURE__ */ z.int(),
    left: /* @__PURE__ */ z.int().check(
      /* @__PURE__ */ z.meta({
        description: 'Neither done nor failed: still to run, or never run after a cancel.',
      }),
    ),
    createdAt: /* @__PURE__ */ z.string(),
    createdBy: /* @__PURE__ */ z.strictObject({
      id: /* @__PURE__ */ z.string(),
      name: /* @__PURE__ */ z.string(),
    }),
    startedAt: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
    finishedAt: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
    activate: /* @__PURE__ */ z
      .optional(/* @__PURE__ */ z.boolean())
      .check(/* @__PURE__ */ z.meta({ description: 'An import that also activates each user it creates.' })),
  })
  .check(/* @__PURE__ */ z.meta({ description: 'A bulk job or an import: its state and its counts.' }));

export type JobView = z.infer<typeof JobSchema>;

export const JobPageSchema = /* @__PURE__ */ z.strictObject({
  items: /* @__PURE__ */ z.array(JobSchema),
  next: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
});

export const JobOutcomeSchema = /* @__PURE__ */ z
  .strictObject({
    item: /* @__PURE__ */ z.int().check(
      /* @__PURE__ */ z.meta({
        description: 'The position in the job, from 1 (an import: the row of the file).',
      }),
    ),
    userId: /* @__PURE__ */ z
      .optional(/* @__PURE__ */ z.uuid())
      .check(/* @__PURE__ */ z.meta({ description: 'The user acted on, or created.' })),
    outcome: /* @__PURE__ */ z.enum(['done', 'failed']),
    problem: /* @__PURE__ */ z.optional(ProblemSchema).check(
      /* @__PURE__ */ z.meta({
        description: 'Why it failed: what its own request would have answered.',
      }),
    ),
  })
  .check(/* @__PURE__ */ z.meta({ description: 'One item of a job: settled exactly once.' }));

export const JobResultsQuerySchema = /* @__PURE__ */ pageQuery(1000, 100);

export const JobResultsPageSchema = /* @__PURE__ */ z.strictObject({
  items: /* @__PURE__ */ z.array(JobOutcomeSchema),
  next: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.string()),
});

const booleanQuery = (description: string) =>
  /* @__PURE__ */ z
    .pipe(
      /* @__PURE__ */ z._default(/* @__PURE__ */ z.enum(['true', 'false']), 'false'),
      /* @__PURE__ */ z.transform((v) => v === 'true'),
    )
    .check(/* @__PURE__ */ z.meta({ description }));

export const ImportQuerySchema = /* @__PURE__ */ z.strictObject({
  dryRun: /* @__PURE__ */ booleanQuery('Only validate: a report per row, nothing created.'),
  activate: /* @__PURE__ */ booleanQuery(
    'Also activate each user created: Cognito mails each a welcome message.',
  ),
});

export const ImportReportSchema = /* @__PURE__ */ z.strictObject({
  rows: /* @__PURE__ */ z.int(),
  valid: /* @__PURE__ */ z.int(),
  invalid: /* @__PURE__ */ z.int(),
  results: /* @__PURE__ */ z.array(ImportValidationSchema),
});

export const ScimTokenBodySchema = /* @__PURE__ */ z
  .strictObject({
    name: /* @__PURE__ */ z
      .string()
      .check(/* @__PURE__ */ z.trim())
      .check(/* @__PURE__ */ z.minLength(1))
      .check(/* @__PURE__ */ z.maxLength(100))
      .check(
        /* @__PURE__ */ z.meta({
          description: 'What the token is for, e.g. the directory it connects.',
          examples: ['Entra ID'],
        }),
      ),
  })
  .check(/* @__PURE__ */ z.meta({ examples: [{ name: 'Entra ID provisioning' }] }));

export const ScimTokenIdParamsSchema = /* @__PURE__ */ z.strictObject({
  tokenId: /* @__PURE__ */ z.uuid().check(
    /* @__PURE__ */ z.meta({
      description: "The token's id (not the token itself).",
      examples: ['5e1d7c2a-9b3f-4c8e-a6d0-2f4b8e9c1a7d'],
    }),
  ),
});

const scimTokenView = {
  id: /* @__PURE__ */ z.uuid(),
  name: /* @__PURE__ */ z.string(),
  createdAt: timestamp,
  createdBy: ActorSchema,
  lastUsedAt: /* @__PURE__ */ z
    .optional(timestamp)
    .check(/* @__PURE__ */ z.meta({ description: 'Its last use, to within five minutes.' })),
};

export const ScimTokenSchema = /* @__PURE__ */ z.strictObject(scimTokenView);

const scimTokenCreated = /* @__PURE__ */ merged(scimTokenView, {
  token: /* @__PURE__ */ z.string().check(
    /* @__PURE__ */ z.meta({
      description:
        "The bearer token for the tenant's SCIM endpoint: shown this once, kept only as a hash (a lost token is revoked and replaced).",
    }),
  ),
});
export const ScimTokenCreatedSchema = /* @__PURE__ */ z.strictObject(scimTokenCreated);

export const ScimTokenListSchema = /* @__PURE__ */ z.strictObject({
  items: /* @__PURE__ */ z.array(ScimTokenSchema),
});

export const ScimClientBodySchema = /* @__PURE__ */ z
  .strictObject({
    // Shown in every history entry the client writes (`SCIM: <name>`): one visible line, no controls.
    name: /* @__PURE__ */ nameText(100).check(
      /* @__PURE__ */ z.meta({
        description: 'What the client is for, e.g. the directory it connects.',
        examples: ['Okta'],
      }),
    ),
  })
  .check(/* @__PURE__ */ z.meta({ examples: [{ name: 'Okta provisioning' }] }));

export const ScimClientIdParamsSchema = /* @__PURE__ */ z.strictObject({
  // Cognito's client id pattern.
  clientId: /* @__PURE__ */ z.string().check(
    /* @__PURE__ */ z.regex(/^[\w+]{1,128}$/, 'must be an OAuth client id'),
    /* @__PURE__ */ z.meta({
      description: "The client's OAuth client id.",
      examples: ['4l2kq7u0c9hd3b1vf8nq5r6s7t'],
    }),
  ),
});

const scimClientView = {
  id: /* @__PURE__ */ z.string().check(/* @__PURE__ */ z.meta({ description: 'The OAuth client id.' })),
  name: /* @__PURE__ */ z.string(),
  createdAt: timestamp,
  createdBy: ActorSchema,
  lastUsedAt: /* @__PURE__ */ z
    .optional(timestamp)
    .check(/* @__PURE__ */ z.meta({ description: 'Its last use at /scim/v2, to within five minutes.' })),
};

export const ScimClientSchema = /* @__PURE__ */ z.strictObject(scimClientView);

const scimClientCreated = /* @__PURE__ */ merged(scimClientView, {
  clientId: /* @__PURE__ */ z
    .string()
    .check(/* @__PURE__ */ z.meta({ description: 'The OAuth client id (the same as `id`).' })),
  clientSecret: /* @__PURE__ */ z.string().check(
    /* @__PURE__ */ z.meta({
      description:
        'The client secret: shown this once, kept by Cognito alone (a lost secret: revoke the client and create another).',
    }),
  ),
  scope: /* @__PURE__ */ z.string().check(
    /* @__PURE__ */ z.meta({
      description: 'The scope to ask for: `gatehouse/scim`.',
      examples: ['gatehouse/scim'],
    }),
  ),
  tokenUrl: /* @__PURE__ */ z.optional(/* @__PURE__ */ z.url()).check(
    /* @__PURE__ */ z.meta({
      description:
        "The tenant pool's token endpoint, where the directory takes its client-credentials grant.",
    }),
  ),
});
export const ScimClientCreatedSchema = /* @__PURE__ */ z.strictObject(scimClientCreated);

export const ScimClientListSchema = /* @__PURE__ */ z.strictObject({
  items: /* @__PURE__ */ z.array(ScimClientSchema),
});
