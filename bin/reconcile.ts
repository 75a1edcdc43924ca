// `npm run reconcile [-- --grace-ms N]`: runs the reconciler once against the running offline backend.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Environment } from '#local/runtime.ts';

const { values } = parseArgs({
  options: {
    'grace-ms': { type: 'string', default: '0' },
    'data-dir': { type: 'string', default: '.local' },
  },
});
const env = JSON.parse(readFileSync(`${values['data-dir']}/environment.json`, 'utf8')) as Environment;
// The very function the schedule runs in AWS, with the environment the offline backend gives its functions.
Object.assign(process.env, env.functionEnvironment);
const { handler } = await import('#jobs/reconcile.ts');
const reports = await handler({ graceMs: Number(values['grace-ms']) });
console.log(JSON.stringify(reports, null, 2));
