/**
 * Every `authlens` command as a subprocess (`node --conditions=authlens-source bin/authlens.js`):
 * success, bad flags (exit 2), missing settings (exit 1) and malformed ones (exit 2), always
 * with a one-line reason naming the flag or variable on stderr.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, requirePrometheus, services } from '../../../test/support/services.ts';
import { openDatabase } from '../src/store/index.ts';
import { startSmtp, type TempDb, tempPostgres } from './support/jobs-support.ts';

const bin = fileURLToPath(new URL('../bin/authlens.js', import.meta.url));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
  /** The last line on stderr (the reason on failure). */
  reason: string;
}

function cli(args: string[], env: Record<string, string> = {}, cwd = os.tmpdir()): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=authlens-source', '--no-warnings', bin, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        const lines = stderr.trim().split('\n');
        resolve({ code, stdout, stderr, reason: lines.at(-1) ?? '' });
      },
    );
  });
}

let dir: string;
let sqliteUrl: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-cli-'));
  sqliteUrl = `sqlite:${path.join(dir, 'store.db')}`;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('authlens', () => {
  it('prints help, and exits 2 without a command or with an unknown one', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: authlens <command>');
    for (const c of ['serve', 'update-metrics', 'export-dashboards', 'compliance-report']) {
      const r = await cli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout).toContain(`usage: authlens ${c}`);
    }
    expect((await cli([])).code).toBe(2);
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.reason).toBe("authlens: unknown command 'frobnicate' (try --help)");
  }, 60_000);
});

describe('authlens update-metrics', () => {
  let pgDb: TempDb;
  beforeAll(async () => {
    await requirePostgres();
    await requirePrometheus();
    pgDb = await tempPostgres('authlens_cli');
  });
  afterAll(async () => pgDb?.drop());

  it('runs health checks and cleanup, with progress, and records the runs (SQLite)', async () => {
    const r = await cli(['update-metrics', '--health-check', '--cleanup'], { ALERT_STORE_URL: sqliteUrl });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^run_system_health_checks: health pass/m);
    expect(r.stdout).toMatch(/^cleanup_monitoring_data: removed 0 KPI snapshots/m);
    expect(r.stderr).toContain('[1/2] system health checks …');
    expect(r.stderr).toContain('[2/2] monitoring data cleanup: done in');
    const db = openDatabase(sqliteUrl);
    const runs = await db.query<{ job: string; status: string }>(
      'SELECT job, status FROM job_runs ORDER BY id',
    );
    const health = await db.query('SELECT id FROM health_snapshots');
    await db.close();
    expect(runs).toEqual([
      { job: 'run_system_health_checks', status: 'succeeded' },
      { job: 'cleanup_monitoring_data', status: 'succeeded' },
    ]);
    expect(health).toHaveLength(1);
  }, 60_000);

  it('without flags runs all four against Prometheus and PostgreSQL', async () => {
    const r = await cli(['update-metrics'], {
      ALERT_STORE_URL: pgDb.url,
      PROMETHEUS_URL: services.prometheusUrl,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(':')[0]),
    ).toEqual([
      'update_daily_business_metrics',
      'update_monthly_business_metrics',
      'run_system_health_checks',
      'cleanup_monitoring_data',
    ]);
    const db = openDatabase(pgDb.url);
    const kinds = await db.query<{ kind: string; source: string }>(
      'SELECT kind, source FROM kpi_snapshots ORDER BY kind',
    );
    await db.close();
    expect(kinds).toEqual([
      { kind: 'business_daily', source: 'prometheus' },
      { kind: 'business_monthly', source: 'prometheus' },
    ]);
  }, 60_000);

  it('reports unhealthy findings and still exits 0', async () => {
    const r = await cli(['update-metrics', '--health-check', '--quiet'], {
      ALERT_STORE_URL: sqliteUrl,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      HEALTH_CHECK_TIMEOUT_SECONDS: '2',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/health fail .*failing: postgres/);
    expect(r.stderr).toBe('');
  }, 60_000);

  it('sends the digest with --job', async () => {
    const smtp = await startSmtp();
    try {
      const r = await cli(['update-metrics', '--job', 'send_monitoring_digest'], {
        ALERT_STORE_URL: sqliteUrl,
        MONITORING_DIGEST_RECIPIENTS: 'ops@example.com',
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0]?.raw).toContain('Health: pass');
    } finally {
      await smtp.close();
    }
  }, 60_000);

  it('exits 2 on bad flags and malformed settings, naming them', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['update-metrics', '--bogus'], {}, /Unknown option '--bogus'/],
      [['update-metrics', '--job', 'nope'], {}, /--job: unknown job 'nope'/],
      [
        ['update-metrics', '--cleanup'],
        { METRICS_RETENTION_DAYS: 'abc' },
        /METRICS_RETENTION_DAYS: 'abc' is not a positive integer/,
      ],
      [
        ['update-metrics', '--cleanup'],
        { ALERT_STORE_URL: 'mysql://x' },
        /ALERT_STORE_URL: must start with sqlite: or postgres:\/\//,
      ],
      [
        ['update-metrics', '--cleanup'],
        { ALERT_STORE_URL: sqliteUrl, SMTP_PORT: 'x', SMTP_HOST: 'h' },
        /SMTP_PORT: 'x' is not a port number/,
      ],
      [
        ['update-metrics', '--daily'],
        { PROMETHEUS_URL: 'not a url' },
        /PROMETHEUS_URL: 'not a url' is not an http\(s\) URL/,
      ],
    ];
    for (const [args, env, reason] of cases) {
      const r = await cli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.reason).toMatch(/^authlens update-metrics: /);
      expect(r.reason).toMatch(reason);
    }
  }, 60_000);

  it('exits 1 when a setting it needs is missing or the store is unreachable', async () => {
    const noProm = await cli(['update-metrics', '--daily'], { ALERT_STORE_URL: sqliteUrl });
    expect(noProm.code).toBe(1);
    expect(noProm.reason).toMatch(/PROMETHEUS_URL: is not set/);
    const noRecipients = await cli(['update-metrics', '--job', 'send_monitoring_digest'], {
      ALERT_STORE_URL: sqliteUrl,
    });
    expect(noRecipients.code).toBe(1);
    expect(noRecipients.reason).toMatch(
      /1 of 1 jobs failed; send_monitoring_digest: MONITORING_DIGEST_RECIPIENTS: is not set/,
    );
    const down = await cli(['update-metrics', '--cleanup'], {
      ALERT_STORE_URL: 'postgres://authlens@127.0.0.1:1/x',
    });
    expect(down.code).toBe(1);
    expect(down.reason).toMatch(/ALERT_STORE_URL: cannot open the store/);
  }, 60_000);
});

