/**
 * `bash scripts/demo --stack` (`pnpm demo:stack`): the demo plus the telemetry pipeline of this repository, all on
 * 127.0.0.1 and free ports, all stopped by one Ctrl-C:
 *
 *   auth service ──OTLP/HTTP──▶ authlens collector (collector/config.yaml) ──▶ prometheus exporter
 *        │                             ├──▶ Loki exporter   ─┐
 *        │                             └──▶ Sentry exporter ─┴▶ local sink (answers 200, counts)
 *        └── SDK scrape port ◀── Prometheus (own instance, temp config, repo rules) ──▶ collector
 *                                                                                (export + own metrics)
 *
 * The collector binary comes from `bash scripts/otelcol` (built once, then cached; or
 * `AUTHLENS_OTELCOL_BIN`), Prometheus is Debian's `prometheus` on PATH. Every port is free by
 * default; the collector's own variables (`OTLP_HTTP_ENDPOINT`, `HEALTH_CHECK_ENDPOINT`,
 * `PROMETHEUS_EXPORTER_ENDPOINT`, `LOKI_OTLP_ENDPOINT`, … see docs/collector.md), `PORT`,
 * `OTEL_EXPORTER_PROMETHEUS_PORT` and `DEMO_PROMETHEUS_PORT` override them.
 * `DEMO_KEEP_RUNNING=0` exits after printing the URLs; `DEMO_TRICKLE_MS` (default 5000, 0 = off)
 * is the pace of the logins that keep the rate panels moving while it runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { errorCode } from '@authlens/sdk/internal';
import { createClient } from './client.ts';
import { envReader } from './config.ts';
import {
  driveTraffic,
  expectStatus,
  freePort,
  isRunning,
  out,
  printCurlLines,
  printServiceUrls,
  repoRoot,
  row,
  startService,
  step,
  stopChild,
  tailLog,
  traffic,
} from './demo-kit.ts';

const W = 21; // label column of the "Where to look" rows
const env = process.env;
/** Reads the demo's numeric variables (a bad value ends start-up naming the variable). */
const read = envReader(env);
const workDir = mkdtempSync(path.join(tmpdir(), 'authlens-demo-stack-'));
const logs = {
  service: path.join(workDir, 'service.log'),
  collector: path.join(workDir, 'collector.log'),
  prometheus: path.join(workDir, 'prometheus.log'),
};
const apiKey = `demo_${randomBytes(18).toString('base64url')}`;
/** Every child process, by role, so that Ctrl-C stops each one and waits for it. */
const children = new Map<string, ChildProcess>();
let sink: http.Server | undefined;
let stopping = false;

let stopped: Promise<never> | undefined;

/** Stops every child and removes the temp directory, then exits; a second Ctrl-C waits for the first. */
function stop(code: number): Promise<never> {
  stopping = true;
  stopped ??= (async () => {
    // The service first, while the collector still takes its last export (≤ 2.5 s), then the
    // collector and Prometheus at once (≤ 1.5 s): the whole stack is down within 5 s.
    await stopChild(children.get('service'), 2500);
    await Promise.all(
      [...children.entries()]
        .filter(([role]) => role !== 'service')
        .map(([, child]) => stopChild(child, 1500)),
    );
    if (sink) {
      sink.closeAllConnections();
      await new Promise<void>((resolve) => sink!.close(() => resolve()));
    }
    rmSync(workDir, { recursive: true, force: true });
    process.exit(code);
  })();
  return stopped;
}

/**
 * A start-up failure told in one line: of a child (`role`: its log's last lines follow), or of
 * the setup (a bad variable, a missing binary: no log).
 */
class StartError extends Error {
  override name = 'StartError';
  readonly role: keyof typeof logs | undefined;
  constructor(message: string, role?: keyof typeof logs) {
    super(message);
    this.role = role;
  }
}

