// The account-wide pace of Cognito calls: one budget per Cognito quota category, shared by every function
// instance of every tenant, its next free moment held in DynamoDB per category. Any client that calls Cognito (the job
// worker; SCIM provisioning) can put it on its client with `shareCognitoPace`.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from '#domain/zod.ts';
import type { Clock } from './rate-limiter.ts';

/** The request-rate categories Cognito counts user-pool admin calls under (Cognito's "Quotas" page). */
export const COGNITO_QUOTA_CATEGORIES = [
  'UserCreation',
  'UserUpdate',
  'UserRead',
  'UserAccountRecovery',
  'UserList',
] as const;
export type CognitoQuotaCategory = (typeof COGNITO_QUOTA_CATEGORIES)[number];

/** The Cognito commands Gatehouse sends, each with the category whose quota it counts against. */
export const CATEGORY_OF_COMMAND = {
  AdminCreateUserCommand: 'UserCreation',
  AdminGetUserCommand: 'UserRead',
  AdminDeleteUserCommand: 'UserUpdate',
  AdminDisableUserCommand: 'UserUpdate',
  AdminEnableUserCommand: 'UserUpdate',
  AdminUserGlobalSignOutCommand: 'UserUpdate',
  AdminUpdateUserAttributesCommand: 'UserUpdate',
  AdminSetUserPasswordCommand: 'UserUpdate',
  AdminResetUserPasswordCommand: 'UserAccountRecovery',
  ListUsersCommand: 'UserList',
} as const satisfies Record<string, CognitoQuotaCategory>;

/**
 * Calls a second per category that all paced clients together may make. AWS's defaults (when this was written:
 * UserCreation 50, UserUpdate 25, UserRead 120, UserAccountRecovery 30, UserList 30) are shared with the
 * interactive API and every other use of the account: the budget is well under them, so single requests keep
 * their share however many jobs run.
 */
export const DEFAULT_COGNITO_BUDGET = {
  UserCreation: 20,
  UserUpdate: 10,
  UserRead: 40,
  UserAccountRecovery: 10,
  UserList: 10,
} as const satisfies Record<CognitoQuotaCategory, number>;

// Made in a function called as pure: a bundle that never reads the budget (every function but the job worker)
// drops the schema whole, which a chain of calls at the top level would keep.
export const CognitoBudgetSchema = /* @__PURE__ */ cognitoBudgetSchema();
function cognitoBudgetSchema() {
  return z.pipe(
    z.strictObject(
      Object.fromEntries(
        COGNITO_QUOTA_CATEGORIES.map((c) => [c, z.optional(z.number().check(z.positive(), z.lte(10_000)))]),
      ) as Record<CognitoQuotaCategory, z.ZodMiniOptional<z.ZodMiniNumber>>,
    ),
    z.transform((given) => ({ ...DEFAULT_COGNITO_BUDGET, ...given }) as Record<CognitoQuotaCategory, number>),
  );
}
export type CognitoBudget = Record<CognitoQuotaCategory, number>;

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const priorities = new AsyncLocalStorage<number>();

/**
 * Runs `work` with its Cognito calls at `priority` in this instance's queue for the budget: lower goes first
 * (calls outside any priority, an interactive request's, count as 0). The job worker gives a small job's
 * calls precedence over a big one's, so a big job never holds a small one back.
 */
export function withPacePriority<T>(priority: number, work: () => Promise<T>): Promise<T> {
  return priorities.run(priority, work);
}

interface Waiter {
  priority: number;
  seq: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A budget of calls per second and category, shared by every instance through one DynamoDB item per category:
 * the moment the category's next call may be made. Calls are spaced evenly (1/budget of a second apart, across
 * all instances): an instance reserves the next few moments with one conditional update (no more than a short
 * horizon ahead), waits for each, and gives it to its best waiter then. No second holds more moments than the
 * budget (an instance that lags uses its few moments late), and no burst piles up: a call asked for on an idle
 * pace goes at once, the next one an interval later, whoever asks. A small job alone runs at the pace, as it
 * does beside a big one, not on a burst saved up while the account was idle.
 */
