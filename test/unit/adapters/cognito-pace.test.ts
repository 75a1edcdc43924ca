// The account-wide Cognito pace: instances sharing one counter per category and second never exceed the budget
// together, and use it; the middleware takes a call of each command's category, and refuses an unknown command.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  CATEGORY_OF_COMMAND,
  CognitoBudgetSchema,
  DEFAULT_COGNITO_BUDGET,
  SharedCognitoPace,
  shareCognitoPace,
  withPacePriority,
} from '#adapters/cognito-pace.ts';

/** DynamoDB's conditional ADD on one item per key, as the pace uses it (a shared table every instance reaches). */
function fakeTable() {
  const items = new Map<string, number>();
  const client = {
    send: async (command: UpdateCommand) => {
      await new Promise((r) => setTimeout(r, 1));
      const { Key, ExpressionAttributeValues: values } = command.input;
      const key = `${Key?.pk}|${Key?.sk}`;
      const used = items.get(key);
      if (used !== undefined && used > (values?.[':most'] as number)) {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
        });
      }
      items.set(key, (used ?? 0) + (values?.[':n'] as number));
      return {};
    },
  };
  return { client: client as unknown as DynamoDBDocumentClient, items };
}

describe('SharedCognitoPace', () => {
  it('gives three instances together at most the budget in any second', async () => {
    const table = fakeTable();
    const budget = { ...DEFAULT_COGNITO_BUDGET, UserUpdate: 40 };
    const instances = [1, 2, 3].map(
      () => new SharedCognitoPace({ client: table.client, tableName: 'jobs', budget, claim: 4 }),
    );
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        (instances[i % 3] as SharedCognitoPace).take('UserUpdate').then(() => granted.push(Date.now())),
      ),
    );
    const bySecond = new Map<number, number>();
    for (const t of granted)
      bySecond.set(Math.floor(t / 1000), (bySecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    expect(Math.max(...bySecond.values())).toBeLessThanOrEqual(40);
    // What was claimed per second in the table is the bound: never more than the budget.
    expect(Math.max(...table.items.values())).toBeLessThanOrEqual(40);
    expect(granted).toHaveLength(120);
  });

  it('serves waiting calls of a lower priority first (a small job before a big one), then in order', async () => {
    const table = fakeTable();
    const pace = new SharedCognitoPace({
      client: table.client,
      tableName: 'jobs',
      budget: { ...DEFAULT_COGNITO_BUDGET, UserCreation: 50 },
      claim: 1,
    });
    const order: string[] = [];
    const take = (name: string, priority: number) =>
      withPacePriority(priority, () => pace.take('UserCreation').then(() => void order.push(name)));
    await Promise.all([
      take('big-1', 3),
      take('big-2', 3),
      take('small-1', 1),
      take('small-2', 1),
      take('api', 0),
    ]);
    expect(order).toEqual(['api', 'small-1', 'small-2', 'big-1', 'big-2']);
  });

  it('keeps categories apart', async () => {
    const table = fakeTable();
    const pace = new SharedCognitoPace({
      client: table.client,
      tableName: 'jobs',
      budget: { ...DEFAULT_COGNITO_BUDGET, UserCreation: 2, UserRead: 50 },
    });
    await Promise.all([pace.take('UserCreation'), pace.take('UserCreation')]);
    await Promise.all(Array.from({ length: 20 }, () => pace.take('UserRead')));
    // Each category counts in its own item; UserCreation's spent budget took nothing from UserRead's.
    const counted = (category: string) =>
      [...table.items].filter(([k]) => k.startsWith(`PACE#${category}|`)).reduce((sum, [, n]) => sum + n, 0);
    expect(counted('UserCreation')).toBe(2);
    expect(counted('UserRead')).toBeGreaterThanOrEqual(20);
    expect([...table.items.keys()].every((k) => /^PACE#(UserCreation|UserRead)\|\d+$/.test(k))).toBe(true);
  });

  it('is configured per category, defaults filling in what is not named', () => {
    expect(CognitoBudgetSchema.parse({ UserUpdate: 5 })).toEqual({
      ...DEFAULT_COGNITO_BUDGET,
      UserUpdate: 5,
    });
    expect(CognitoBudgetSchema.safeParse({ UserDance: 5 }).success).toBe(false);
    expect(CognitoBudgetSchema.safeParse({ UserUpdate: 0 }).success).toBe(false);
  });
});

describe('shareCognitoPace', () => {
  function pacedClient() {
    const taken: string[] = [];
    let middleware:
      | ((next: () => Promise<unknown>, context: { commandName?: string }) => () => Promise<unknown>)
      | undefined;
    const client = {
      middlewareStack: {
        addRelativeTo: (m: never, options: { relation: string; toMiddleware: string }) => {
          expect(options).toMatchObject({ relation: 'after', toMiddleware: 'retryMiddleware' });
          middleware = m;
        },
      },
    };
    const pace = {
      take: async (category: string) => void taken.push(category),
    } as unknown as SharedCognitoPace;
    shareCognitoPace(client, pace);
    const send = (commandName: string) =>
      (middleware as NonNullable<typeof middleware>)(async () => 'sent', { commandName })();
    return { taken, send };
  }

  it("takes each attempt's call from its command's category", async () => {
    const { taken, send } = pacedClient();
    for (const command of Object.keys(CATEGORY_OF_COMMAND)) await expect(send(command)).resolves.toBe('sent');
    expect(taken).toEqual(Object.values(CATEGORY_OF_COMMAND));
    expect(taken).toContain('UserCreation');
  });

  it('refuses a command it has no category for, rather than let it past the budget', async () => {
    const { taken, send } = pacedClient();
    await expect(send('AdminLinkProviderForUserCommand')).rejects.toThrow(/No Cognito quota category/);
    expect(taken).toEqual([]);
  });
});
