// The user store's writes (UserStore's create, update, delete, record, touchLogin): each change written with its
// email claim, counts, search index entries, history entry (and any idempotency completion) in one transaction.
// Apart from the reads (DynamoUserStore), so a function that declares no `userWrites` bundles none of it.
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  EmailTaken,
  LastAdministrator,
  LicenceLimitReached,
  RequestInProgress,
  UserNotFound,
  VersionConflict,
} from '#domain/errors.ts';
import type { HistoryEntry } from '#domain/history.ts';
import { holdsLicence, isActiveAdministrator, type User } from '#domain/user.ts';
import type { UserStore, WriteOptions } from '#services/ports.ts';
import { completionItem } from './dynamo-idempotency-store.ts';
import { ADMINS, EMAIL, LICENCE, USER } from './dynamo-user-store.ts';
import { historyPut } from './history-items.ts';
import { indexChanges } from './search-index.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What of UserStore changes profiles and history: given to DynamoUserStore by the composition root. */
export type UserWrites = Pick<UserStore, 'create' | 'update' | 'delete' | 'record' | 'touchLogin'>;

export class DynamoUserWrites implements UserWrites {
  constructor(
    private readonly options: { client: DynamoDBDocumentClient; profilesTable: string; historyTable: string },
  ) {}

  async create(tenantId: string, user: User, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    const items: Labelled[] = [
      ['profile', this.putProfile(tenantId, user, 'attribute_not_exists(pk)')],
      ['email', this.claimEmail(tenantId, user)],
      ...this.adminCount(tenantId, undefined, user),
      ...this.licenceCount(tenantId, undefined, user, options),
      ...this.index(tenantId, undefined, user),
      ['history', this.historyPut(tenantId, entry)],
      ...this.completion(options),
    ];
    await this.transact(
      items,
      { profile: () => new VersionConflict(), email: () => new EmailTaken(user.email) },
      'create',
    );
  }

  async update(
    tenantId: string,
    before: User,
    after: User,
    entry: HistoryEntry,
    options?: WriteOptions,
  ): Promise<void> {
    const emailMoves = before.email !== after.email;
    const items: Labelled[] = [
      ['profile', this.putProfile(tenantId, after, 'version = :expected', before.version)],
      ...(emailMoves
        ? ([
            ['email', this.claimEmail(tenantId, after)],
            ['release', this.releaseEmail(tenantId, before)],
          ] as Labelled[])
        : []),
      ...this.adminCount(tenantId, before, after),
      ...this.licenceCount(tenantId, before, after, options),
      ...this.index(tenantId, before, after),
      ['history', this.historyPut(tenantId, entry)],
      ...this.completion(options),
    ];
    await this.transact(
      items,
      { profile: () => new VersionConflict(), email: () => new EmailTaken(after.email) },
      changeVerb(before, after),
    );
  }

  async delete(tenantId: string, user: User, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    const { profilesTable } = this.options;
    const items: Labelled[] = [
      [
        'profile',
        {
          Delete: {
            TableName: profilesTable,
            Key: { pk: tenantId, sk: USER + user.id },
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': user.version },
          },
        },
      ],
      ['release', this.releaseEmail(tenantId, user)],
      ...this.adminCount(tenantId, user, undefined),
      ...this.licenceCount(tenantId, user, undefined, options),
      ...this.index(tenantId, user, undefined),
      ['history', this.historyPut(tenantId, entry)],
      ...this.completion(options),
    ];
    await this.transact(items, { profile: () => new VersionConflict() }, 'delete');
  }

  async record(tenantId: string, entry: HistoryEntry, options?: WriteOptions): Promise<void> {
    if (!options?.completes) {
      await this.options.client.send(new PutCommand(this.historyPut(tenantId, entry).Put));
      return;
    }
    await this.transact(
      [['history', this.historyPut(tenantId, entry)], ...this.completion(options)],
      {},
      'change',
    );
  }

  async touchLogin(tenantId: string, userId: string, at: string): Promise<void> {
    try {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.profilesTable,
          Key: { pk: tenantId, sk: USER + userId },
          UpdateExpression: 'SET lastLoginAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new UserNotFound();
      throw error;
    }
  }

  private putProfile(tenantId: string, user: User, condition: string, expected?: number): TransactItem {
    return {
      Put: {
        TableName: this.options.profilesTable,
        Item: { pk: tenantId, sk: USER + user.id, ...user },
        ConditionExpression: condition,
        ...(expected === undefined ? {} : { ExpressionAttributeValues: { ':expected': expected } }),
      },
    };
  }

