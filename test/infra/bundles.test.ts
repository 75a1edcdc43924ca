// Every function's bundle, built as CDK builds it (bench/bundles.ts mirrors lib/gatehouse-function.ts): it
// holds the SDK client of each client its route, trigger or job declares and of no other, the Cognito commands of
// the directory operations it declares and of no other; its role is granted exactly the Cognito actions it names;
// and it stays within its size budget against its reference (the SDK clients it uses, alone). Sizes are
// deterministic; the bench reports them, with the import times, against the same budgets.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cognitoClient from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_COMMANDS } from '#adapters/cognito-directory.ts';
import type { DirectoryNeeds } from '#adapters/wiring.ts';
import { ROUTES, type RouteId } from '#api/routes.ts';
import { SCIM_CLIENTS } from '#api/scim-routes.ts';
import { paginates } from '#http/cursors.ts';
import {
  type FunctionAccess,
  JOBS,
  REGISTRY_WRITER,
  ROUTE_ACCESS,
  routeAccess,
  SCIM_ACCESS,
  TRIGGERS,
  type TriggerName,
} from '#lib/access.ts';
import { HELD_OVER_BUDGET, heldBudget, sizeBudget } from '../../bench/budgets.ts';
import { type Bundle, buildBundles, CLIENT_PACKAGES, lambdaFunctions } from '../../bench/bundles.ts';

const functions = lambdaFunctions();

/** The Cognito commands the directory's operations send, each once, sorted. */
const commandsOf = (operations: DirectoryNeeds): string[] =>
  [...new Set(operations.flatMap((operation) => DIRECTORY_COMMANDS[operation]))].sort();
const DIRECTORY_SENDS = commandsOf(Object.keys(DIRECTORY_COMMANDS) as DirectoryNeeds);
/** Every action of Cognito's client (its commands, by IAM's names): a bundle names those it sends. */
const COGNITO_ACTIONS = Object.keys(cognitoClient)
  .filter((name) => /^[A-Z]\w+Command$/.test(name))
  .map((name) => name.slice(0, -'Command'.length));
/**
 * Named in a bundle, not granted to its role, each for its reason: the custom-message trigger's reads of the pools
 * that invoke it are granted in a policy of their own (lib/stateful-stack.ts); revoking a SCIM client bundles the
 * OAuth-clients adapter whole (a class), whose create it never calls (lambdas/services/scim-clients.ts).
 */
const NOT_IN_ROLE: Partial<Record<string, readonly string[]>> = {
  customMessage: ['DescribeUserPool', 'ListUserPoolClients', 'DescribeUserPoolClient'],
  revokeScimClient: ['CreateUserPoolClient'],
};
const ROUTE_GRANTS = routeAccess(ROUTES, ROUTE_ACCESS);

