// What a directory reads to learn this SCIM service (RFC 7643 §5–7): its features, resource types and schemas.
import { SCIM } from '#domain/scim-resources.ts';
import { MAX_FILTER_MATCHES, MAX_PAGE } from '#services/scim-users.ts';
import { MAX_BULK_OPERATIONS } from './scim-routes.ts';

type Attribute = {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime';
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable';
  returned?: 'always' | 'default';
  uniqueness?: 'none' | 'server';
  description: string;
  subAttributes?: Attribute[];
};

/** RFC 7643's defaults written out, as directories expect every characteristic present. */
const attr = (a: Attribute): Record<string, unknown> => ({
  name: a.name,
  type: a.type,
  multiValued: a.multiValued ?? false,
  description: a.description,
  required: a.required ?? false,
  caseExact: a.caseExact ?? false,
  mutability: a.mutability ?? 'readWrite',
  returned: a.returned ?? 'default',
  uniqueness: a.uniqueness ?? 'none',
  ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attr) } : {}),
});

const typedValue = (name: string, description: string, extra: Attribute[] = []): Attribute => ({
  name,
  type: 'complex',
  multiValued: true,
  description,
  subAttributes: [
    { name: 'value', type: 'string', description: 'The value.' },
    { name: 'type', type: 'string', description: 'work, home, mobile…' },
    { name: 'primary', type: 'boolean', description: 'The preferred one.' },
    ...extra,
  ],
});

const USER_ATTRIBUTES: Attribute[] = [
  {
    name: 'userName',
    type: 'string',
    required: true,
    uniqueness: 'server',
    description: "The user's email: their sign-in, unique in the tenant (compared without case).",
  },
  { name: 'externalId', type: 'string', caseExact: true, description: "The user's id in the directory." },
  {
    name: 'name',
    type: 'complex',
    required: true,
    description: "The user's name: givenName and familyName are required.",
    subAttributes: [
      { name: 'givenName', type: 'string', required: true, description: 'First name.' },
      { name: 'familyName', type: 'string', required: true, description: 'Last name.' },
      { name: 'middleName', type: 'string', description: 'Middle name.' },
      { name: 'formatted', type: 'string', mutability: 'readOnly', description: 'The whole name.' },
    ],
  },
  { name: 'displayName', type: 'string', mutability: 'readOnly', description: 'First and last name.' },
  { name: 'title', type: 'string', description: 'Job title.' },
  {
    name: 'active',
    type: 'boolean',
    description: 'Sign-in on (true: invited or active) or off (false: deactivated, sessions revoked).',
  },
  typedValue('emails', 'Read-only echo of userName: Gatehouse keeps one email, the sign-in.'),
  typedValue('phoneNumbers', 'mobile, work and home numbers.'),
  {
    name: 'addresses',
    type: 'complex',
    multiValued: true,
    description: 'The work (or primary, or first) address is kept.',
    subAttributes: ['streetAddress', 'locality', 'region', 'postalCode', 'country', 'type'].map((name) => ({
      name,
      type: 'string' as const,
      description: name,
    })),
  },
  {
    name: 'groups',
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    description: "The roles the user holds: change them through the Group's members.",
    subAttributes: [{ name: 'value', type: 'string', description: 'The role id.' }],
  },
];

const ENTERPRISE_ATTRIBUTES: Attribute[] = [
  { name: 'employeeNumber', type: 'string', description: "Gatehouse's employee id." },
  { name: 'organization', type: 'string', description: "Gatehouse's company." },
  { name: 'department', type: 'string', description: 'Department.' },
  {
    name: 'manager',
    type: 'complex',
    description: "The manager's user id (as a string, or { value }).",
    subAttributes: [{ name: 'value', type: 'string', description: "The manager's id." }],
  },
];

const GROUP_ATTRIBUTES: Attribute[] = [
  {
    name: 'displayName',
    type: 'string',
    required: true,
    mutability: 'readOnly',
    uniqueness: 'server',
    description: "The role's name (renamed through the API only).",
  },
  {
    name: 'members',
    type: 'complex',
    multiValued: true,
    description: "The role's holders.",
    subAttributes: [{ name: 'value', type: 'string', mutability: 'immutable', description: 'A user id.' }],
  },
];

const schema = (id: string, name: string, description: string, attributes: Attribute[]) => ({
  schemas: [SCIM.schema],
  id,
  name,
  description,
  attributes: attributes.map(attr),
  meta: { resourceType: 'Schema', location: `/Schemas/${id}` },
});

export const SCHEMAS = [
  schema(SCIM.user, 'User', 'A Gatehouse user: the profile fields a directory manages.', USER_ATTRIBUTES),
  schema(SCIM.enterprise, 'EnterpriseUser', 'Employee fields of the profile.', ENTERPRISE_ATTRIBUTES),
  schema(SCIM.group, 'Group', "A role of the tenant's catalogue.", GROUP_ATTRIBUTES),
];

export const RESOURCE_TYPES = [
  {
    schemas: [SCIM.resourceType],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'A user of the tenant',
    schema: SCIM.user,
    schemaExtensions: [{ schema: SCIM.enterprise, required: false }],
    meta: { resourceType: 'ResourceType', location: '/ResourceTypes/User' },
  },
  {
    schemas: [SCIM.resourceType],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    description: "A role of the tenant's catalogue",
    schema: SCIM.group,
    schemaExtensions: [],
    meta: { resourceType: 'ResourceType', location: '/ResourceTypes/Group' },
  },
];

export const SERVICE_PROVIDER_CONFIG = {
  schemas: [SCIM.serviceProviderConfig],
  patch: { supported: true },
  // The payload is any request body's most (lambdas/http/request.ts).
  bulk: { supported: true, maxOperations: MAX_BULK_OPERATIONS, maxPayloadSize: 100 * 1024 },
  filter: { supported: true, maxResults: Math.min(MAX_PAGE, MAX_FILTER_MATCHES) },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: true },
  authenticationSchemes: [
    {
      type: 'oauthbearertoken',
      name: 'SCIM token',
      description:
        "A SCIM token of the tenant, created by one of its administrators: 'Authorization: Bearer <token>'.",
      primary: true,
    },
    {
      type: 'oauth2',
      name: 'OAuth 2.0 client credentials',
      description:
        "An access token of a SCIM OAuth client of the tenant, from its pool's token endpoint (grant_type=client_credentials, scope gatehouse/scim): 'Authorization: Bearer <access token>'.",
      specUri: 'https://www.rfc-editor.org/rfc/rfc6749#section-4.4',
    },
  ],
  meta: { resourceType: 'ServiceProviderConfig', location: '/ServiceProviderConfig' },
};

/** A schema by its URN (compared without case, as SCIM compares URNs), or undefined. */
export const schemaById = (id: string) => SCHEMAS.find((s) => s.id.toLowerCase() === id.toLowerCase());

/** A resource type by its id (`User`, `Group`), or undefined. */
export const resourceTypeById = (id: string) => RESOURCE_TYPES.find((t) => t.id === id);
