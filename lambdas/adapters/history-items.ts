// How a history entry is written: under its subject's partition, newest-first by time, and on the tenant's index.
import type { HistoryEntry } from '#domain/history.ts';

export function historyPut(historyTable: string, tenantId: string, entry: HistoryEntry) {
  return {
    Put: {
      TableName: historyTable,
      Item: {
        pk: `${tenantId}#${entry.userId}`,
        sk: `${entry.at}#${entry.id}`,
        tenantPk: tenantId,
        ...entry,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
