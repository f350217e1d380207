/**
 * The `authlens` command line: `serve`, `update-metrics`, `export-dashboards`,
 * `compliance-report`. Exit status: 0 the command did its work (unhealthy findings included),
 * 1 it could not do its work, 2 bad usage (unknown flag, bad value, malformed setting); on
 * failure the last line on stderr is one line saying why. Progress goes to stderr, results to stdout.
 */
import { writeFile } from 'node:fs/promises';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { AuthlensError, ERROR_CODES, type ErrorCode, start as startTelemetry } from '@authlens/sdk';
import { errorCode } from '@authlens/sdk/internal';
import { MissingSettingError, resolveJobSettings } from './jobs/config.ts';
import { createJobRuntime, type JobRuntime, type JobRuntimeOptions } from './jobs/runtime.ts';
import { createScheduler, jobsHealthCheck, runJobNow } from './jobs/scheduler.ts';
import { JOB_NAMES, type JobDefinition, type JobName, jobDefinitions } from './jobs/tasks.ts';
import { complianceCsv, complianceReport } from './metrics/reports.ts';
import {
  createPrometheusBackend,
  createSdkBackend,
  type Period,
  periods,
  sdkMetricsSource,
} from './metrics/source.ts';
import { buildServer } from './server.ts';
import { readSettings } from './settings.ts';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Resolves when the process is asked to stop (`serve`); default SIGINT/SIGTERM. */
  stopSignal?: () => Promise<string>;
}

/** Bad usage (`usage`): exit 2. */
class UsageError extends AuthlensError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/** An error of ours (any copy of any authlens package): its code is in the table. */
const ownCode = (err: unknown): ErrorCode | undefined => {
  const code = errorCode(err);
  return code !== undefined && Object.hasOwn(ERROR_CODES, code) ? (code as ErrorCode) : undefined;
};

const usage = `usage: authlens <command> [options]

commands:
  serve               run the standalone monitoring API (port $PORT, default 8000) and the job scheduler
  update-metrics      run the monitoring jobs once (KPI snapshots, health checks, cleanup, …)
  export-dashboards   list or export the Grafana dashboards
  compliance-report   print the GDPR/CCPA compliance report

Run 'authlens <command> --help' for the options of a command.
`;

const help: Record<string, string> = {
  serve: `usage: authlens serve [--no-scheduler]

Runs the monitoring API under /monitoring on $HOST:$PORT (default 0.0.0.0:8000) and the job
scheduler. With ALERT_STORE_URL=postgres://… several replicas run each scheduled job once.

options:
  --no-scheduler   serve the API only (also AUTHLENS_JOBS_ENABLED=false)
  -h, --help       show this help

environment: PORT, HOST, ALERT_STORE_URL, AUTHLENS_JOBS_SCHEDULE (e.g. '*=off,run_system_health_checks=5m'),
AUTHLENS_JOBS_TICK_MS, PROMETHEUS_URL, MONITORING_API_KEYS, MONITORING_DIGEST_RECIPIENTS, SMTP_URL, …
(see docs/jobs.md)
`,
  'update-metrics': `usage: authlens update-metrics [--daily] [--monthly] [--health-check] [--cleanup] [--job NAME]…

Runs monitoring jobs once and records each run. Without options: --daily --monthly --health-check --cleanup.

options:
  --daily          store today's business KPI snapshot so far (needs PROMETHEUS_URL)
  --monthly        store this month's business KPI snapshot so far (needs PROMETHEUS_URL)
  --health-check   run every health check, store the result, raise/resolve alerts
  --cleanup        delete data older than METRICS_RETENTION_DAYS / ALERT_HISTORY_RETENTION_DAYS
  --job NAME       run any job by name (repeatable): ${JOB_NAMES.join(', ')}
  -q, --quiet      no progress lines on stderr
  -h, --help       show this help
`,
  'export-dashboards': `usage: authlens export-dashboards [--all | --dashboard NAME…] [--output-dir DIR]

Without options, lists the dashboards. With --all or --dashboard, writes <DIR>/<name>.json.

options:
  --all              export every dashboard
  --dashboard NAME   export this dashboard (repeatable)
  --output-dir DIR   where to write (default ./grafana-dashboards)
  -h, --help         show this help
`,
  'compliance-report': `usage: authlens compliance-report [--format json|csv] [--period 30d] [--output FILE]

Prints the GDPR/CCPA compliance report (DSR deadlines, audit events, consent, retention)
computed from Prometheus (PROMETHEUS_URL).

options:
  --format json|csv   output format (default json)
  --period P          one of ${periods.join(', ')} (default 30d)
  --output FILE       write to FILE instead of stdout
  -h, --help          show this help
`,
};

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/**
 * Maps an error to its exit status and the one-line reason, by the error's `code` alone (a second
 * copy of a package, or a plain object with a code, maps the same): the code table's exit status
 * for authlens codes, 2 for Node's argument-parser errors, 1 for anything else.
 */
