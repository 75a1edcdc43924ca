// How users are found: the words a keyword may start, folded for case and accents, and the filter values.
import type { User } from './user.ts';

/** Lower case, accents removed, so "Jö" finds "Jönköping" and "JO" finds "jones@…". */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The words of a text: runs of letters or digits, folded. */
export function words(text: string): string[] {
  return fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Most words a user is findable by: bounds the index items one change writes. */
export const MAX_WORDS = 12;

/**
 * Every word a keyword may match the start of: names, email (its parts and the whole address), company,
 * address, and phone numbers as their digits.
 */
export function searchWords(user: User): string[] {
  // A phone number is found by its whole digits (4791234567) and by each group as written (912, 34…).
  const phones = [user.mobilePhone, user.officePhone, user.homePhone]
    .filter((p): p is string => !!p)
    .flatMap((p) => [p.replace(/\D/g, ''), ...words(p)])
    .filter((p) => p.length > 0);
  // In order of importance: past MAX_WORDS, the last are dropped.
  const found = new Set([
    ...words(user.firstName),
    ...words(user.lastName),
    // The email's words (jones, example…), not the whole address: each address is unique, and a vocabulary of
    // them would grow with the tenant.
    ...words(user.email),
    ...words(user.company ?? ''),
    ...words(user.address?.city ?? ''),
    ...words(user.address?.postalCode ?? ''),
    ...phones,
    ...words(user.middleName ?? ''),
    ...words(user.address?.street ?? ''),
    ...words(user.address?.state ?? ''),
  ]);
  return [...found].filter((w) => w.length > 0 && w.length <= 100).slice(0, MAX_WORDS);
}

// externalId: SCIM provisioning finds a user by the id the customer's directory gave them.
export const FILTERS = ['status', 'role', 'licence', 'team', 'area', 'client', 'type', 'externalId'] as const;
export type FilterName = (typeof FILTERS)[number];
export type Filters = Partial<Record<FilterName, string>>;

/** The values a user has for each filter (several for roles, teams and areas). */
export function filterValues(user: User): Record<FilterName, string[]> {
  return {
    status: [user.status],
    role: [...new Set(user.roles.map((r) => r.role))],
    licence: user.licenceType ? [user.licenceType] : [],
    team: user.teams ?? [],
    area: user.areas ?? [],
    client: user.clientOrganisation ? [user.clientOrganisation] : [],
    type: [user.userType],
    externalId: user.externalId ? [user.externalId] : [],
  };
}

/** Whether the user's filter values satisfy every filter given. */
export function matchesFilters(values: Record<FilterName, string[]>, filters: Filters): boolean {
  return FILTERS.every(
    (name) => filters[name] === undefined || values[name].includes(filters[name] as string),
  );
}

/** Whether every keyword starts one of the user's words. */
export function matchesKeywords(userWords: readonly string[], keywords: readonly string[]): boolean {
  return keywords.every((k) => userWords.some((w) => w.startsWith(k)));
}

/** Sorts by last name, then first name, then id: the list's order, and the key of its cursor. */
export function nameKey(user: Pick<User, 'lastName' | 'firstName' | 'id'>): string {
  return `${fold(user.lastName)}\u0001${fold(user.firstName)}\u0001${user.id}`;
}