  private claimEmail(tenantId: string, user: User): TransactItem {
    return {
      Put: {
        TableName: this.options.profilesTable,
        Item: { pk: tenantId, sk: EMAIL + user.email, userId: user.id },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private releaseEmail(tenantId: string, user: User): TransactItem {
    return {
      Delete: {
        TableName: this.options.profilesTable,
        Key: { pk: tenantId, sk: EMAIL + user.email },
        ConditionExpression: 'userId = :me',
        ExpressionAttributeValues: { ':me': user.id },
      },
    };
  }

  /** Moves the count when a change makes or unmakes an active administrator; never below one. */
  private adminCount(tenantId: string, before: User | undefined, after: User | undefined): Labelled[] {
    const delta = Number(isActiveAdministrator(after)) - Number(isActiveAdministrator(before));
    if (delta === 0) return [];
    return [
      [
        'admins',
        {
          Update: {
            TableName: this.options.profilesTable,
            Key: { pk: tenantId, sk: ADMINS },
            UpdateExpression: 'ADD n :delta',
            ...(delta < 0
              ? { ConditionExpression: 'n > :one', ExpressionAttributeValues: { ':delta': delta, ':one': 1 } }
              : { ExpressionAttributeValues: { ':delta': delta } }),
          },
        },
      ],
    ];
  }

  /** The search index moves with the profile, in the same transaction. */
  private index(tenantId: string, before: User | undefined, after: User | undefined): Labelled[] {
    return indexChanges(this.options.profilesTable, tenantId, before, after).map((w) => [
      'index',
      w as TransactItem,
    ]);
  }

  private historyPut(tenantId: string, entry: HistoryEntry) {
    return historyPut(this.options.historyTable, tenantId, entry);
  }

  /** Moves the seat counts when a change gives or takes a licence; never beyond the type's seats. */
  private licenceCount(
    tenantId: string,
    before: User | undefined,
    after: User | undefined,
    options: WriteOptions | undefined,
  ): Labelled[] {
    const was = holdsLicence(before);
    const now = holdsLicence(after);
    if (was === now) return [];
    const items: Labelled[] = [];
    if (now) {
      const seats = options?.seats?.[now];
      items.push([
        'licence',
        {
          Update: {
            TableName: this.options.profilesTable,
            Key: { pk: tenantId, sk: LICENCE + now },
            UpdateExpression: 'ADD n :one',
            ...(seats === undefined
              ? { ExpressionAttributeValues: { ':one': 1 } }
              : {
                  ConditionExpression: 'attribute_not_exists(n) OR n < :seats',
                  ExpressionAttributeValues: { ':one': 1, ':seats': seats },
                }),
          },
        },
      ]);
    }
    if (was) {
      items.push([
        'release',
        {
          Update: {
            TableName: this.options.profilesTable,
            Key: { pk: tenantId, sk: LICENCE + was },
            UpdateExpression: 'ADD n :minus',
            ExpressionAttributeValues: { ':minus': -1 },
          },
        },
      ]);
    }
    return items;
  }

  private completion(options: WriteOptions | undefined): Labelled[] {
    if (!options?.completes) return [];
    return [
      ['completion', completionItem(this.options.profilesTable, options.completes, options.result ?? null)],
    ];
  }

  /** Runs the transaction; a failed condition becomes the domain error its item stands for. */
  private async transact(
    items: Labelled[],
    errors: Partial<Record<Label, () => Error>>,
    verb: string,
  ): Promise<void> {
    try {
      await this.options.client.send(
        new TransactWriteCommand({ TransactItems: items.map(([, item]) => item) }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const failed = items.find(
        (_, i) => error.CancellationReasons?.[i]?.Code === 'ConditionalCheckFailed',
      )?.[0];
      if (failed === 'admins') throw new LastAdministrator(verb);
      if (failed === 'licence')
        throw new LicenceLimitReached(
          String(labelled(items, 'licence')?.Update?.Key?.sk).slice(LICENCE.length),
        );
      const mapped = failed ? errors[failed] : undefined;
      if (mapped) throw mapped();
      if (failed === 'completion') throw new RequestInProgress();
      throw error;
    }
  }
}

type Label = 'profile' | 'email' | 'release' | 'admins' | 'licence' | 'index' | 'history' | 'completion';

function labelled(items: Labelled[], label: Label): TransactItem | undefined {
  return items.find(([l]) => l === label)?.[1];
}
type Labelled = [Label, TransactItem];

/** The verb of a change, for the last-administrator refusal. */
function changeVerb(before: User, after: User): string {
  if (after.status !== before.status) {
    return (
      ({ inactive: 'deactivate', archived: 'archive' } as Record<string, string>)[after.status] ?? 'change'
    );
  }
  return 'remove the Administrator role from';
}
