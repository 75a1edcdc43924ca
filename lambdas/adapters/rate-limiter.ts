// Pacing of one function instance's calls to a quota the whole account shares (Cognito's): a token bucket, and
// the SDK middleware that makes every attempt, retries included, wait for a token.

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface Pace {
  /** Tokens added per second: the sustained rate. */
  ratePerSecond: number;
  /** Tokens the bucket holds: how many calls may go at once after a quiet spell. */
  burst: number;
}

/**
 * A token bucket, served in arrival order. In any one-second window it lets through at most
 * `burst + ratePerSecond` calls, and `ratePerSecond` on average over longer spans.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly pace: Pace,
    private readonly clock: Clock = realClock,
  ) {
    if (!(pace.ratePerSecond > 0) || !(pace.burst >= 1))
      throw new Error('A pace needs a rate > 0 and a burst ≥ 1');
    this.tokens = pace.burst;
    this.last = clock.now();
  }

  /** Waits for a token and takes it; a caller never overtakes one who asked earlier. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.wait());
    this.queue = turn;
    return turn;
  }

  private async wait(): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      await this.clock.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.pace.ratePerSecond));
      this.refill();
    }
    // Taken even if a coarse timer woke a hair early: the debt is paid by the next caller's wait.
    this.tokens -= 1;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(
      this.pace.burst,
      this.tokens + ((now - this.last) * this.pace.ratePerSecond) / 1000,
    );
    this.last = now;
  }
}

type Next = (args: unknown) => Promise<unknown>;

/**
 * SDK middleware taking a token before each attempt. Placed right after the SDK's retry middleware (see
 * `paceClient`), so a retry of a throttled call waits its turn like any other call.
 */
export function rateLimited(bucket: TokenBucket) {
  return (next: Next) => async (args: unknown) => {
    await bucket.take();
    return next(args);
  };
}

interface MiddlewareStackLike {
  addRelativeTo(
    middleware: never,
    options: { name: string; relation: 'before' | 'after'; toMiddleware: string },
  ): void;
}

/** Puts `bucket` on a client: every attempt of every command it sends takes a token. */
export function paceClient(client: { middlewareStack: MiddlewareStackLike }, bucket: TokenBucket): void {
  client.middlewareStack.addRelativeTo(rateLimited(bucket) as never, {
    name: 'rateLimit',
    relation: 'after',
    toMiddleware: 'retryMiddleware',
  });
}