/** `host:port` from the variable if set, else 127.0.0.1 and a free port. */
async function endpoint(name: string): Promise<string> {
  const value = env[name];
  return value ? value : `127.0.0.1:${await freePort()}`;
}
/** A URL for a listen address (`0.0.0.0:4318` is reached at 127.0.0.1). */
const urlOf = (hostPort: string, pathname = '') =>
  `http://${hostPort.replace(/^(0\.0\.0\.0|\[::\]|):/, '127.0.0.1:')}${pathname}`;

/** A port from the variable when it is a positive number, else a free one. */
async function port(name: string): Promise<number> {
  const n = read.integer(name, { default: 0, min: 0, max: 65535 });
  return n === 0 ? freePort() : n;
}

function spawnLogged(
  role: keyof typeof logs,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv },
) {
  const logFd = openSync(logs[role], 'a');
  // Own process group: Ctrl-C reaches only the demo, which stops every child once, in order.
  const child = spawn(command, args, {
    cwd: workDir,
    env: options.env ?? env,
    stdio: ['ignore', logFd, logFd],
    detached: true,
  });
  closeSync(logFd);
  children.set(role, child);
  return child;
}

/** Polls `url` until it answers 2xx; fails when `child` exits first or after `timeoutMs`. */
async function waitHttp(
  role: 'collector' | 'prometheus',
  url: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const how = child.signalCode ?? `code ${child.exitCode}`;
      throw new StartError(`the ${role} exited during start-up (${how})`, role);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new StartError(`the ${role} did not answer ${url} within ${timeoutMs / 1000} s`, role);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** `bash scripts/otelcol` prints the cached binary's path (building it the first time). */
async function locateCollector(): Promise<string> {
  const fromEnv = env.AUTHLENS_OTELCOL_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new StartError(`AUTHLENS_OTELCOL_BIN: no such file ${fromEnv}`);
    return fromEnv;
  }
  const script = path.join(repoRoot, 'scripts', 'otelcol');
  // Build progress (the first build takes minutes) goes to the terminal.
  const child = spawn('bash', [script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  children.set('collector build', child);
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  children.delete('collector build');
  const bin = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !bin || !existsSync(bin)) {
    throw new StartError(
      'could not build the authlens collector with `bash scripts/otelcol` (needs Go ≥ 1.26 and the Go module proxy; see docs/collector.md)',
    );
  }
  return bin;
}

function locatePrometheus(): string {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'prometheus');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new StartError(
    "Prometheus is not installed (no `prometheus` on PATH). Install Debian's package with: bash scripts/services install prometheus",
  );
}

interface SinkCounts {
  requests: number;
  bytes: number;
}

/**
 * Stands in for Loki and Sentry: accepts the collector's OTLP/HTTP exports (answers 200 with an
 * empty protobuf response, so nothing retries in a loop) and counts them. `GET /` shows the counts.
 */
async function startSink(): Promise<{ url: string; received: Record<string, SinkCounts> }> {
  const received: Record<string, SinkCounts> = {};
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(`${JSON.stringify(received, null, 2)}\n`);
      return;
    }
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      const key = req.url ?? '/';
      const counts = received[key] ?? { requests: 0, bytes: 0 };
      received[key] = counts;
      counts.requests += 1;
      counts.bytes += bytes;
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' }).end();
    });
  });
  sink = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, received };
}

interface CollectorPlan {
  addresses: Record<string, string>;
  ownMetricsHost: string;
  ownMetricsPort: number;
  otlpHttp: string;
  health: string;
  ownMetrics: string;
  exporter: string;
  zpages: string;
}