let dir: string;
let bundles: Map<string, Bundle>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-bundles-'));
  bundles = new Map((await buildBundles(functions, dir, { others: false })).map((b) => [b.id, b]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('each function’s bundle', () => {
  it.each(
    functions.map((f) => [f.id, f] as const),
  )('%s holds the SDK clients it declares, and no other', (id, f) => {
    const packages = new Set((bundles.get(id) as Bundle).packages.map((p) => p.name));
    for (const [client, name] of Object.entries(CLIENT_PACKAGES)) {
      expect({ client, bundled: packages.has(name) }).toEqual({
        client,
        bundled: f.clients.includes(client as never),
      });
    }
  });

  it.each(
    functions.map((f) => [f.id, f] as const),
  )('%s holds the Cognito commands of the directory operations it declares, and no other', (id, f) => {
    // A command in a bundle is its name as a string (the command's and its schema's); nothing else names them.
    const text = readFileSync((bundles.get(id) as Bundle).file, 'utf8');
    const held = DIRECTORY_SENDS.filter((command) => text.includes(`"${command}"`));
    expect({ id, held }).toEqual({ id, held: commandsOf(f.directory) });
  });

  it.each(
    functions.map((f) => [f.id] as const),
  )('%s stays within its size budget (or its held allowance above it)', (id) => {
    const bundle = bundles.get(id) as Bundle;
    const reference = bundles.get(bundle.reference as string) as Bundle;
    const budget = heldBudget(bundle, reference.bytes);
    expect({ id, bytes: bundle.bytes, within: bundle.bytes <= budget.bytes, budget: budget.why }).toEqual({
      id,
      bytes: bundle.bytes,
      within: true,
      budget: budget.why,
    });
  });

  it.each(
    Object.keys(HELD_OVER_BUDGET).map((id) => [id] as const),
  )('%s, held above its budget, is still over it: once within, it comes off the list', (id) => {
    const bundle = bundles.get(id) as Bundle;
    const reference = bundles.get(bundle.reference as string) as Bundle;
    expect({ id, over: bundle.bytes > sizeBudget(bundle, reference.bytes).bytes }).toEqual({
      id,
      over: true,
    });
  });
});

describe('declared clients', () => {
  const uses = (access: object) => {
    const { cognito = [], ses = [] } = access as { cognito?: readonly string[]; ses?: readonly string[] };
    return { cognito: cognito.length > 0, ses: ses.length > 0 };
  };

  it.each(
    Object.keys(ROUTES) as RouteId[],
  )('%s declares Cognito and SES exactly when its IAM access allows them, Secrets Manager when it pages', (id) => {
    const clients: readonly string[] = ROUTES[id].clients;
    expect({
      cognito: clients.includes('cognito'),
      ses: clients.includes('ses'),
      secrets: clients.includes('secrets'),
    }).toEqual({ ...uses(ROUTE_GRANTS[id]), secrets: paginates(ROUTES[id]) });
  });

  it('SCIM, the triggers and the jobs declare Cognito and SES as their access allows them', () => {
    const declared = (clients: readonly string[]) => ({
      cognito: clients.includes('cognito'),
      ses: clients.includes('ses'),
    });
    expect(declared(SCIM_CLIENTS)).toEqual(uses(SCIM_ACCESS));
    expect(declared(JOBS.reconcile.clients)).toEqual(uses(JOBS.reconcile.access));
    expect(declared(REGISTRY_WRITER.clients)).toEqual(uses(REGISTRY_WRITER.access));
    for (const trigger of (Object.keys(TRIGGERS) as TriggerName[]).filter((t) => t !== 'customMessage')) {
      expect(declared(TRIGGERS[trigger].clients)).toEqual(uses(TRIGGERS[trigger].access));
    }
    // Its Cognito client only describes pools, granted on the invoking pools (lib/stateful-stack.ts).
    expect(declared(TRIGGERS.customMessage.clients)).toEqual({ cognito: true, ses: false });
  });
});

describe('Cognito access', () => {
  const accessOf = (id: string): FunctionAccess =>
    id === 'scim'
      ? SCIM_ACCESS
      : id === 'registerTenant'
        ? REGISTRY_WRITER.access
        : ((ROUTE_GRANTS as Record<string, FunctionAccess>)[id] ??
          (TRIGGERS as Record<string, { access: FunctionAccess }>)[id]?.access ??
          (JOBS as Record<string, { access: FunctionAccess }>)[id]?.access ??
          {});

  it.each(
    functions.map((f) => [f.id, f] as const),
  )('%s is granted exactly the Cognito actions its bundle sends, and declares the client to send them', (id, f) => {
    // The grants are derived from the declarations (lib/access.ts); this reads what the built bundle holds
    // beyond its reference (the bare client names the operations it sends unsigned, like InitiateAuth).
    const bundle = bundles.get(id) as Bundle;
    const names = (file: string) => {
      const text = readFileSync(file, 'utf8');
      return COGNITO_ACTIONS.filter((action) => text.includes(`"${action}"`));
    };
    const bare = names((bundles.get(bundle.reference as string) as Bundle).file);
    const sends = names(bundle.file).filter((action) => !bare.includes(action));
    const granted: readonly string[] = accessOf(id).cognito ?? [];
    expect({
      id,
      client: sends.length === 0 || f.clients.includes('cognito'),
      notGranted: sends.filter((action) => !granted.includes(action) && !NOT_IN_ROLE[id]?.includes(action)),
      grantedUnsent: granted.filter((action) => !sends.includes(action)),
    }).toEqual({ id, client: true, notGranted: [], grantedUnsent: [] });
  });
});
