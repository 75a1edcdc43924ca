// A fresh instance of GET /me for `npm run bench:tenants`, in a process of its own (the bench's own process has
// long loaded the API's modules against another registry): its registry reads on a first request, then on warm ones.
// Prints `{ "first": n, "warm": n }`; exits 3 if a request is refused.
import { readFileSync } from 'node:fs';
import { registryClient } from '#adapters/wiring.ts';

const [eventFile, warmArg] = process.argv.slice(2);
let reads = 0;
// Every command on the registry's own client is a registry read: it serves nothing else.
registryClient.middlewareStack.add(
  (next) => async (args) => {
    reads += 1;
    return next(args);
  },
  { step: 'initialize', name: 'countRegistryReads' },
);
const { handler } = await import('#api/handlers/get-me.ts');
const event = JSON.parse(readFileSync(eventFile as string, 'utf8'));
const request = async () => {
  const result = (await handler(structuredClone(event), {
    awsRequestId: 'warm',
    getRemainingTimeInMillis: () => 10_000,
  } as never)) as { statusCode: number; body: string };
  if (result.statusCode !== 200) {
    console.error(result.statusCode, result.body);
    process.exit(3);
  }
};
await request();
const first = reads;
for (let i = 0; i < Number(warmArg ?? 20); i++) await request();
console.log(JSON.stringify({ first, warm: reads - first }));
