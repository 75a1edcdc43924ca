// Offline stand-in for a Lambda function with reserved concurrency 1, invoked asynchronously by an EventBridge
// rate rule (and by anyone else): the semantics the job worker relies on. At most one run at a time; an
// invocation that arrives meanwhile waits for it (Lambda keeps throttled asynchronous events and retries them);
// a run that fails is run again, twice at most (Lambda's asynchronous retries); each run is told its time left.
import { randomUUID } from 'node:crypto';

export type ScheduledHandler = (
  event: unknown,
  context: { awsRequestId: string; getRemainingTimeInMillis(): number },
) => Promise<unknown>;

export interface ScheduledFunctionOptions {
  /** The rule's rate: an invocation this often. */
  everyMs: number;
  /** The function's timeout: what `getRemainingTimeInMillis` counts down from. */
  timeoutMs: number;
  /** Retries of a failed run (Lambda's default for asynchronous invocations: 2). */
  retries?: number;
  /** Wait before a retry (Lambda: about a minute, then two). */
  retryDelayMs?: number;
  onError?: (error: unknown, attempt: number) => void;
}

export interface ScheduledFunction {
  /** An asynchronous invocation: queued, run when no other run is under way. */
  invoke(): void;
  /** Runs so far, failed ones included. */
  readonly runs: number;
  /** Stops the schedule; a run under way is told its time is up and is waited for. */
  stop(): Promise<void>;
}

export function scheduleFunction(
  handler: ScheduledHandler,
  options: ScheduledFunctionOptions,
): ScheduledFunction {
  const retries = options.retries ?? 2;
  let running: Promise<void> | undefined;
  let stopped = false;
  let runs = 0;
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  async function runOnce(attempt: number): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    runs += 1;
    try {
      await handler(
        {},
        {
          awsRequestId: randomUUID(),
          getRemainingTimeInMillis: () => (stopped ? 0 : Math.max(0, deadline - Date.now())),
        },
      );
    } catch (error) {
      options.onError?.(error, attempt);
      if (attempt <= retries && !stopped) {
        // Redelivered: the same event again, after a delay.
        later(options.retryDelayMs ?? 1000, () => enqueue(attempt + 1));
      }
    }
  }

  const queue: number[] = [];
  function enqueue(attempt: number) {
    if (stopped) return;
    queue.push(attempt);
    pump();
  }

  function pump() {
    if (running || stopped) return;
    const attempt = queue.shift();
    if (attempt === undefined) return;
    running = runOnce(attempt).finally(() => {
      running = undefined;
      pump();
    });
  }

  function invoke() {
    // Events waiting for the one run allowed are kept, but a schedule's repeated ticks need not pile up: one
    // waiting first attempt does what many would.
    if (!queue.includes(1)) enqueue(1);
  }

  const tick = setInterval(invoke, options.everyMs);
  invoke();

  return {
    invoke,
    get runs() {
      return runs;
    },
    async stop() {
      stopped = true;
      clearInterval(tick);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      queue.length = 0;
      await running;
    },
  };
}
