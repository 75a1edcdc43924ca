// The offline stand-in for the job worker's deployment (a reserved-concurrency-1 function on a rate rule): one
// run at a time, invocations meanwhile wait rather than overlap, a failed run is redelivered twice, and a stop
// tells the run under way that its time is up.
import { afterEach, describe, expect, it } from 'vitest';
import { type ScheduledFunction, scheduleFunction } from '#local/scheduled-function.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let running: ScheduledFunction | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('a scheduled function with reserved concurrency 1', () => {
  it('runs on its schedule, never two runs at once, and an invocation meanwhile waits for the run', async () => {
    let inside = 0;
    let most = 0;
    const starts: number[] = [];
    running = scheduleFunction(
      async () => {
        starts.push(Date.now());
        inside += 1;
        most = Math.max(most, inside);
        await sleep(120);
        inside -= 1;
      },
      { everyMs: 50, timeoutMs: 10_000 },
    );
    await sleep(30);
    running.invoke();
    running.invoke();
    await sleep(600);
    expect(most).toBe(1);
    // Ticks every 50 ms against runs of 120 ms: runs follow one another back to back, never overlapping.
    expect(running.runs).toBeGreaterThanOrEqual(3);
    expect(running.runs).toBeLessThanOrEqual(6);
    for (let i = 1; i < starts.length; i++) {
      expect((starts[i] as number) - (starts[i - 1] as number)).toBeGreaterThanOrEqual(115);
    }
  });

  it('redelivers a failed run twice, then gives that event up', async () => {
    const attempts: number[] = [];
    const errors: number[] = [];
    running = scheduleFunction(
      async () => {
        attempts.push(Date.now());
        throw new Error('run failed');
      },
      {
        everyMs: 60_000,
        timeoutMs: 10_000,
        retryDelayMs: 50,
        onError: (_e, attempt) => errors.push(attempt),
      },
    );
    await sleep(400);
    expect(errors).toEqual([1, 2, 3]);
    expect(attempts).toHaveLength(3);
  });

  it('tells the run under way that its time is up when stopped, and waits for it to finish', async () => {
    const remaining: number[] = [];
    let finished = false;
    const fn = scheduleFunction(
      async (_event, context) => {
        remaining.push(context.getRemainingTimeInMillis());
        while (context.getRemainingTimeInMillis() > 0) await sleep(10);
        remaining.push(context.getRemainingTimeInMillis());
        finished = true;
      },
      { everyMs: 60_000, timeoutMs: 5_000 },
    );
    await sleep(50);
    await fn.stop();
    expect(finished).toBe(true);
    expect(remaining[0]).toBeGreaterThan(4_000);
    expect(remaining[1]).toBe(0);
  });
});
