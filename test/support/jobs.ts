// Test helpers for jobs, as a client would use them: wait for a job to end, read every outcome, write a CSV.
import { randomUUID } from 'node:crypto';
import type { Environment } from '#local/runtime.ts';
import { api } from './offline.ts';

export interface JobBody {
  id: string;
  action: string;
  state: 'queued' | 'running' | 'completed' | 'cancelled';
  total: number;
  done: number;
  failed: number;
  left: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface OutcomeBody {
  item: number;
  userId?: string;
  outcome: 'done' | 'failed';
  problem?: { status: number; title: string; detail?: string; errors?: { field: string; message: string }[] };
}

/** Polls the job until it has ended (completed or cancelled). */
export async function jobEnded(env: Environment, token: string, jobId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const read = await api<JobBody>(env, 'GET', `/jobs/${jobId}`, { token });
    if (read.status !== 200) throw new Error(`GET /jobs/${jobId} answered ${read.status}`);
    if (read.body.state === 'completed' || read.body.state === 'cancelled') return read.body;
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} still ${read.body.state}: ${JSON.stringify(read.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every outcome of a job, page by page. */
export async function allOutcomes(env: Environment, token: string, jobId: string): Promise<OutcomeBody[]> {
  const outcomes: OutcomeBody[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<{ items: OutcomeBody[]; next?: string }>(
      env,
      'GET',
      `/jobs/${jobId}/results?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    if (page.status !== 200) throw new Error(`results answered ${page.status}`);
    outcomes.push(...page.body.items);
    cursor = page.body.next;
  } while (cursor);
  return outcomes;
}

/** A CSV of `count` new people (first, last name and a unique email), with a tag in their last names. */
export function peopleCsv(count: number, tag = randomUUID().slice(0, 8)): string {
  const rows = Array.from({ length: count }, (_, i) => `Ada,Import-${tag}-${i},ada.${tag}.${i}@example.com`);
  return ['firstName,lastName,email', ...rows].join('\r\n');
}

/** Imports a CSV as a job and waits for it: the created users' ids, in row order. */
export async function importedUsers(
  env: Environment,
  token: string,
  csv: string,
  options: { activate?: boolean } = {},
): Promise<string[]> {
  const started = await api<JobBody>(
    env,
    'POST',
    `/users/import${options.activate ? '?activate=true' : ''}`,
    {
      token,
      rawBody: csv,
      headers: { 'content-type': 'text/csv' },
    },
  );
  if (started.status !== 202)
    throw new Error(`import answered ${started.status}: ${JSON.stringify(started.body)}`);
  const job = await jobEnded(env, token, started.body.id, 600_000);
  if (job.failed > 0) throw new Error(`import had ${job.failed} failures`);
  const outcomes = await allOutcomes(env, token, job.id);
  return outcomes.map((o) => o.userId as string);
}
