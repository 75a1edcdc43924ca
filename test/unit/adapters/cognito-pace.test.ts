// The account-wide Cognito pace: instances sharing one next-free moment per category space their calls evenly
// within the budget together, and use it; the middleware takes a call of each command's category, and refuses an unknown command.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, type UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  CATEGORY_OF_COMMAND,
  CognitoBudgetSchema,
  DEFAULT_COGNITO_BUDGET,
  SharedCognitoPace,
  shareCognitoPace,
  withPacePriority,
} from '#adapters/cognito-pace.ts';

/**
 * DynamoDB's item per category as the pace uses it (a shared table every instance reaches): its two conditional
 * updates and the consistent read; each reservation (the moments it gave out) is kept to check.
 */
function fakeTable() {
  const items = new Map<string, number>();
  const reservations: { key: string; from: number; to: number }[] = [];
  const refused = () =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  const client = {
    send: async (command: UpdateCommand | GetCommand) => {
      await new Promise((r) => setTimeout(r, 1));
      const { Key } = command.input;
      const key = `${Key?.pk}|${Key?.sk}`;
      const next = items.get(key);
      if (command instanceof GetCommand) return { Item: next === undefined ? undefined : { nextAt: next } };
      const { UpdateExpression, ExpressionAttributeValues: v = {} } = command.input;
      if (UpdateExpression === 'SET #next = :end') {
        if (next !== undefined && next > v[':now']) throw refused();
        items.set(key, v[':end']);
        reservations.push({ key, from: v[':now'], to: v[':end'] });
        return {};
      }
      if (next === undefined || next <= v[':now'] || next > v[':latest']) throw refused();
      items.set(key, next + v[':span']);
      reservations.push({ key, from: next, to: next + v[':span'] });
      return { Attributes: { nextAt: next + v[':span'] } };
    },
  };
  return { client: client as unknown as DynamoDBDocumentClient, items, reservations };
}

describe('SharedCognitoPace', () => {
  it('spaces the calls of three instances together evenly, never more than the budget in a second', async () => {
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
    expect(granted).toHaveLength(120);
    // What the instances reserved in the table: never overlapping, so the moments are 1/40 s apart at least, and
    // no second holds more than 40 of them.
    const spans = table.reservations.map((r) => [r.from, r.to] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) {
      expect((spans[i] as [number, number])[0]).toBeGreaterThanOrEqual((spans[i - 1] as [number, number])[1]);
    }
    const moments = spans.flatMap(([from, to]) =>
      Array.from({ length: Math.round((to - from) / 25) }, (_, i) => from + i * 25),
    );
    expect(moments.length).toBeGreaterThanOrEqual(120);
    for (const [i, at] of moments.entries()) {
      expect(moments.filter((m, j) => j >= i && m < at + 1000).length).toBeLessThanOrEqual(40);
    }
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

  it('starts at once when idle, saving up no burst: the next call waits its interval', async () => {
    const table = fakeTable();
    const pace = new SharedCognitoPace({
      client: table.client,
      tableName: 'jobs',
      budget: { ...DEFAULT_COGNITO_BUDGET, UserCreation: 4 },
    });
    await pace.take('UserCreation');
    await pace.take('UserCreation');
    const [first, second] = table.reservations;
    // The idle pace's first call is now; the one after it a quarter of a second later, however long it was idle.
    expect(second?.from).toBe(first?.to);
    expect((first?.to as number) - (first?.from as number)).toBe(250);
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
    // Each category has its own item; UserCreation's slow pace took nothing from UserRead's.
    const reserved = (category: string) =>
      table.reservations
        .filter((r) => r.key === `PACE#${category}|next`)
        .reduce((t, r) => t + r.to - r.from, 0);
    expect(reserved('UserCreation')).toBe(1000);
    expect(reserved('UserRead')).toBeGreaterThanOrEqual(20 * 20);
    expect([...table.items.keys()].sort()).toEqual(['PACE#UserCreation|next', 'PACE#UserRead|next']);
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
