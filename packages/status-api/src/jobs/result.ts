/** What every job returns (kept apart from `tasks.ts` so the job files can name it without a cycle). */
export interface JobResult {
  /** One line for logs and the CLI. */
  summary: string;
  details?: Record<string, unknown>;
}

/** How a run was started. */
export interface JobContext {
  /** The schedule slot a scheduled run belongs to (retries keep it); absent for a manual run. */
  slot?: Date;
}