/** Every address of the collector, chosen before anything starts (so Prometheus knows its targets). */
async function planCollector(): Promise<CollectorPlan> {
  const addresses: Record<string, string> = {};
  for (const name of [
    'OTLP_HTTP_ENDPOINT',
    'OTLP_GRPC_ENDPOINT',
    'HEALTH_CHECK_ENDPOINT',
    'PPROF_ENDPOINT',
    'ZPAGES_ENDPOINT',
    'PROMETHEUS_EXPORTER_ENDPOINT',
  ]) {
    addresses[name] = await endpoint(name);
  }
  const ownMetricsHost = env.OTELCOL_METRICS_HOST ?? '127.0.0.1';
  const ownMetricsPort = await port('OTELCOL_METRICS_PORT');
  const a = (name: string) => addresses[name] ?? '';
  return {
    addresses,
    ownMetricsHost,
    ownMetricsPort,
    otlpHttp: urlOf(a('OTLP_HTTP_ENDPOINT')),
    health: urlOf(a('HEALTH_CHECK_ENDPOINT'), '/'),
    ownMetrics: urlOf(`${ownMetricsHost}:${ownMetricsPort}`, '/metrics'),
    exporter: urlOf(a('PROMETHEUS_EXPORTER_ENDPOINT'), '/metrics'),
    zpages: urlOf(a('ZPAGES_ENDPOINT'), '/debug/pipelinez'),
  };
}

/** Runs `collector/config.yaml` as it is, with the plan's addresses and the sink as Loki and Sentry. */
async function startCollector(bin: string, plan: CollectorPlan, sinkUrl: string): Promise<void> {
  const storage = env.OTELCOL_STORAGE_DIR ?? path.join(workDir, 'otelcol-queue');
  mkdirSync(storage, { recursive: true });
  const child = spawnLogged('collector', bin, ['--config', path.join(repoRoot, 'collector', 'config.yaml')], {
    env: {
      ...env,
      ...plan.addresses,
      OTELCOL_METRICS_HOST: plan.ownMetricsHost,
      OTELCOL_METRICS_PORT: String(plan.ownMetricsPort),
      OTELCOL_STORAGE_DIR: storage,
      // Loki and Sentry: the local sink unless real ones are configured.
      LOKI_OTLP_ENDPOINT: env.LOKI_OTLP_ENDPOINT ?? `${sinkUrl}/loki/otlp`,
      SENTRY_OTLP_ENDPOINT: env.SENTRY_OTLP_ENDPOINT ?? `${sinkUrl}/sentry/api/1/integration/otlp`,
      SENTRY_PUBLIC_KEY: env.SENTRY_PUBLIC_KEY ?? 'demo',
      DEPLOYMENT_ENVIRONMENT: env.DEPLOYMENT_ENVIRONMENT ?? 'demo',
      // Decide about traces soon, so they reach the sink while you watch.
      TAIL_SAMPLING_DECISION_WAIT: env.TAIL_SAMPLING_DECISION_WAIT ?? '2s',
      MEMORY_LIMIT_MIB: env.MEMORY_LIMIT_MIB ?? '256',
      MEMORY_SPIKE_LIMIT_MIB: env.MEMORY_SPIKE_LIMIT_MIB ?? '64',
    },
  });
  await waitHttp('collector', plan.health, child, 20_000);
}

/** The service's metrics reach Prometheus twice, and the `job` label says which way. */
const VIA_COLLECTOR_JOB = env.OTEL_SERVICE_NAME ?? 'auth-service-demo';
const DIRECT_JOB = 'auth-service-direct';
const EXAMPLE_QUERY = 'sum by (job, auth_outcome) (auth_login_attempts_total)';

