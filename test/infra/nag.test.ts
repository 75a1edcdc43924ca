// cdk-nag's AwsSolutions pack over the whole app: no finding unacknowledged, no acknowledgement without a finding.
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { acknowledgements, SHIPPED_TENANTS_FILE, synthesise, THREE_TENANTS_FILE } from './gatehouse.ts';

interface Finding {
  rule: string;
  path: string;
}

/** Runs the pack; `ignoreAcknowledgements` shows every finding, as if nothing had been acknowledged. */
function findings(
  root: Parameters<AwsSolutionsChecks['validateScope']>[0],
  ignoreAcknowledgements = false,
): Finding[] {
  const pack = new AwsSolutionsChecks();
  if (ignoreAcknowledgements) {
    (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  }
  return pack
    .validateScope(root)
    .violations.flatMap((v) =>
      v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })),
    );
}

describe.each([
  ['the three-tenant fixture', THREE_TENANTS_FILE],
  ['the shipped config/tenants.json', SHIPPED_TENANTS_FILE],
])('AwsSolutions checks on %s', (_, tenantsFile) => {
  let app: App;
  // cdk-nag reads the construct tree, not the bundles: no bundling needed here.
  beforeAll(() => {
    app = synthesise({ tenantsFile, bundle: [] }).app;
  });

  it('leaves no finding unacknowledged', () => {
    expect(findings(app)).toEqual([]);
  });

  it('acknowledges each finding on the one resource it concerns, with a reason a reviewer can check', () => {
    const acknowledged = acknowledgements(app);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const a of acknowledged) {
      expect(a.onResource, `${a.id} at ${a.path} is on a construct, not its resource`).toBe(true);
      expect(a.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThanOrEqual(80);
    }
  });

  it('acknowledges nothing that is not a finding', () => {
    const raw = new Set(findings(app, true).map((f) => `${f.rule} ${f.path}`));
    expect(raw.size).toBeGreaterThan(0);
    const stale = acknowledgements(app).filter((a) => !raw.has(`${a.id} ${a.path}`));
    expect(stale).toEqual([]);
  });
});
