// Pacing of Cognito calls: the token bucket on a fake clock, and the wired Cognito client's retries of throttling.
import { AdminGetUserCommand, TooManyRequestsException } from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Clock, TokenBucket } from '#adapters/rate-limiter.ts';
import { cognito, cognitoBucket } from '#adapters/wiring.ts';

/** A clock whose sleep moves time forward at once. */
function fakeClock(): Clock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

/** When each of `n` callers, all asking at once, got their token. */
async function grants(bucket: TokenBucket, clock: Clock, n: number): Promise<number[]> {
  const at: number[] = [];
  await Promise.all(Array.from({ length: n }, () => bucket.take().then(() => at.push(clock.now()))));
  return at;
}

describe('TokenBucket', () => {
  it('lets a burst through at once, then one call per 1/rate seconds', async () => {
    const clock = fakeClock();
    const at = await grants(new TokenBucket({ ratePerSecond: 10, burst: 3 }, clock), clock, 6);
    expect(at).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('never lets more than burst + rate calls into any one-second window', async () => {
    const clock = fakeClock();
    const at = await grants(new TokenBucket({ ratePerSecond: 10, burst: 10 }, clock), clock, 200);
    const busiest = Math.max(...at.map((start) => at.filter((t) => t >= start && t < start + 1000).length));
    expect(busiest).toBeLessThanOrEqual(20);
    // And the sustained rate: 190 calls beyond the burst take 19 s.
    expect(at.at(-1)).toBe(19_000);
  });

  it('refills while idle, up to the burst only', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 2 }, clock);
    await grants(bucket, clock, 2);
    clock.t += 60_000;
    expect(await grants(bucket, clock, 3)).toEqual([60_000, 60_000, 60_100]);
  });

  it('serves callers in the order they asked', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 5, burst: 1 }, clock);
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('refuses a pace that could never let a call through', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(/rate > 0/);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0 })).toThrow(/burst ≥ 1/);
  });
});

describe('the wired Cognito client', () => {
  afterEach(() => {
    cognito.middlewareStack.remove('fakeCognito');
    vi.restoreAllMocks();
  });

  /** Stands in for Cognito, inside the retry loop: throttles the first `throttled` attempts, then answers. */
  function fakeCognito(throttled: number) {
    const attempts: number[] = [];
    cognito.middlewareStack.addRelativeTo(
      (() => async () => {
        attempts.push(Date.now());
        if (attempts.length <= throttled) {
          throw new TooManyRequestsException({
            message: 'Rate exceeded',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return { output: { $metadata: {}, Username: 'u' }, response: {} };
      }) as never,
      { name: 'fakeCognito', relation: 'after', toMiddleware: 'rateLimit' },
    );
    return attempts;
  }

  it('retries throttling with exponential backoff and full jitter, each attempt taking a token', async () => {
    // Jitter at a tenth of its range: delays of 0.1 × 1 s, then 0.1 × 2 s.
    vi.spyOn(Math, 'random').mockReturnValue(0.1);
    const take = vi.spyOn(cognitoBucket, 'take');
    const attempts = fakeCognito(2);
    const output = await cognito.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_P', Username: 'u' }));
    expect(output.Username).toBe('u');
    expect(attempts).toHaveLength(3);
    expect(take).toHaveBeenCalledTimes(3);
    const [first, second, third] = attempts as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(95);
    expect(third - second).toBeGreaterThanOrEqual(195);
    expect(third - first).toBeLessThan(1500);
  });

  it('gives up on throttling only after six attempts', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const attempts = fakeCognito(10);
    await expect(
      cognito.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_P', Username: 'u' })),
    ).rejects.toBeInstanceOf(TooManyRequestsException);
    expect(attempts).toHaveLength(6);
  });
});
