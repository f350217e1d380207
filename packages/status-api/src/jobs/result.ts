/** What every job returns (kept apart from `tasks.ts` so `digest.ts` can name it without a cycle). */
export interface JobResult {
  /** One line for logs and the CLI. */
  summary: string;
  details?: Record<string, unknown>;
}
