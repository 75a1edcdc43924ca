// History, newest first, a page at a time: who did what, when, and each field's value before and after.
import { useState } from 'react';
import type { HistoryEntry } from '#console/api/client.ts';
import { Link, paths } from '#console/app/router.tsx';
import { useAuth } from '#console/auth/auth-context.tsx';
import { ProblemAlert } from '#console/components/problem-alert.tsx';
import { useHistory } from '#console/features/users/queries.ts';

const show = (value: unknown) =>
  value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);

/** A user's history (userId), or the whole tenant's. */
export function HistoryList({ userId }: { userId?: string }) {
  const { tenant } = useAuth();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const history = useHistory(userId, cursors[cursors.length - 1]);
  const items = history.data?.items ?? [];
  return (
    <div className="history">
      <ProblemAlert error={history.error} />
      {history.isPending && <p role="status">Loading history…</p>}
      {!history.isPending && items.length === 0 && <p>No changes recorded.</p>}
      <ol className="history-list">
        {items.map((entry) => (
          <li key={entry.id}>
            <p>
              <strong>{entry.action}</strong> by {entry.actor.name},{' '}
              <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
              {!userId && (
                <>
                  {' '}
                  · <Link href={paths.user(tenant.id, entry.userId)}>the user</Link>
                </>
              )}
            </p>
            <Changes entry={entry} />
          </li>
        ))}
      </ol>
      <nav aria-label="History pages" className="pager">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button
          type="button"
          disabled={!history.data?.next}
          onClick={() => history.data?.next && setCursors([...cursors, history.data.next])}
        >
          Older
        </button>
      </nav>
    </div>
  );
}

function Changes({ entry }: { entry: HistoryEntry }) {
  const fields = Object.entries(entry.changes);
  if (fields.length === 0) return null;
  return (
    <div className="table-wrap">
      <table className="changes">
        <caption className="sr-only">
          Changes of {entry.action} at {new Date(entry.at).toLocaleString()}
        </caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {fields.map(([field, change]) => (
            <tr key={field}>
              <th scope="row">{field}</th>
              <td>{show(change.before)}</td>
              <td>{show(change.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function HistoryPage() {
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <HistoryList />
    </section>
  );
}