describe('authlens export-dashboards', () => {
  it('lists, exports all or one, and rejects bad usage', async () => {
    const list = await cli(['export-dashboards']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ {2}system_overview +authlens \/ System Overview/m);

    const all = path.join(dir, 'all');
    const r = await cli(['export-dashboards', '--all', '--output-dir', all]);
    expect(r.code).toBe(0);
    const files = readdirSync(all).sort();
    expect(files).toContain('system_overview.json');
    expect(files.length).toBe(list.stdout.trim().split('\n').length - 1);
    expect(JSON.parse(readFileSync(path.join(all, 'security_monitoring.json'), 'utf8')).title).toBe(
      'authlens / Security Monitoring',
    );

    const one = await cli(['export-dashboards', '--dashboard', 'system_overview'], {}, dir);
    expect(one.code).toBe(0);
    expect(existsSync(path.join(dir, 'grafana-dashboards', 'system_overview.json'))).toBe(true);
    expect(readdirSync(path.join(dir, 'grafana-dashboards'))).toEqual(['system_overview.json']);

    const bad: Array<[string[], RegExp]> = [
      [
        ['export-dashboards', '--dashboard', 'nope'],
        /--dashboard: unknown dashboard 'nope' \(known: system_overview/,
      ],
      [['export-dashboards', '--output-dir', all], /--output-dir needs --all or --dashboard NAME/],
      [['export-dashboards', '--all', '--dashboard', 'logs'], /either --all or --dashboard/],
      [['export-dashboards', '--dashboard'], /--dashboard/],
    ];
    for (const [args, reason] of bad) {
      const b = await cli(args);
      expect(b.code, args.join(' ')).toBe(2);
      expect(b.reason).toMatch(reason);
    }
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    const unwritable = await cli(['export-dashboards', '--all', '--output-dir', path.join(file, 'sub')]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.reason).toMatch(/--output-dir: cannot write to/);
  }, 60_000);
});

describe('authlens compliance-report', () => {
  beforeAll(async () => requirePrometheus());

  it('prints JSON and CSV from Prometheus', async () => {
    const env = { PROMETHEUS_URL: services.prometheusUrl };
    const json = await cli(['compliance-report', '--period', '7d'], env);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ period: '7d', source: 'prometheus' });
    expect(report.regulations.map((r: { regulation: string }) => r.regulation)).toEqual(['gdpr', 'ccpa']);
    expect(typeof report.compliant).toBe('boolean');
    const csv = await cli(['compliance-report', '--period', '7d', '--format', 'csv'], env);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe('section,regulation,item,status,value');
    // The CSV tells the same verdict as the JSON, and has a row per regulation.
    expect(csv.stdout).toMatch(new RegExp(`^compliant,,,,${report.compliant}$`, 'm'));
    for (const r of report.regulations as { regulation: string }[]) {
      expect(csv.stdout).toMatch(new RegExp(`^overdue,${r.regulation},,,\\d+$`, 'm'));
    }
    const out = path.join(dir, 'report.csv');
    const toFile = await cli(
      ['compliance-report', '--period', '7d', '--format', 'csv', '--output', out],
      env,
    );
    expect(toFile.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(csv.stdout);
  }, 60_000);

  it('rejects bad values (2) and missing or unreachable Prometheus (1)', async () => {
    const env = { PROMETHEUS_URL: services.prometheusUrl };
    const cases: Array<[string[], Record<string, string>, number, RegExp]> = [
      [['compliance-report', '--format', 'xml'], env, 2, /--format: 'xml' is not json or csv/],
      [['compliance-report', '--period', '2y'], env, 2, /--period: '2y' is not one of 1h, 6h, 24h, 7d, 30d/],
      [['compliance-report', '--verbose'], env, 2, /Unknown option '--verbose'/],
      [
        ['compliance-report'],
        { PROMETHEUS_URL: 'ftp://x' },
        2,
        /PROMETHEUS_URL: 'ftp:\/\/x' is not an http\(s\) URL/,
      ],
      [['compliance-report'], {}, 1, /PROMETHEUS_URL: is not set/],
      [
        ['compliance-report'],
        { PROMETHEUS_URL: 'http://127.0.0.1:1' },
        1,
        /PROMETHEUS_URL: Prometheus query failed/,
      ],
    ];
    for (const [args, e, code, reason] of cases) {
      const r = await cli(args, e);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.reason).toMatch(/^authlens compliance-report: /);
      expect(r.reason).toMatch(reason);
    }
  }, 60_000);
});