async function startPrometheus(
  bin: string,
  promPort: number,
  targets: { collectorExport: string; collectorOwn: string; service: string },
): Promise<string> {
  const config = path.join(workDir, 'prometheus.yml');
  const t = (hostPort: string) => JSON.stringify(new URL(urlOf(hostPort)).host);
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${JSON.stringify(path.join(repoRoot, 'dashboards', 'rules', 'authlens.rules.yml'))}`,
      'scrape_configs:',
      '  # What the service sent over OTLP, as the collector exports it; honor_labels keeps',
      `  # job = service.name (${VIA_COLLECTOR_JOB}) and instance = service.instance.id.`,
      '  - job_name: otel-collector-export',
      '    honor_labels: true',
      `    static_configs: [{ targets: [${t(targets.collectorExport)}] }]`,
      "  # The same metrics scraped straight from the SDK's Prometheus port.",
      `  - job_name: ${DIRECT_JOB}`,
      `    static_configs: [{ targets: [${t(targets.service)}] }]`,
      "  # The collector's own telemetry (otelcol_*).",
      '  - job_name: otelcol',
      `    static_configs: [{ targets: [${t(targets.collectorOwn)}] }]`,
      '  - job_name: prometheus',
      `    static_configs: [{ targets: ["127.0.0.1:${promPort}"] }]`,
      '',
    ].join('\n'),
  );
  const child = spawnLogged(
    'prometheus',
    bin,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(workDir, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--storage.tsdb.retention.time=1d',
    ],
    {},
  );
  const url = `http://127.0.0.1:${promPort}`;
  await waitHttp('prometheus', `${url}/-/ready`, child, 30_000);
  return url;
}

/**
 * Watches a started child: if it has died, or dies while the demo runs, say so and stop the
 * rest. (It may already be gone: a busy port we were told to use can answer for it.)
 */
function watch(role: keyof typeof logs): void {
  const child = children.get(role);
  if (!child) return;
  const report = () => {
    if (stopping) return;
    const how = child.signalCode ?? `code ${child.exitCode}`;
    out(`authlens demo:stack: the ${role} stopped unexpectedly (${how}). Last lines of ${logs[role]}:`);
    out(tailLog(logs[role]));
    void stop(1);
  };
  if (isRunning(child)) child.once('exit', report);
  else report();
}

