// Records the AWS calls the functions make, by middleware on the SDK clients they share (#adapters/wiring.ts).

export interface AwsCall {
  /** The client's export name in wiring.ts: `dynamo`, `cognito`, … */
  service: string;
  /** The API action, e.g. `GetItem`, `AdminCreateUser` (a DocumentClient command is named by its action). */
  action: string;
  input: unknown;
  /** What the client answered, as the function sees it; absent when the call failed. */
  output?: unknown;
  error?: { name: string; message: string };
}

/** What the recorder needs of a client: its middleware stack (every SDK v3 client has one). */
export interface MiddlewareClient {
  middlewareStack: { add(middleware: never, options: { step: 'initialize'; name: string }): void };
  send(command: never): Promise<unknown>;
}

/** Every SDK client a module exports, by export name: a client added to wiring.ts is counted with the rest. */
export function sdkClients(module: Record<string, unknown>): Record<string, MiddlewareClient> {
  return Object.fromEntries(
    Object.entries(module).filter(
      ([, value]) =>
        typeof value === 'object' &&
        value !== null &&
        'middlewareStack' in value &&
        typeof (value as { send?: unknown }).send === 'function',
    ),
  ) as Record<string, MiddlewareClient>;
}

type Next = (args: { input: unknown }) => Promise<{ output: unknown }>;

export interface CallRecorder {
  /** Runs `work`, and answers it with every call made meanwhile, in order. */
  during<T>(work: () => Promise<T>): Promise<{ result: T; calls: AwsCall[] }>;
}

/**
 * Puts a recording middleware on each client, above the SDK's retries (a retried call counts once, as the
 * function made it once). Only calls made while `during` runs are recorded: the caller runs one operation
 * at a time, so everything recorded is that operation's.
 */
export function recordCalls(clients: Record<string, MiddlewareClient>): CallRecorder {
  let recording: AwsCall[] | undefined;
  for (const [service, client] of Object.entries(clients)) {
    const middleware =
      (next: Next, context: { commandName?: string }) => async (args: { input: unknown }) => {
        const call: AwsCall = {
          service,
          action: (context.commandName ?? 'Unknown').replace(/Command$/, ''),
          input: args.input,
        };
        recording?.push(call);
        try {
          const result = await next(args);
          call.output = result.output;
          return result;
        } catch (error) {
          call.error = error instanceof Error ? { name: error.name, message: error.message } : undefined;
          throw error;
        }
      };
    client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'callRecorder' });
  }
  return {
    async during(work) {
      if (recording) throw new Error('One operation at a time: the recorder is already recording');
      const calls: AwsCall[] = [];
      recording = calls;
      try {
        return { result: await work(), calls };
      } finally {
        recording = undefined;
      }
    },
  };
}

/** `{ GetItem: 1, TransactWriteItems: 1 }`: how many of each action, in the order first made. */
export function countActions(calls: readonly AwsCall[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) counts[call.action] = (counts[call.action] ?? 0) + 1;
  return counts;
}
