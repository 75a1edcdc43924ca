// The user store's paged reads by key, each a part of its own (DynamoUserStore answers with them): every profile of
// a tenant (`userList`: the reconciler, a role's holders) and the history (`history`: the two history routes).
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidInput } from '#domain/errors.ts';
import type { HistoryEntry } from '#domain/history.ts';
import type { User } from '#domain/user.ts';
import type { Page, UserStore } from '#services/ports.ts';
import { decodePosition, encodePosition } from './cursor.ts';
import { toUser, USER } from './dynamo-user-store.ts';

export class DynamoUserList implements Pick<UserStore, 'list'> {
  constructor(private readonly options: { client: DynamoDBDocumentClient; profilesTable: string }) {}

  async list(
    tenantId: string,
    page: { limit: number; cursor?: string; archived?: boolean },
  ): Promise<Page<User>> {
    // The position is the last user's id: the key is rebuilt here, always inside the caller's tenant.
    let start: Record<string, string> | undefined = page.cursor
      ? { pk: tenantId, sk: USER + decodePosition(page.cursor, 1)[0] }
      : undefined;
    const items: User[] = [];
    // A filter may leave a read page short: read on until the page is full or the tenant's users end.
    // (Indexed listing, whose cost follows the page and not the tenant, is the search issue's.)
    do {
      const { Items = [], LastEvaluatedKey } = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.profilesTable,
          KeyConditionExpression: 'pk = :tenant AND begins_with(sk, :user)',
          FilterExpression: page.archived ? '#status = :archived' : '#status <> :archived',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':tenant': tenantId, ':user': USER, ':archived': 'archived' },
          Limit: page.limit - items.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...Items.map(toUser));
      start = LastEvaluatedKey as Record<string, string> | undefined;
    } while (start && items.length < page.limit);
    return { items, ...(start?.sk ? { next: encodePosition([start.sk.slice(USER.length)]) } : {}) };
  }
}

export class DynamoUserHistory implements Pick<UserStore, 'history'> {
  constructor(private readonly options: { client: DynamoDBDocumentClient; historyTable: string }) {}

  async history(
    tenantId: string,
    userId: string | undefined,
    page: { limit: number; cursor?: string },
  ): Promise<Page<HistoryEntry>> {
    // One user's entries live under their own partition; the whole tenant's are read through byTenant.
    const query = userId
      ? { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${tenantId}#${userId}` } }
      : {
          IndexName: 'byTenant',
          KeyConditionExpression: 'tenantPk = :tenant',
          ExpressionAttributeValues: { ':tenant': tenantId },
        };
    // The position is the last entry's subject and sort key; the key is rebuilt inside the caller's tenant.
    const start = page.cursor ? historyStart(tenantId, userId, page.cursor) : undefined;
    const { Items = [], LastEvaluatedKey } = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.historyTable,
        ...query,
        ScanIndexForward: false,
        Limit: page.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const items = Items.map(({ pk: _pk, sk: _sk, tenantPk: _t, ...entry }) => entry as HistoryEntry);
    const last = LastEvaluatedKey as { pk?: string; sk?: string } | undefined;
    const next =
      last?.pk && last.sk ? encodePosition([last.pk.slice(tenantId.length + 1), last.sk]) : undefined;
    return { items, ...(next ? { next } : {}) };
  }
}

function historyStart(
  tenantId: string,
  userId: string | undefined,
  position: string,
): Record<string, string> {
  const [subject = '', sk = ''] = decodePosition(position, 2);
  if (userId !== undefined && subject !== userId) {
    throw new InvalidInput([
      { field: 'query.cursor', message: 'is not a cursor this API issued for this list' },
    ]);
  }
  const key = { pk: `${tenantId}#${subject}`, sk };
  return userId === undefined ? { ...key, tenantPk: tenantId } : key;
}
