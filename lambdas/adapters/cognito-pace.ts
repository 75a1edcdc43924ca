// The account-wide pace of Cognito calls: one budget per Cognito quota category, shared by every function
// instance of every tenant, counted in DynamoDB per category and second. Any client that calls Cognito (the job
// worker; SCIM provisioning) can put it on its client with `shareCognitoPace`.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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

/** Window counts are kept a minute: long enough for every instance's clock to have left that second. */
const KEEP_SECONDS = 60;

/**
 * A budget of calls per second and category, shared through a DynamoDB counter per second: an instance claims
 * a few calls of the current second at a time (one conditional update, refused when the second is spent), and
 * spends them within that second. However many instances claim, a second never gives out more than the
 * budget; callers of one instance are served in the order they asked.
 */
export class SharedCognitoPace {
  private readonly held = new Map<CognitoQuotaCategory, { second: number; calls: number }>();
  private readonly waiting = new Map<CognitoQuotaCategory, Waiter[]>();
  private readonly pumping = new Set<CognitoQuotaCategory>();
  private seq = 0;

  constructor(
    private readonly options: {
      client: DynamoDBDocumentClient;
      tableName: string;
      budget: CognitoBudget;
      clock?: Clock;
      /** Calls claimed per DynamoDB update: fewer updates, at the cost of calls left unspent at a second's end. */
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

  /** Hands out the category's calls one at a time, each to the first waiter when it is ready. */
  private async pump(category: CognitoQuotaCategory): Promise<void> {
    if (this.pumping.has(category)) return;
    this.pumping.add(category);
    try {
      for (let list = this.waiting.get(category); list?.length; list = this.waiting.get(category)) {
        let failure: { error: unknown } | undefined;
        await this.wait(category).catch((error: unknown) => {
          failure = { error };
        });
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

  private async wait(category: CognitoQuotaCategory): Promise<void> {
    const clock = this.options.clock ?? realClock;
    for (;;) {
      const now = clock.now();
      const second = Math.floor(now / 1000);
      const held = this.held.get(category);
      if (held && held.second === second && held.calls > 0) {
        held.calls -= 1;
        return;
      }
      const claimed = await this.claim(category, second);
      if (claimed > 0) {
        this.held.set(category, { second, calls: claimed - 1 });
        return;
      }
      // This second is spent, by this instance or others: the next one starts afresh.
      await clock.sleep(Math.max(1, (second + 1) * 1000 - clock.now()));
    }
  }

  /** Claims up to `claim` calls of `second`; as many as are left when fewer are. */
  private async claim(category: CognitoQuotaCategory, second: number): Promise<number> {
    const budget = Math.max(1, Math.floor(this.options.budget[category]));
    let wanted = Math.min(budget, this.options.claim ?? Math.max(1, Math.ceil(budget / 10)));
    while (wanted >= 1) {
      try {
        await this.options.client.send(
          new UpdateCommand({
            TableName: this.options.tableName,
            Key: { pk: `PACE#${category}`, sk: String(second) },
            UpdateExpression: 'ADD used :n SET expiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(used) OR used <= :most',
            ExpressionAttributeValues: {
              ':n': wanted,
              ':most': budget - wanted,
              ':expires': second + KEEP_SECONDS,
            },
          }),
        );
        return wanted;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Fewer than asked may be left: the last few calls of a second are claimed one at a time.
        wanted = wanted > 1 ? 1 : 0;
      }
    }
    return 0;
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
