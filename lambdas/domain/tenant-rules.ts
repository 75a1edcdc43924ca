// What a tenant decides about its users, as the tenants configuration states it and the functions receive it.
import * as z from './zod.ts';

const nonEmpty = z.string().check(z.minLength(1));

export const TenantRulesSchema = z.object({
  /** Features the tenant bought, e.g. `technician-users`: roles may require one. */
  features: z._default(z.array(nonEmpty), []),
  /** Where given, the only teams, areas and client organisations scoped roles may name. */
  organisation: z._default(
    z.strictObject({
      teams: z.optional(z.array(nonEmpty)),
      areas: z.optional(z.array(nonEmpty)),
      clients: z.optional(z.array(nonEmpty)),
    }),
    {},
  ),
  /** Seats per licence type, e.g. { "engineer": 25 }; a type not listed cannot be given once any is listed. */
  licences: z._default(z.record(nonEmpty, z.int().check(z.gte(0))), {}),
  /** Sign-in is refused to users without a licence. */
  licenceRequired: z._default(z.boolean(), false),
});
