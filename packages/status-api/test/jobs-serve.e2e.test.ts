/**
 * Two `authlens serve` processes on one PostgreSQL: every scheduled job runs, and each
 * (job, slot) runs exactly once across both, and both ran some; the digest e-mails match the
 * digest runs; the job-queue health check passes; SIGTERM stops each cleanly (exit 0). Also:
 * `serve` on SQLite, `--no-scheduler`, and its failures: malformed settings and unknown flags
 * (exit 2), an unreachable store (exit 1), each with a one-line reason naming the setting or flag.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, requirePrometheus, services } from '../../../test/support/services.ts';
import { listRuns } from '../src/jobs/scheduler.ts';
import { JOB_NAMES } from '../src/jobs/tasks.ts';
import { openDatabase } from '../src/store/index.ts';
import { eventually, startSmtp, type TempDb, tempPostgres } from './support/jobs-support.ts';

const bin = fileURLToPath(new URL('../bin/authlens.js', import.meta.url));
const key = 'serve-read-key-0123456789';

interface Serve {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: string;
  address: Promise<string>;
  exited: Promise<number | null>;
}

function serve(env: Record<string, string>, args: string[] = []): Serve {
  const child = spawn(
    process.execPath,
    ['--conditions=authlens-source', '--no-warnings', bin, 'serve', ...args],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: os.tmpdir(),
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        // serve starts the SDK's scrape port: a free one, so parallel servers never collide
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        MONITORING_API_KEYS: `ops:${key}:read`,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const s: Serve = {
    child,
    lines: [],
    stderr: '',
    address: new Promise<string>(() => undefined),
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  s.address = new Promise((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          s.lines.push(entry);
          if (entry.message === 'authlens serve listening') resolve(String(entry.address));
        } catch {
          // Not JSON: ignore.
        }
        nl = buf.indexOf('\n');
      }
    });
    child.stderr?.on('data', (c: Buffer) => {
      s.stderr += c.toString();
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${s.stderr}`)));
  });
  s.address.catch(() => undefined); // tests that expect an exit never await the address
  return s;
}

describe('authlens serve: two replicas on one PostgreSQL', () => {
  let temp: TempDb;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const procs: Serve[] = [];

  beforeAll(async () => {
    await requirePostgres();
    await requirePrometheus();
    temp = await tempPostgres('authlens_serve');
    smtp = await startSmtp();
  });

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await smtp?.close();
    await temp?.drop();
  });

  it('runs each scheduled job once per slot across both', async () => {
    const env = {
      ALERT_STORE_URL: temp.url,
      PROMETHEUS_URL: services.prometheusUrl,
      AUTHLENS_JOBS_SCHEDULE: '*=2s',
      AUTHLENS_JOBS_TICK_MS: '100',
      MONITORING_DIGEST_RECIPIENTS: 'ops@example.com',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    };
    procs.push(serve(env), serve(env));
    const [a, b] = procs as [Serve, Serve];
    const [addrA] = await Promise.all([a.address, b.address]);

    // Wait until every job has finished at least three slots.
    const db = openDatabase(temp.url);
    try {
      await eventually(async () => {
        const rows = await db.query<{ job: string; n: number | string }>(
          `SELECT job, COUNT(*) AS n FROM job_runs WHERE status = 'succeeded' GROUP BY job`,
        );
        return rows.length === JOB_NAMES.length && rows.every((r) => Number(r.n) >= 3);
      }, 30_000);

      const health = await fetch(`${addrA}/monitoring/health/detailed/`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const body = (await health.json()) as { checks: Record<string, Array<{ status: string }>> };
      // Every job has succeeded and none failed: the job-queue check passes.
      const jobChecks = Object.entries(body.checks).filter(([k]) => k.startsWith('jobs'));
      expect(jobChecks.length).toBeGreaterThan(0);
      for (const [name, entries] of jobChecks) {
        expect(
          entries.map((e) => e.status),
          name,
        ).toEqual(entries.map(() => 'pass'));
      }

      a.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect(await a.exited).toBe(0);
      expect(await b.exited).toBe(0);

      const runs = await listRuns(db, undefined, 10_000);
      const started = [...a.lines, ...b.lines].filter((l) => l.message === 'job started');
      const keys = started.map((l) => `${l.job}@${l.slot}#${l.attempt}`);
      expect(new Set(keys).size).toBe(keys.length); // no (job, slot, attempt) started twice
      expect(started.length).toBe(runs.reduce((n, r) => n + r.attempts, 0));
      for (const job of JOB_NAMES) {
        const mine = runs.filter((r) => r.job === job);
        expect(mine.length, job).toBeGreaterThanOrEqual(3);
        expect(new Set(mine.map((r) => r.slot.getTime())).size).toBe(mine.length);
      }
      expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);
      const digests = runs.filter((r) => r.job === 'send_monitoring_digest').length;
      expect(smtp.mails.length).toBe(digests);
      // Both replicas ran jobs. Who wins each slot is a race, but over this many slots (at least
      // three per job) one replica winning every one would mean the other never competed.
      // Owners are `<hostname>:<pid>:<random>`: map them back to the two processes.
      const owners = new Set(runs.map((r) => r.owner));
      console.info(
        `job runs by replica: ${[...owners].map((o) => `${o}=${runs.filter((r) => r.owner === o).length}`).join(', ')}`,
      );
      const ownerPids = new Set([...owners].map((o) => Number(o.split(':')[1])));
      expect([...ownerPids].sort()).toEqual([a.child.pid, b.child.pid].sort());
    } finally {
      await db.close();
    }
  }, 60_000);
});

describe('authlens serve on SQLite', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-serve-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves, runs the scheduler in-process and stops on SIGTERM', async () => {
    const s = serve({
      ALERT_STORE_URL: `sqlite:${path.join(dir, 'store.db')}`,
      AUTHLENS_JOBS_SCHEDULE: '*=off,run_system_health_checks=1s',
      AUTHLENS_JOBS_TICK_MS: '100',
    });
    try {
      const address = await s.address;
      const res = await fetch(`${address}/monitoring/health/`);
      expect(res.status).toBe(200);
      await eventually(
        async () =>
          s.lines.some(
            (l) =>
              l.message === 'job finished' &&
              l.job === 'run_system_health_checks' &&
              l.status === 'succeeded',
          ),
        15_000,
      );
      expect(s.lines.some((l) => l.message === 'job started' && l.job !== 'run_system_health_checks')).toBe(
        false,
      );
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    } finally {
      if (s.child.exitCode === null) s.child.kill('SIGKILL');
    }
  }, 30_000);

  it('exits 2 naming a malformed setting', async () => {
    for (const [env, reason] of [
      [{ PORT: 'eighty' }, /PORT: 'eighty' is not a port number/],
      [{ AUTHLENS_JOBS_SCHEDULE: 'digest=1m' }, /AUTHLENS_JOBS_SCHEDULE: unknown job 'digest'/],
      [
        { AUTHLENS_JOBS_ENABLED: 'maybe' },
        /AUTHLENS_JOBS_ENABLED: 'maybe' is not a boolean \(true, false, 1, 0, yes, no, on, off\)$/,
      ],
    ] as const) {
      const s = serve({ ALERT_STORE_URL: `sqlite:${path.join(dir, 'bad.db')}`, ...env });
      expect(await s.exited).toBe(2);
      expect(s.stderr.trim().split('\n').at(-1)).toMatch(reason);
    }
  }, 30_000);

  it('exits 2 naming an unknown flag', async () => {
    const s = serve({ ALERT_STORE_URL: `sqlite:${path.join(dir, 'bad.db')}` }, ['--bogus']);
    expect(await s.exited).toBe(2);
    expect(s.stderr.trim().split('\n').at(-1)).toMatch(/^authlens serve: .*'--bogus'/);
  }, 30_000);

  it('exits 1 with a one-line reason naming ALERT_STORE_URL when the store is unreachable', async () => {
    const s = serve({ ALERT_STORE_URL: 'postgres://authlens:x@127.0.0.1:1/x' });
    expect(await s.exited).toBe(1);
    expect(s.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^authlens serve: ALERT_STORE_URL: cannot open the store \(.*ECONNREFUSED/),
    ]);
    expect(s.stderr).not.toContain('authlens:x@'); // the password stays out of the message
  }, 30_000);

  it('--no-scheduler serves the API and runs no job', async () => {
    const store = path.join(dir, 'no-scheduler.db');
    const s = serve(
      { ALERT_STORE_URL: `sqlite:${store}`, AUTHLENS_JOBS_SCHEDULE: '*=1s', AUTHLENS_JOBS_TICK_MS: '100' },
      ['--no-scheduler'],
    );
    try {
      const address = await s.address;
      expect(s.lines.find((l) => l.message === 'authlens serve listening')?.scheduler).toBe('off');
      expect((await fetch(`${address}/monitoring/health/`)).status).toBe(200);
      // Every job is due every second: with the scheduler on, some would start within 2.5 s.
      await new Promise((r) => setTimeout(r, 2500));
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      expect(s.lines.filter((l) => l.message === 'job started')).toEqual([]);
      const db = openDatabase(`sqlite:${store}`);
      try {
        expect(await db.query('SELECT id FROM job_runs')).toEqual([]);
      } finally {
        await db.close();
      }
    } finally {
      if (s.child.exitCode === null) s.child.kill('SIGKILL');
    }
  }, 30_000);
});
