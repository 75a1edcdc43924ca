// Starts the whole offline backend once for the integration tests, on free ports with a throw-away data folder.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { CONSOLE_DIST } from '#local/console-server.ts';
import { type Environment, startGatehouse } from '#local/runtime.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    environment: Environment;
  }
}

export default async function setup(project: TestProject) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-it-'));
  // Jobs at the emulators' own speed (the shared pace is measured in the bench, not here), and a stopped
  // worker's items free again after two seconds rather than a minute.
  const budget = {
    UserCreation: 1000,
    UserUpdate: 1000,
    UserRead: 1000,
    UserAccountRecovery: 1000,
    UserList: 1000,
  };
  // The admin console too, once built (npm test builds it first; its browser tests say so when it is not).
  const gatehouse = await startGatehouse({
    dataDir,
    console: existsSync(`${CONSOLE_DIST}index.html`),
    jobs: { budget, itemLeaseMs: 2000, lanes: 16 },
    // Nothing of a test run outlives it: tables in memory spare DynamoDB Local its disk writes.
    dynamoInMemory: true,
  });
  project.provide('environment', gatehouse.environment);
  return async () => {
    await gatehouse.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
