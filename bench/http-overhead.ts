// Warm, in-process cost of one route's HTTP layer (middy, header normalising, token check, authorisation,
// zod parsing, problem+json) and use case, with every AWS call answered at once by aws-sdk-client-mock from
// the answers recorded against the emulators, against a bare handler that returns the same JSON.
// bench/run.ts starts one process per operation, as Lambda gives each function instances of its own; the
// mocks replace the SDK clients' send in it.
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyResult } from 'aws-lambda';

export interface RecordedCall {
  service: string;
  action: string;
  input?: unknown;
  output: unknown;
}

export interface OverheadInput {
  environment: Record<string, string>;
  jwks: Record<string, unknown>;
  name: string;
  entry: string;
  event: unknown;
  /** The operation's calls on a warm instance, answered in order. */
  answers: RecordedCall[];
  /** What a cold instance reads besides (the role catalogue), answered whenever asked, by the input. */
  coldReads: RecordedCall[];
  /** How long the handler, then the bare one, run (ms), each after half as long to warm up. */
  measureMs: number;
}

export interface OverheadResult {
  name: string;
  opsPerSecond: number;
  bareOpsPerSecond: number;
  status: number;
}

const input = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as OverheadInput;
Object.assign(process.env, input.environment, { POWERTOOLS_LOG_LEVEL: 'SILENT' });
// No network: the token check's key set is answered from what the issuer served during the run.
globalThis.fetch = async (request: string | URL | Request) => {
  const url = String(request instanceof Request ? request.url : request);
  const keys = input.jwks[url];
  if (!keys) throw new Error(`The bench has no network: ${url}`);
  return new Response(JSON.stringify(keys), { headers: { 'content-type': 'application/json' } });
};

const { mockClient } = await import('aws-sdk-client-mock');
const { sdkClients } = await import('#test/support/aws-calls.ts');
const { context } = await import('#test/support/events.ts');
const wiring = await import('#adapters/wiring.ts');

// The bench's capacity meter had added ReturnConsumedCapacity to the recorded inputs.
const signature = (service: string, request: unknown) => {
  const { ReturnConsumedCapacity: _added, ...rest } = request as Record<string, unknown>;
  return `${service} ${JSON.stringify(rest)}`;
};
const coldReads = new Map(input.coldReads.map((c) => [signature(c.service, c.input), c.output]));
let next = 0;
const answer = (service: string) => (request: unknown) => {
  const cold = coldReads.get(signature(service, request));
  if (cold) return cold;
  const recorded = input.answers[next++];
  if (recorded?.service !== service) throw new Error(`${input.name}: unexpected ${service} call #${next}`);
  return recorded.output;
};
// Each client the functions share, by the name the recorder gave its calls.
for (const [service, client] of Object.entries(sdkClients(wiring))) {
  mockClient(client as never)
    .onAnyCommand()
    .callsFake(answer(service));
}

type Handler = (event: unknown, lambdaContext: unknown) => Promise<APIGatewayProxyResult>;

/** Requests per second over `ms`, after half as long of warm-up. */
async function rate(request: () => Promise<unknown>, ms: number): Promise<number> {
  await runFor(request, ms / 2);
  const started = performance.now();
  const done = await runFor(request, ms);
  return done / ((performance.now() - started) / 1000);
}

async function runFor(request: () => Promise<unknown>, ms: number): Promise<number> {
  let done = 0;
  const until = performance.now() + ms;
  while (performance.now() < until) {
    for (let i = 0; i < 20; i++) await request();
    done += 20;
  }
  return done;
}

const { handler } = (await import(new URL(`../${input.entry}`, import.meta.url).href)) as {
  handler: Handler;
};
const real = () => {
  next = 0;
  return handler(input.event, context);
};
const first = await real();
if (next !== input.answers.length) {
  throw new Error(`${input.name} made ${next} of its ${input.answers.length} calls: ${first.body}`);
}
const body = first.body ? (JSON.parse(first.body) as unknown) : undefined;
const bare = async (): Promise<APIGatewayProxyResult> => ({
  statusCode: first.statusCode,
  headers: first.headers ?? {},
  body: body === undefined ? '' : JSON.stringify(body),
});
const result: OverheadResult = {
  name: input.name,
  opsPerSecond: await rate(real, input.measureMs),
  bareOpsPerSecond: await rate(bare, input.measureMs / 2),
  status: first.statusCode,
};
process.stdout.write(JSON.stringify(result));