export function classify(err: unknown): { code: 1 | 2; reason: string } {
  const message =
    typeof (err as { message?: unknown })?.message === 'string'
      ? (err as { message: string }).message
      : String(err);
  const code = errorCode(err);
  if (code === 'metrics_unavailable') {
    return {
      code: 1,
      reason: 'PROMETHEUS_URL: is not set, and no in-process metrics are running (set PROMETHEUS_URL)',
    };
  }
  if (code === 'metrics_source_failed') {
    const cause = (err as { cause?: unknown }).cause;
    return {
      code: 1,
      reason: `PROMETHEUS_URL: ${message}${cause instanceof Error ? ` (${cause.message})` : ''}`,
    };
  }
  if (code?.startsWith('ERR_PARSE_ARGS')) return { code: 2, reason: message };
  const own = ownCode(err);
  return { code: own === undefined ? 1 : ERROR_CODES[own].exitStatus, reason: message };
}

const helpOption = { help: { type: 'boolean', short: 'h' } } as const;

function parse<T extends ParseArgsOptionsConfig>(argv: string[], options: T) {
  return parseArgs({
    args: argv,
    options: { ...options, ...helpOption } as T & typeof helpOption,
    strict: true,
    allowPositionals: false,
  });
}

async function openRuntime(
  io: CliIo,
  quiet: boolean,
  alertWorkers = false,
  extra: Pick<JobRuntimeOptions, 'kpis'> = {},
): Promise<JobRuntime> {
  try {
    return await createJobRuntime({
      ...extra,
      env: io.env,
      alertWorkers,
      progress: quiet ? () => undefined : (line) => io.stderr(`${line}\n`),
    });
  } catch (err) {
    if (ownCode(err) !== undefined) throw err;
    throw new Error(
      `ALERT_STORE_URL: cannot open the store (${err instanceof Error ? err.message : String(err)})`,
      {
        cause: err,
      },
    );
  }
}

/** `authlens update-metrics`: runs jobs now, in this process (docs/cli.md). */

async function updateMetrics(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    daily: { type: 'boolean' },
    monthly: { type: 'boolean' },
    'health-check': { type: 'boolean' },
    cleanup: { type: 'boolean' },
    job: { type: 'string', multiple: true },
    quiet: { type: 'boolean', short: 'q' },
  });
  if (values.help) {
    io.stdout(help['update-metrics'] as string);
    return 0;
  }
  const selected: JobName[] = [];
  if (values.daily) selected.push('update_daily_business_metrics');
  if (values.monthly) selected.push('update_monthly_business_metrics');
  if (values['health-check']) selected.push('run_system_health_checks');
  if (values.cleanup) selected.push('cleanup_monitoring_data');
  for (const name of (values.job as string[] | undefined) ?? []) {
    if (!(JOB_NAMES as readonly string[]).includes(name))
      throw new UsageError(`--job: unknown job '${name}' (known: ${JOB_NAMES.join(', ')})`);
    if (!selected.includes(name as JobName)) selected.push(name as JobName);
  }
  if (selected.length === 0)
    selected.push(
      'update_daily_business_metrics',
      'update_monthly_business_metrics',
      'run_system_health_checks',
      'cleanup_monitoring_data',
    );
  const quiet = values.quiet === true;
  const settings = resolveJobSettings(io.env);
  const defs = jobDefinitions();
  // The CLI process has no in-process metrics of its own: KPI jobs read Prometheus.
  if (!settings.prometheusUrl && !sdkMetricsSource()) {
    const needing = selected.filter((n) => defs[n].needsMetrics);
    if (needing.length > 0)
      throw new MissingSettingError(
        'PROMETHEUS_URL',
        `is not set; ${needing.join(', ')} read KPIs from Prometheus`,
      );
  }
  const rt = await openRuntime(io, quiet);
  const failures: string[] = [];
  try {
    for (const [i, name] of selected.entries()) {
      const def: JobDefinition = defs[name];
      const step = `[${i + 1}/${selected.length}] ${def.title}`;
      if (!quiet) io.stderr(`${step} …\n`);
      const started = performance.now();
      try {
        const result = await runJobNow(rt, def);
        const ms = Math.round(performance.now() - started);
        if (!quiet) io.stderr(`${step}: done in ${ms} ms\n`);
        io.stdout(`${name}: ${result.summary}\n`);
      } catch (err) {
        const { reason } = classify(err);
        if (!quiet) io.stderr(`${step}: failed: ${oneLine(reason)}\n`);
        io.stdout(`${name}: FAILED: ${oneLine(reason)}\n`);
        failures.push(`${name}: ${oneLine(reason)}`);
      }
    }
  } finally {
    await rt.close();
  }
  if (failures.length > 0) {
    io.stderr(`authlens: ${failures.length} of ${selected.length} jobs failed; ${failures[0]}\n`);
    return 1;
  }
  return 0;
}

