/**
 * Tables of the scheduled jobs, beside the alert tables in the same store (`ALERT_STORE_URL`).
 * Versions start at 1001 so they never collide with the alert store's (1, 2, …), which share
 * the `alert_schema_migrations` record and its advisory lock. Never edit a released version.
 */
import type { Migration } from '../store/index.ts';

export const jobMigrations: readonly Migration[] = [
  {
    version: 1001,
    name: 'jobs: runs, KPI snapshots, health snapshots',
    statements: [
      `CREATE TABLE job_runs (
        id {{id}},
        run_key TEXT NOT NULL UNIQUE,
        job TEXT NOT NULL,
        slot BIGINT NOT NULL,
        trigger TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 1,
        owner TEXT NOT NULL,
        lease_until BIGINT NOT NULL,
        next_attempt_at BIGINT,
        started_at BIGINT NOT NULL,
        finished_at BIGINT,
        duration_ms INTEGER,
        error TEXT,
        result TEXT,
        created_at BIGINT NOT NULL
      )`,
      'CREATE INDEX job_runs_job_started ON job_runs (job, started_at)',
      'CREATE INDEX job_runs_status ON job_runs (status, next_attempt_at)',
      `CREATE TABLE kpi_snapshots (
        id {{id}},
        kind TEXT NOT NULL,
        period_start BIGINT NOT NULL,
        period TEXT NOT NULL,
        source TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        UNIQUE (kind, period_start)
      )`,
      'CREATE INDEX kpi_snapshots_updated ON kpi_snapshots (updated_at)',
      `CREATE TABLE health_snapshots (
        id {{id}},
        at BIGINT NOT NULL,
        status TEXT NOT NULL,
        score INTEGER NOT NULL,
        checks TEXT NOT NULL
      )`,
      'CREATE INDEX health_snapshots_at ON health_snapshots (at)',
    ],
  },
];
