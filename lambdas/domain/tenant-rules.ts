// What a tenant decides about its users, as the tenants configuration states it and the functions receive it.
// The namespace import leaves zod's message translations (about 260 KB) out of the bundles.
import * as z from 'zod';

export const TenantRulesSchema = z.object({
  /** Features the tenant bought, e.g. `technician-users`: roles may require one. */
  features: z.array(z.string().min(1)).default([]),
  /** Where given, the only teams, areas and client organisations scoped roles may name. */
  organisation: z
    .strictObject({
      teams: z.array(z.string().min(1)).optional(),
      areas: z.array(z.string().min(1)).optional(),
      clients: z.array(z.string().min(1)).optional(),
    })
    .default({}),
  /** Seats per licence type, e.g. { "engineer": 25 }; a type not listed cannot be given once any is listed. */
  licences: z.record(z.string().min(1), z.number().int().min(0)).default({}),
  /** Sign-in is refused to users without a licence. */
  licenceRequired: z.boolean().default(false),
});
