// The ports of jobs: where jobs, their work and their outcomes are kept.
import type { Job, JobOutcome } from '#domain/job.ts';
import type { Page } from './ports.ts';

/** A stored chunk of a job's work: user ids or import rows, and whether its outcomes are counted. */
export interface JobChunk {
  index: number;
  items: unknown[];
  settled: boolean;
}

/** What the job routes do with jobs: start one with its work, read them and their outcomes, cancel one. */
export interface JobStore {
  /** Stores the job with its work, then lists it as active for the worker. */
  create(job: Job, chunks: unknown[][]): Promise<void>;
  get(tenantId: string, jobId: string): Promise<Job | undefined>;
  /** The tenant's jobs, newest first. */
  list(tenantId: string, page: { limit: number; cursor?: string }): Promise<Page<Job>>;
  /** queued or running → cancelled; throws JobFinished when it already ended. */
  cancel(tenantId: string, jobId: string, at: string): Promise<Job>;
  /** The items' outcomes, in item order. `from`/`to` bound the item indexes (to settle a chunk). */
  outcomes(
    tenantId: string,
    jobId: string,
    page: { limit: number; cursor?: string; from?: number; to?: number },
  ): Promise<Page<JobOutcome>>;
}

/** What the job worker does with them: runs the active ones chunk by chunk; it reads and cancels as the routes do. */
export interface JobWork extends Pick<JobStore, 'get' | 'cancel' | 'outcomes'> {
  /** Every tenant's jobs that are queued or running, oldest first. */
  active(): Promise<{ tenantId: string; jobId: string }[]>;
  chunk(tenantId: string, jobId: string, index: number): Promise<JobChunk>;
  /** queued → running, with its start time; a no-op once running. */
  start(job: Job, at: string): Promise<void>;
  /**
   * Counts a chunk's outcomes into the job once (the chunk is marked settled in the same transaction); the job
   * completes when nothing is left. Answers the job as it is now.
   */
  settle(job: Job, chunk: number, counts: { done: number; failed: number }, at: string): Promise<Job>;
}