/** `authlens export-dashboards`: lists the dashboards, or writes their Grafana JSON (docs/cli.md). */

async function exportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    all: { type: 'boolean' },
    dashboard: { type: 'string', multiple: true },
    'output-dir': { type: 'string' },
  });
  if (values.help) {
    io.stdout(help['export-dashboards'] as string);
    return 0;
  }
  // Loaded here, not at start: the dashboard builders (Grafana's SDK, YAML) are the largest
  // modules of the CLI and `serve` never needs them (docs/benchmarks.md, "Alert ingest").
  const { exportDashboards, listDashboards } = await import('@authlens/dashboards');
  const names = (values.dashboard as string[] | undefined) ?? [];
  const outputDir = values['output-dir'] as string | undefined;
  if (values.all && names.length > 0) throw new UsageError('give either --all or --dashboard, not both');
  if (!values.all && names.length === 0) {
    if (outputDir !== undefined) throw new UsageError('--output-dir needs --all or --dashboard NAME');
    const list = listDashboards();
    const width = Math.max(...list.map((d) => d.name.length));
    io.stdout('available dashboards:\n');
    for (const d of list) io.stdout(`  ${d.name.padEnd(width)}  ${d.title} — ${d.description}\n`);
    return 0;
  }
  if (outputDir === '') throw new UsageError('--output-dir must not be empty');
  const known = new Set(listDashboards().map((d) => d.name));
  for (const n of names) {
    if (!known.has(n))
      throw new UsageError(`--dashboard: unknown dashboard '${n}' (known: ${[...known].join(', ')})`);
  }
  const dir = outputDir ?? './grafana-dashboards';
  let written: string[];
  try {
    written = values.all
      ? await exportDashboards({ all: true, outputDir: dir })
      : await exportDashboards({ names, outputDir: dir });
  } catch (err) {
    if (ownCode(err) !== undefined) throw err;
    throw new Error(
      `--output-dir: cannot write to ${dir} (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  for (const file of written) io.stdout(`${file}\n`);
  io.stderr(`exported ${written.length} dashboard${written.length === 1 ? '' : 's'} to ${dir}\n`);
  return 0;
}

/** `authlens compliance-report`: prints the compliance report as JSON or CSV (docs/cli.md). */

async function complianceCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    format: { type: 'string' },
    period: { type: 'string' },
    output: { type: 'string' },
  });
  if (values.help) {
    io.stdout(help['compliance-report'] as string);
    return 0;
  }
  const format = (values.format as string | undefined) ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new UsageError(`--format: '${format}' is not json or csv`);
  const period = (values.period as string | undefined) ?? '30d';
  if (!(periods as readonly string[]).includes(period))
    throw new UsageError(`--period: '${period}' is not one of ${periods.join(', ')}`);
  const settings = resolveJobSettings(io.env);
  const source = sdkMetricsSource();
  if (!settings.prometheusUrl && !source)
    throw new MissingSettingError('PROMETHEUS_URL', 'is not set; the compliance report reads Prometheus');
  const backend = settings.prometheusUrl
    ? createPrometheusBackend({
        url: settings.prometheusUrl,
        timeoutMs: settings.healthTimeoutMs,
        ...(settings.prometheusSelector && { selector: settings.prometheusSelector }),
      })
    : createSdkBackend(() => source);
  const report = await complianceReport(backend, period as Period, settings.retention);
  const text = format === 'csv' ? complianceCsv(report) : `${JSON.stringify(report, null, 2)}\n`;
  const output = values.output as string | undefined;
  if (output) {
    try {
      await writeFile(output, text);
    } catch (err) {
      throw new Error(
        `--output: cannot write ${output} (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    io.stderr(`compliance report (${format}, ${period}) written to ${output}\n`);
  } else io.stdout(text);
  return 0;
}

// `authlens serve`: the standalone API and the job scheduler, until SIGINT or SIGTERM (docs/cli.md).

const defaultStopSignal = () =>
  new Promise<string>((resolve) => {
    const on = (signal: string) => () => resolve(signal);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });

async function serve(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { 'no-scheduler': { type: 'boolean' } });
  if (values.help) {
    io.stdout(help.serve as string);
    return 0;
  }
  const jobsEnabled = readSettings(io.env).boolean('AUTHLENS_JOBS_ENABLED', { default: true });
  const schedulerOn = values['no-scheduler'] !== true && jobsEnabled;
  // Listen for the stop signal from the start, so a SIGTERM during start-up still shuts down cleanly.
  const stopping = (io.stopSignal ?? defaultStopSignal)();
  const log = (entry: Record<string, unknown>) =>
    io.stdout(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  const settings = resolveJobSettings(io.env); // fail on malformed settings before opening anything
  // serve's own metrics (alerts, deliveries, job runs, HTTP, runtime) on /monitoring/metrics/ and
  // the scrape port, without --import; already running when it was imported. Off with
  // MONITORING_ENABLED=false. Started before the runtime so the instruments bind to it.
  const telemetry = await startTelemetry({ env: io.env, handleSignals: false });
  // The KPIs describe the auth service: serve's process has none of its events, so without
  // PROMETHEUS_URL its KPI endpoints and KPI jobs report that no source is configured.
  const noKpiSource = settings.prometheusUrl ? {} : { kpis: createSdkBackend(() => undefined) };
  let rt: JobRuntime;
  try {
    rt = await openRuntime(io, true, true, noKpiSource);
  } catch (err) {
    await telemetry.shutdown();
    throw err;
  }
  let server: Awaited<ReturnType<typeof buildServer>> | undefined;
  let scheduler: ReturnType<typeof createScheduler> | undefined;
  try {
    scheduler = createScheduler(rt, { log });
    rt.health.register(jobsHealthCheck(rt.db, { schedules: scheduler.scheduleTable }));
    server = await buildServer({
      env: io.env,
      healthRegistry: rt.health,
      alerts: { manager: rt.alerts },
      statusPage: { db: rt.db },
      kpisFromProcess: false,
    });
    const address = await server.start();
    log({
      level: 'info',
      message: 'authlens serve listening',
      address,
      instance: scheduler.instanceId,
      scheduler: schedulerOn ? scheduler.schedules() : 'off',
    });
    if (schedulerOn) scheduler.start();
    const signal = await stopping;
    log({ level: 'info', message: 'authlens serve stopping', signal });
  } finally {
    await scheduler?.stop();
    await server?.close();
    await rt.close();
    await telemetry.shutdown();
  }
  return 0;
}

// The commands by name, and `main`, which dispatches to them and maps failures to exit codes.

const commands: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  serve,
  'update-metrics': updateMetrics,
  'export-dashboards': exportCommand,
  'compliance-report': complianceCommand,
};

export async function main(
  argv: string[],
  io: CliIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
  },
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(usage);
    return 0;
  }
  if (command === undefined) {
    io.stderr(usage);
    io.stderr('authlens: missing command (try --help)\n');
    return 2;
  }
  const run = commands[command];
  if (!run) {
    io.stderr(`authlens: unknown command '${command}' (try --help)\n`);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (err) {
    const { code, reason } = classify(err);
    io.stderr(`authlens ${command}: ${oneLine(reason)}\n`);
    return code;
  }
}
