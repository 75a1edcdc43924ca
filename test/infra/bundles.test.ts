// Every function's bundle, built as CDK builds it (bench/bundles.ts mirrors lib/gatehouse-function.ts): it
// holds the SDK client of each client its route, trigger or job declares and of no other, the Cognito commands of
// the directory operations it declares and of no other, and stays within its size budget against its reference (the SDK clients it uses, alone). Sizes are deterministic; the
// bench reports them, with the import times, against the same budgets.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  SCIM_ACCESS,
  TRIGGERS,
} from '#lib/access.ts';
import { HELD_OVER_BUDGET, heldBudget, sizeBudget } from '../../bench/budgets.ts';
import { type Bundle, buildBundles, CLIENT_PACKAGES, lambdaFunctions } from '../../bench/bundles.ts';

const functions = lambdaFunctions();

/** The Cognito commands the directory's operations send, each once, sorted. */
const commandsOf = (operations: DirectoryNeeds): string[] =>
  [...new Set(operations.flatMap((operation) => DIRECTORY_COMMANDS[operation]))].sort();
const DIRECTORY_SENDS = commandsOf(Object.keys(DIRECTORY_COMMANDS) as DirectoryNeeds);

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
    }).toEqual({ ...uses(ROUTE_ACCESS[id]), secrets: paginates(ROUTES[id]) });
  });

  it('SCIM, the triggers and the jobs declare Cognito and SES as their access allows them', () => {
    const declared = (clients: readonly string[]) => ({
      cognito: clients.includes('cognito'),
      ses: clients.includes('ses'),
    });
    expect(declared(SCIM_CLIENTS)).toEqual(uses(SCIM_ACCESS));
    expect(declared(JOBS.reconcile.clients)).toEqual(uses(JOBS.reconcile.access));
    expect(declared(REGISTRY_WRITER.clients)).toEqual(uses(REGISTRY_WRITER.access));
    for (const trigger of [
      'postAuthentication',
      'preAuthentication',
      'preSignUp',
      'preTokenGeneration',
    ] as const) {
      expect(declared(TRIGGERS[trigger].clients)).toEqual(uses(TRIGGERS[trigger].access));
    }
    // Its Cognito client only describes pools, granted on the invoking pools (lib/stateful-stack.ts).
    expect(declared(TRIGGERS.customMessage.clients)).toEqual({ cognito: true, ses: false });
  });
});

describe('declared directory operations', () => {
  const accessOf = (id: string): FunctionAccess =>
    id === 'scim'
      ? SCIM_ACCESS
      : id === 'registerTenant'
        ? REGISTRY_WRITER.access
        : ((ROUTE_ACCESS as Record<string, object>)[id] ??
          (TRIGGERS as Record<string, { access: object }>)[id]?.access ??
          (JOBS as Record<string, { access: object }>)[id]?.access ??
          {});

  it.each(
    functions.map((f) => [f.id, f] as const),
  )('%s declares Cognito’s client if it declares an operation, and may send what each one sends', (id, f) => {
    const granted: readonly string[] = accessOf(id).cognito ?? [];
    const needed = commandsOf(f.directory);
    expect({
      id,
      cognito: f.directory.length === 0 || f.clients.includes('cognito'),
      notGranted: needed.filter((command) => !granted.includes(command)),
      // No directory command granted that none of its operations sends (app clients, pools are not the directory's).
      grantedUnused: granted.filter(
        (action) => DIRECTORY_SENDS.includes(action) && !commandsOf(f.directory).includes(action),
      ),
    }).toEqual({ id, cognito: true, notGranted: [], grantedUnused: [] });
  });
});
