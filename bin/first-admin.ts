// `npm run first-admin -- <tenant> <email> <first name> <last name>`: the first administrator of a deployed
// tenant, made by the use case behind POST /users with "activate": Cognito mails the welcome message.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { TableNames } from '#adapters/environment.ts';
import { TABLES } from '#adapters/table-definitions.ts';
import { createUser as createUserRoute } from '#api/routes.ts';
import { CreateUserBodySchema } from '#api/schemas.ts';
import { loadTenantsConfig } from '#config/tenants.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'tenants-file': { type: 'string', default: 'config/tenants.json' },
    stack: { type: 'string', default: 'Gatehouse-Stateful' },
  },
});
const [tenantId, email, firstName, lastName] = positionals;
if (!tenantId || !email || !firstName || !lastName) {
  console.error(
    'usage: npm run first-admin -- <tenant> <email> <first name> <last name> [--tenants-file f] [--stack s]',
  );
  process.exit(2);
}
const config = loadTenantsConfig(resolve(values['tenants-file']));
// The deployment's region, unless the shell names another; the AWS SDK takes credentials as usual.
process.env.AWS_REGION ??= config.region;

const { Stacks } = await new CloudFormationClient({}).send(
  new DescribeStacksCommand({ StackName: values.stack }),
);
const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
const output = (key: string) => {
  const value = outputs[key];
  if (!value) throw new Error(`Stack ${values.stack} has no output ${key}: is tenant ${tenantId} deployed?`);
  return value;
};
const tables = Object.fromEntries(TABLES.map((t) => [t.envVar, output(`${t.name}Table`)])) as TableNames;

// Loaded once the region is set: the adapters create their clients when loaded.
const { createDeps, createTenantReader } = await import('#adapters/wiring.ts');
const { createUser } = await import('#services/create-user.ts');
const { systemCaller } = await import('#services/changes.ts');
// What POST /users uses (it adds the user as that route would), its idempotency store aside: no key here.
const deps = createDeps(tables, {
  clients: createUserRoute.clients,
  stores: createUserRoute.stores ?? [],
  directory: createUserRoute.directory ?? [],
});
// The tenant as its stack registered it: the same record the API and the triggers read.
const tenant = await createTenantReader(tables).byId(tenantId);
if (tenant?.status !== 'active') {
  console.error(`Tenant ${tenantId} is ${tenant ? 'retired' : 'not registered: deploy its stack first'}.`);
  process.exit(2);
}

// Only the first: every later user is added through the API by an administrator.
const existing = await deps.users.list(tenant.id, { limit: 1 });
if (existing.items.length > 0) {
  console.error(`Tenant ${tenant.id} already has users; add administrators through the API (POST /users).`);
  process.exit(1);
}
const { activate: _, ...profile } = CreateUserBodySchema.parse({
  firstName,
  lastName,
  email,
  roles: [{ role: 'administrator' }],
});
const caller = systemCaller(
  tenant,
  { id: 'first-admin', name: 'First-administrator script' },
  `first-admin-${randomUUID()}`,
);
const user = await createUser(deps, caller, profile, true);
console.log(
  `${user.email} is ${tenant.id}'s first administrator (user ${user.id}, ${user.status}); Cognito has mailed ` +
    `the temporary password. Sign in on the login page: npm run tenants -- list.`,
);