export class SharedCognitoPace {
  /** Moments this instance has reserved and not yet used, per category, earliest first. */
  private readonly reserved = new Map<CognitoQuotaCategory, number[]>();
  /** A reservation under way (made ahead, while the last reserved moment waits). */
  private readonly reserving = new Map<CognitoQuotaCategory, Promise<void>>();
  /** The category's next free moment, as this instance last saw it: which update to try first. */
  private readonly known = new Map<CognitoQuotaCategory, number>();
  private readonly waiting = new Map<CognitoQuotaCategory, Waiter[]>();
  private readonly pumping = new Set<CognitoQuotaCategory>();
  private seq = 0;

  constructor(
    private readonly options: {
      client: DynamoDBDocumentClient;
      tableName: string;
      budget: CognitoBudget;
      clock?: Clock;
      /** Moments reserved per DynamoDB update: fewer updates, at the cost of moments unused when callers stop. */
      claim?: number;
    },
  ) {}

  /**
   * Waits until a call of `category` fits the account's budget, and takes it. Waiting callers of this instance
   * are served by priority (see withPacePriority), then in the order they asked.
   */
  take(category: CognitoQuotaCategory): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const list = this.waiting.get(category) ?? [];
      list.push({ priority: priorities.getStore() ?? 0, seq: this.seq++, resolve, reject });
      this.waiting.set(category, list);
      void this.pump(category);
    });
  }

  /** Calls of `category` waiting in this instance for their moment. */
  waiters(category: CognitoQuotaCategory): number {
    return this.waiting.get(category)?.length ?? 0;
  }

  private get clock(): Clock {
    return this.options.clock ?? realClock;
  }

  private interval(category: CognitoQuotaCategory): number {
    return 1000 / this.options.budget[category];
  }

  private batch(category: CognitoQuotaCategory): number {
    const budget = Math.max(1, Math.floor(this.options.budget[category]));
    return Math.min(budget, this.options.claim ?? Math.max(1, Math.ceil(budget / 10)));
  }

  /** Hands out the category's calls one at a time, each at its moment to the best waiter then. */
  private async pump(category: CognitoQuotaCategory): Promise<void> {
    if (this.pumping.has(category)) return;
    this.pumping.add(category);
    try {
      for (let list = this.waiting.get(category); list?.length; list = this.waiting.get(category)) {
        let failure: { error: unknown } | undefined;
        try {
          const at = await this.moment(category, list.length);
          const delay = at - this.clock.now();
          if (delay > 0) await this.clock.sleep(delay);
        } catch (error) {
          failure = { error };
        }
        // Chosen once the call is ours: a waiter who came meanwhile with precedence gets it.
        const first = list.reduce((a, b) =>
          b.priority < a.priority || (b.priority === a.priority && b.seq < a.seq) ? b : a,
        );
        list.splice(list.indexOf(first), 1);
        if (failure) first.reject(failure.error);
        else first.resolve();
      }
    } finally {
      this.pumping.delete(category);
    }
  }

  /** The next moment this instance may call: one it reserved, or a new reservation's first. */
  private async moment(category: CognitoQuotaCategory, wanted: number): Promise<number> {
    const held = this.held(category);
    // A moment this instance was too busy to use on time is used late: dropping it would lose it for good
    // whenever the event loop lags by an interval. At most one reservation's worth is held (a tenth of the
    // budget), so that is all a second's calls can exceed the budget by; those left from an idle spell go.
    const stale = this.clock.now() - 1000;
    while (held.length && (held[0] as number) < stale) held.shift();
    while (held.length === 0) await (this.reserving.get(category) ?? this.refill(category));
    const at = held.shift() as number;
    // More callers than moments held: the next reservation is made now, while this moment is waited for, so
    // the round trip to DynamoDB never leaves a moment unused.
    if (held.length === 0 && wanted > 1 && !this.reserving.has(category)) {
      this.refill(category).catch(() => undefined);
    }
    return at;
  }

  private held(category: CognitoQuotaCategory): number[] {
    let held = this.reserved.get(category);
    if (!held) {
      held = [];
      this.reserved.set(category, held);
    }
    return held;
  }

  /** One reservation at a time per category, its moments added to those held. */
  private refill(category: CognitoQuotaCategory): Promise<void> {
    const reservation = this.reserve(category)
      .then((moments) => void this.held(category).push(...moments))
      .finally(() => this.reserving.delete(category));
    this.reserving.set(category, reservation);
    return reservation;
  }

  /**
   * Reserves the category's next `batch` moments, an interval apart: from now when the pace is idle, else from
   * its next free moment, unless that is more than a short horizon away (another instance reserved ahead):
   * then it waits for the horizon and tries again.
   */
  private async reserve(category: CognitoQuotaCategory): Promise<number[]> {
    const interval = this.interval(category);
    const n = this.batch(category);
    const span = n * interval;
    const horizon = 2 * span + interval;
    const key = { pk: `PACE#${category}`, sk: 'next' };
    const moments = (from: number) => Array.from({ length: n }, (_, i) => from + i * interval);
    for (;;) {
      const now = this.clock.now();
      try {
        if ((this.known.get(category) ?? 0) <= now) {
          // Idle as far as this instance knows: the calls start now.
          await this.options.client.send(
            new UpdateCommand({
              TableName: this.options.tableName,
              Key: key,
              UpdateExpression: 'SET #next = :end',
              ConditionExpression: 'attribute_not_exists(#next) OR #next <= :now',
              ExpressionAttributeNames: { '#next': 'nextAt' },
              ExpressionAttributeValues: { ':end': now + span, ':now': now },
            }),
          );
          this.known.set(category, now + span);
          return moments(now);
        }
        const { Attributes } = await this.options.client.send(
          new UpdateCommand({
            TableName: this.options.tableName,
            Key: key,
            UpdateExpression: 'SET #next = #next + :span',
            ConditionExpression: '#next > :now AND #next <= :latest',
            ExpressionAttributeNames: { '#next': 'nextAt' },
            ExpressionAttributeValues: { ':span': span, ':now': now, ':latest': now + horizon },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        const end = Number(Attributes?.nextAt);
        this.known.set(category, end);
        return moments(end - span);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Not as this instance thought: read where the pace is, and wait if it is reserved far ahead.
        const { Item } = await this.options.client.send(
          new GetCommand({ TableName: this.options.tableName, Key: key, ConsistentRead: true }),
        );
        const next = typeof Item?.nextAt === 'number' ? Item.nextAt : 0;
        this.known.set(category, next);
        const wait = next - horizon - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
      }
    }
  }
}

type Next = (args: unknown) => Promise<unknown>;

interface MiddlewareStackLike {
  addRelativeTo(
    middleware: never,
    options: { name: string; relation: 'before' | 'after'; toMiddleware: string },
  ): void;
}

/**
 * Puts the shared pace on a Cognito client: every attempt of every command, retries included, takes a call of
 * its category first. A command without a category here is refused: an unpaced call would break the budget.
 */
export function shareCognitoPace(client: { middlewareStack: MiddlewareStackLike }, pace: SharedCognitoPace) {
  const middleware = (next: Next, context: { commandName?: string }) => async (args: unknown) => {
    const category = CATEGORY_OF_COMMAND[context.commandName as keyof typeof CATEGORY_OF_COMMAND];
    if (!category) throw new Error(`No Cognito quota category for ${context.commandName ?? 'a command'}`);
    await pace.take(category);
    return next(args);
  };
  client.middlewareStack.addRelativeTo(middleware as never, {
    name: 'sharedCognitoPace',
    relation: 'after',
    toMiddleware: 'retryMiddleware',
  });
}