/** The jobs of `series` (a PromQL selector) that Prometheus has a sample for. */
async function jobsWithSample(promUrl: string, series: string): Promise<Set<string>> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(series)}`);
  const body = (await res.json()) as { data?: { result?: { metric: Record<string, string> }[] } };
  return new Set((body.data?.result ?? []).map((r) => r.metric.job ?? ''));
}

/**
 * A counter's first sample is invisible to `rate()` and `increase()`: the panels the
 * getting-started page names (Login success rate, Login attempts by method and outcome, Why
 * logins fail) and the rule `AuthlensBruteForceSuspected` need increments after Prometheus has
 * seen each series. So, once both paths (collector and direct scrape) have a sample of the login
 * and brute-force counters, a second round of logins and a second burst from another address.
 */
async function afterFirstScrape(url: string, promUrl: string): Promise<void> {
  await step('wait for Prometheus to scrape the counters', async () => {
    const deadline = Date.now() + 15_000;
    const series = ['auth_login_attempts_total', 'security_events_total{security_event_type="brute_force"}'];
    for (;;) {
      const seen = await Promise.all(series.map((s) => jobsWithSample(promUrl, s)));
      if (seen.every((jobs) => jobs.has(VIA_COLLECTOR_JOB) && jobs.has(DIRECT_JOB))) return 'both paths';
      if (Date.now() > deadline) return 'not yet after 15 s, going on';
      await new Promise((r) => setTimeout(r, 500));
    }
  });
  await step('logins after the first scrape (frank ×3, 1 bad)', async () => {
    const client = createClient(url);
    expectStatus('register frank', (await client.register(FRANK, PASSWORD)).status, 201);
    const statuses: number[] = [];
    for (const pass of [PASSWORD, PASSWORD, 'not-his-password', PASSWORD]) {
      const res = await client.login(FRANK, pass);
      statuses.push(expectStatus('login frank', res.status, pass === PASSWORD ? 200 : 401));
    }
    return statuses.join(' ');
  });
  await step('second burst from 203.0.113.7 (after a scrape)', async () => {
    const attacker = createClient(url, { 'x-forwarded-for': '203.0.113.7' });
    const tries = read.integer('BRUTE_FORCE_THRESHOLD', { default: 10, min: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < tries; i++) {
      const res = await attacker.login(`guess${i}@example.com`, `guess-${i}`);
      statuses.push(expectStatus(`guess ${i + 1}`, res.status, 401));
    }
    return `${statuses.join(' ')}  (AuthlensBruteForceSuspected fires)`;
  });
}

const FRANK = 'frank@example.com';
const PASSWORD = 'correct horse battery staple';

/**
 * While the demo runs, a login of frank every `DEMO_TRICKLE_MS` (default 5000; 0 = off), every
 * third one with a wrong password from another documentation address (192.0.2.x, so no address
 * collects enough failures to look like an attack): the rate panels keep showing data while you
 * look at them.
 */
function trickle(url: string): void {
  const every = read.integer('DEMO_TRICKLE_MS', { default: 5000, min: 0 });
  if (every === 0) return;
  let n = 0;
  const timer = setInterval(() => {
    if (stopping) return clearInterval(timer);
    n += 1;
    const bad = n % 3 === 0;
    const client = createClient(url, bad ? { 'x-forwarded-for': `192.0.2.${(n % 250) + 1}` } : {});
    client.login(FRANK, bad ? 'not-his-password' : PASSWORD).catch(() => {});
  }, every);
  timer.unref();
}

/**
 * The Prometheus web pages the demo prints, as this Prometheus serves them: the new UI has
 * `/alerts`, `/targets` and `/graph`; builds without it (Debian's 2.42) serve `/classic/…`.
 */
async function prometheusPages(promUrl: string): Promise<Record<'alerts' | 'targets' | 'graph', string>> {
  const page = async (name: string) => {
    for (const candidate of [`/${name}`, `/classic/${name}`]) {
      try {
        const res = await fetch(`${promUrl}${candidate}`, {
          redirect: 'manual',
          signal: AbortSignal.timeout(2000),
        });
        await res.arrayBuffer();
        if (res.status === 200) return `${promUrl}${candidate}`;
      } catch {
        // try the next one
      }
    }
    return `${promUrl}/${name}`;
  };
  const [alerts, targets, graph] = await Promise.all(['alerts', 'targets', 'graph'].map(page));
  return { alerts: alerts!, targets: targets!, graph: graph! };
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  // Last resort (an exception between spawn and stop): never leave a child behind.
  process.on('exit', () => {
    for (const child of children.values()) if (isRunning(child)) child.kill('SIGKILL');
  });
  out('authlens demo:stack: the example auth service, the authlens collector and Prometheus');

  let url: string;
  let promUrl: string;
  let plan: CollectorPlan;
  let sinkUrl: string;
  let scrapePort: number;
  try {
    const promBin = locatePrometheus();
    out('  locating the collector (bash scripts/otelcol; its first build takes several minutes)…');
    const collectorBin = await locateCollector();
    if (stopping) return;
    // Every port is chosen up front, so Prometheus can start beside the collector and the service.
    plan = await planCollector();
    const promPort = await port('DEMO_PROMETHEUS_PORT');
    scrapePort = await port('OTEL_EXPORTER_PROMETHEUS_PORT');
    sinkUrl = (await startSink()).url;
    out('  starting the collector, Prometheus and the service…');
    const prometheus = startPrometheus(promBin, promPort, {
      collectorExport: plan.addresses.PROMETHEUS_EXPORTER_ENDPOINT ?? '',
      collectorOwn: `${plan.ownMetricsHost}:${plan.ownMetricsPort}`,
      service: `127.0.0.1:${scrapePort}`,
    });
    // The collector first: the service exports to it from its first seconds.
    const service = startCollector(collectorBin, plan, sinkUrl).then(() =>
      startService({
        workDir,
        logFile: logs.service,
        apiKey,
        onSpawn: (child) => children.set('service', child),
        env: {
          PORT: env.PORT ?? '0',
          OTEL_EXPORTER_OTLP_ENDPOINT: plan.otlpHttp,
          OTEL_EXPORTER_PROMETHEUS_HOST: env.OTEL_EXPORTER_PROMETHEUS_HOST ?? '127.0.0.1',
          OTEL_EXPORTER_PROMETHEUS_PORT: String(scrapePort),
          // Metrics every 2 s instead of 60 s, so Prometheus shows the traffic at once.
          OTEL_METRIC_EXPORT_INTERVAL: env.OTEL_METRIC_EXPORT_INTERVAL ?? '2000',
          OTEL_BSP_SCHEDULE_DELAY: env.OTEL_BSP_SCHEDULE_DELAY ?? '1000',
        },
      }),
    );
    const [started, promStarted] = await Promise.allSettled([service, prometheus]);
    if (started.status === 'rejected') throw started.reason;
    if (promStarted.status === 'rejected') throw promStarted.reason;
    url = started.value.url;
    promUrl = promStarted.value;
  } catch (err) {
    if (stopping) return;
    const message = err instanceof Error ? err.message : String(err);
    // A StartError without a role is a setup problem (bad variable, missing binary): exit 2.
    const role =
      err instanceof StartError ? err.role : errorCode(err) === 'invalid_config' ? undefined : 'service';
    out(`authlens demo:stack: ${message}`);
    if (role) {
      const log = tailLog(logs[role]);
      if (/EADDRINUSE|address already in use/.test(log)) {
        out('A port is in use: unset the port variables (every port is free by default).');
      }
      out(`Last lines of the ${role} log (${logs[role]}):\n${log}`);
    }
    return stop(role ? 1 : 2);
  }
  watch('service');
  watch('collector');
  watch('prometheus');
  if (stopping) return;
  out(`authlens demo:stack: service listening on ${url}`);
  out();
  const drove = await driveTraffic('authlens demo:stack', logs.service, async () => {
    await traffic(createClient(url));
    await afterFirstScrape(url, promUrl);
  });
  if (!drove) return stop(1);
  if (stopping) return;

  const pages = await prometheusPages(promUrl);
  const query = `${pages.graph}?g0.expr=${encodeURIComponent(EXAMPLE_QUERY)}&g0.tab=1`;
  out();
  out('Where to look:');
  printServiceUrls(url, scrapePort, 'Service scrape', W);
  row('Collector health', plan.health, W);
  row('Collector metrics', plan.ownMetrics, W);
  row('Collector export', plan.exporter, W);
  row('Collector zPages', plan.zpages, W);
  row('Collector OTLP', plan.otlpHttp, W);
  row('Prometheus', promUrl, W);
  row('Prometheus query', query, W);
  row('Prometheus alerts', pages.alerts, W);
  row('Prometheus targets', pages.targets, W);
  // Grafana's datasource (dashboards/provisioning/datasources) reads PROMETHEUS_URL.
  row('Grafana datasource', `PROMETHEUS_URL=${promUrl}`, W);
  row('Loki/Sentry sink', `${sinkUrl}/`, W);
  row('Logs', `${workDir}/{service,collector,prometheus}.log`, W);
  row('API key (write)', apiKey, W);
  row('Processes', [...children.entries()].map(([role, child]) => `${role} ${child.pid}`).join(', '), W);
  out();
  out(`PromQL (${EXAMPLE_QUERY}):`);
  out(`  job="${VIA_COLLECTOR_JOB}" came through the collector (OTLP → prometheus exporter → scrape),`);
  out(`  job="${DIRECT_JOB}" from scraping the service's own port. Metrics arrive every 2 s.`);
  out();
  out('Ready-to-paste:');
  printCurlLines(url, apiKey, logs.service);
  out(`  curl -s ${promUrl}/api/v1/query --data-urlencode 'query=${EXAMPLE_QUERY}'`);
  out(`  curl -s ${plan.ownMetrics} | grep -E '^otelcol_(receiver_accepted|exporter_sent)'`);
  out(`  curl -s ${sinkUrl}/`);
  out();
  if (env.DEMO_KEEP_RUNNING === '0') return stop(0);
  trickle(url);
  out('authlens demo:stack is running (a login every 5 s keeps the panels moving). Press Ctrl-C to stop.');
}

await main();
