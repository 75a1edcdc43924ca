// Request and response schemas of the HTTP API, referenced by the route table.
import { z } from 'zod';
import { ProfileSchema, USER_STATUSES } from '#domain/user.ts';

export const UserIdParamsSchema = z.strictObject({ userId: z.uuid() });

export const CreateUserBodySchema = ProfileSchema.extend({
  /** Also activate at once: Cognito creates the login and mails the welcome message. */
  activate: z.boolean().default(false),
});

export const ListUsersQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(512).optional(),
});

const ActorSchema = z.strictObject({ id: z.string(), name: z.string() });
const timestamp = z.iso.datetime();

export const UserSchema = ProfileSchema.extend({
  id: z.uuid(),
  status: z.enum(USER_STATUSES),
  invitedAt: timestamp.optional(),
  registeredAt: timestamp.optional(),
  lastLoginAt: timestamp.optional(),
  archivedAt: timestamp.optional(),
  createdAt: timestamp,
  createdBy: ActorSchema,
  updatedAt: timestamp,
  updatedBy: ActorSchema,
  version: z.number().int().min(1),
});
export type UserView = z.infer<typeof UserSchema>;

export const UserPageSchema = z.strictObject({
  items: z.array(UserSchema),
  next: z.string().optional(),
});

export const ProblemSchema = z.object({
  type: z.url(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
});
