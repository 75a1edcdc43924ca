// Idempotency keys on DynamoDB: one item per tenant, caller and key, leased while a request runs, completed
// with its result in the same transaction as the change it made, and expired by TTL after a day.
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { IdempotencyKeyReused, RequestInProgress } from '#domain/errors.ts';
import type { IdempotencyBegin, IdempotencyLease, IdempotencyStore } from '#services/ports.ts';

/** Longer than any request may run (API Gateway gives up after 29 s): a lease this old was abandoned. */
const LEASE_MS = 35_000;
const KEEP_SECONDS = 24 * 3600;

const keyOf = (lease: Omit<IdempotencyLease, 'lease'>) => ({
  pk: lease.tenantId,
  sk: `IDEMPOTENCY#${lease.callerId}#${lease.key}`,
});

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly options: {
      client: DynamoDBDocumentClient;
      profilesTable: string;
      now?: () => number;
      /** How long an attempt holds its key before another may take it over (a job's items: its worker's pace). */
      leaseMs?: number;
      /** How long the record is kept (a job's outcomes: as long as the job). */
      keepSeconds?: number;
    },
  ) {}

  async begin(key: Omit<IdempotencyLease, 'lease'>, fingerprint: string): Promise<IdempotencyBegin> {
    // The record that blocks the put comes back with its failure (ALL_OLD), read in the same step: no window in
    // which it could be released or expire between a refused put and a separate read. Should none come back
    // (it went in between), the put is simply tried again.
    for (let attempt = 1; ; attempt++) {
      const now = (this.options.now ?? Date.now)();
      const lease = randomUUID();
      try {
        await this.options.client.send(
          new PutCommand({
            TableName: this.options.profilesTable,
            Item: {
              ...keyOf(key),
              state: 'started',
              fingerprint,
              lease,
              leaseUntil: now + (this.options.leaseMs ?? LEASE_MS),
              expiresAt: Math.floor(now / 1000) + (this.options.keepSeconds ?? KEEP_SECONDS),
            },
            // A new key, or one whose last attempt was abandoned mid-way: resume it.
            ConditionExpression:
              'attribute_not_exists(pk) OR (#state = :started AND leaseUntil < :now AND fingerprint = :fingerprint)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':started': 'started', ':now': now, ':fingerprint': fingerprint },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { state: 'started', lease: { ...key, lease } };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) {
          // The put may have taken effect (a timeout): let go of the lease it would hold, or a retry waits it out.
          await this.release({ ...key, lease }).catch(() => undefined);
          throw error;
        }
        // The low-level client's exception carries the item as DynamoDB attribute values.
        const blocking = error.Item ? unmarshall(error.Item) : undefined;
        if (!blocking) {
          if (attempt < 3) continue;
          throw new RequestInProgress();
        }
        if (blocking.fingerprint !== fingerprint) throw new IdempotencyKeyReused();
        if (blocking.state === 'completed') return { state: 'completed', result: blocking.result ?? null };
        throw new RequestInProgress();
      }
    }
  }

  async release(lease: IdempotencyLease): Promise<void> {
    try {
      await this.options.client.send(
        new DeleteCommand({
          TableName: this.options.profilesTable,
          Key: keyOf(lease),
          ConditionExpression: '#state = :started AND lease = :lease',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':started': 'started', ':lease': lease.lease },
        }),
      );
    } catch (error) {
      // Completed after all (the write took effect), or taken over: either way not ours to release.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async complete(lease: IdempotencyLease, result: unknown): Promise<void> {
    // The same update a transaction carries elsewhere, alone: its condition still says the lease is ours.
    await this.options.client.send(
      new UpdateCommand(completionItem(this.options.profilesTable, lease, result).Update),
    );
  }
}

/** The transaction item that marks a lease completed with its result, if the lease is still ours. */
export function completionItem(profilesTable: string, lease: IdempotencyLease, result: unknown) {
  return {
    Update: {
      TableName: profilesTable,
      Key: keyOf(lease),
      UpdateExpression: 'SET #state = :completed, #result = :result REMOVE lease, leaseUntil',
      ConditionExpression: '#state = :started AND lease = :lease',
      ExpressionAttributeNames: { '#state': 'state', '#result': 'result' },
      ExpressionAttributeValues: {
        ':completed': 'completed',
        ':started': 'started',
        ':lease': lease.lease,
        ':result': result,
      },
    },
  };
}
