// A failed request, in words: the problem's title and detail, plus any field issue no form field shows.
import { ApiError } from '#console/api/client.ts';

export function ProblemAlert({ error, shownFields = [] }: { error: unknown; shownFields?: string[] }) {
  if (!error) return null;
  if (!(error instanceof ApiError)) {
    return (
      <div role="alert" className="alert">
        {error instanceof Error ? error.message : 'Something went wrong.'}
      </div>
    );
  }
  const { problem } = error;
  const others = (problem.errors ?? []).filter(
    (issue) => !shownFields.includes(issue.field.replace(/^(body|query|params)\./, '')),
  );
  return (
    <div role="alert" className="alert">
      <strong>{problem.title}.</strong> {problem.detail}
      {others.length > 0 && (
        <ul>
          {others.map((issue) => (
            <li key={issue.field}>
              {issue.field.replace(/^(body|query|params)\./, '')}: {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
