/**
 * Every dashboard panel's PromQL through a real Prometheus, with data. Three scrape targets, by
 * file_sd with a unique id: the example auth service (started as `pnpm demo` starts it, driven by
 * the demo's traffic script and a loop of logins, MFA, OAuth, GDPR exports and failed logins),
 * a fixture process that records every catalogue instrument through the SDK (the ones the
 * example never records included), and a real collector (collector/gateway.yaml, the custom
 * binary) that receives the example's OTLP. The SLI recording rules are loaded (alerting rules
 * are not: the shared Alertmanager must not be paged). The panels run twice, with the Instance
 * variable set to the fixture and to the example; the queries listed in `no-data-expected.ts`
 * must have no data, so an exemption that no longer holds fails the test.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Gateway, runFixture, startGateway } from '../../collector/test/support/chain.ts';
import { freePort, postLogs } from '../../collector/test/support/harness.ts';
import { createClient } from '../../examples/auth-service/src/client.ts';
import { totp } from '../../examples/auth-service/src/crypto.ts';
import {
  type StartedService,
  startService,
  stopChild,
  tailLog,
  traffic,
} from '../../examples/auth-service/src/demo-kit.ts';
import {
  prometheusRulesDir,
  prometheusTargetsDir,
  requireCollector,
  requirePrometheus,
  services,
} from '../../test/support/services.ts';
import { dashboardModules } from '../src/dashboards/index.ts';
import { dashboardExpressions, type Expression, interpolate, ruleExpressions } from '../src/expressions.ts';
import { ruleGroups } from '../src/rules.ts';
import { EXAMPLE_NO_DATA_EXPECTED, NO_DATA_EXPECTED } from './no-data-expected.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const id = `dashboards-e2e-${randomUUID().slice(0, 8)}`;
const targetFile = path.join(prometheusTargetsDir(), `${id}.json`);
const rulesFile = path.join(prometheusRulesDir(), `${id}.yml`);

let fixture: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
let gateway: Gateway | undefined;
let otlpTimer: NodeJS.Timeout | undefined;
let vars: Record<string, string> = {};
/** The template variables with the example service's instance instead of the fixture's. */
let exampleVars: Record<string, string> = {};
let example: StartedService | undefined;
let exampleLog = '';
let exampleTimer: NodeJS.Timeout | undefined;
const exampleKey = `key_${randomUUID().replaceAll('-', '')}`;
let fixtureStderr = '';

async function prom(endpoint: string, params: Record<string, string>) {
  const res = await fetch(
    new URL(`/api/v1/${endpoint}?${new URLSearchParams(params)}`, services.prometheusUrl),
    {
      signal: AbortSignal.timeout(10_000),
    },
  );
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: {
      resultType: string;
      result: { value?: [number, string]; values?: [number, string][] }[];
    } & string[];
  };
  return body;
}

interface Outcome {
  readonly error?: string;
  readonly hasData: boolean;
}

/**
 * `query` with every collector series (`otelcol_*`) limited to this test's collector: the shared
 * Prometheus also scrapes other tests' collectors (collector/test/own-metrics.e2e.test.ts fills a
 * queue on purpose), whose series must not decide what this test's panels show.
 */
function onlyCollector(query: string, collectorId: string): string {
  return query.replace(
    /\b(otelcol_[a-zA-Z0-9_]+)(?:\{([^}]*)\})?/g,
    (_all, name: string, matchers: string | undefined) =>
      `${name}{${[`collector_e2e="${collectorId}"`, ...(matchers?.trim() ? [matchers] : [])].join(', ')}}`,
  );
}

async function runQuery(e: Expression, values: Record<string, string>): Promise<Outcome> {
  const query = onlyCollector(interpolate(e.expr, values), id);
  const now = Date.now() / 1000;
  const body = e.instant
    ? await prom('query', { query, time: String(now) })
    : await prom('query_range', { query, start: String(now - 30), end: String(now), step: '2' });
  if (body.status !== 'success') return { error: body.error ?? body.status, hasData: false };
  const samples = (body.data?.result ?? []).flatMap((s) =>
    (s.values ?? (s.value ? [s.value] : [])).map((v) => v[1]),
  );
  return { hasData: samples.some((v) => Number.isFinite(Number(v))) };
}

beforeAll(async () => {
  await requirePrometheus();
  // The gateway as shipped, with two broken backends so the export-failure counters get series
  // too: a wrong Sentry key (401, a permanent error for spans and logs) and a remote-write URL
  // nobody listens on (metric points fail after 1 s of retries). Loki exports succeed.
  gateway = await startGateway(requireCollector(), {
    SENTRY_PUBLIC_KEY: 'not-the-sentry-key',
    PROMETHEUS_REMOTE_WRITE_URL: `http://127.0.0.1:${await freePort()}/api/v1/write`,
    EXPORT_RETRY_MAX_INTERVAL: '500ms',
    EXPORT_RETRY_MAX_ELAPSED: '1s',
    TAIL_SAMPLING_DECISION_WAIT: '1s',
  });
  // The example auth service as a user runs it (one-line import, SQLite, its built-in OAuth
  // provider), exporting OTLP to the gateway and serving a scrape port.
  const workDir = await mkdtemp(path.join(os.tmpdir(), `${id}-example-`));
  exampleLog = path.join(workDir, 'service.log');
  example = await startService({
    workDir,
    logFile: exampleLog,
    apiKey: exampleKey,
    env: {
      PORT: '0',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: gateway.otlpHttp,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_SERVICE_NAME: 'auth-service-dashboards-e2e',
      LOG_LEVEL: 'warn',
    },
  });
  if (!example.prometheusPort)
    throw new Error(`the example service serves no scrape port:\n${tailLog(exampleLog)}`);
  fixture = spawn(
    process.execPath,
    ['--conditions=authlens-source', path.join(here, 'fixtures', 'traffic.ts')],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  fixture.stderr.on('data', (chunk) => {
    fixtureStderr += chunk;
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    // The SDK logs JSON to stdout too: the fixture's line is the one with a `fixture` key.
    const lines = createInterface({ input: fixture!.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('{"fixture":')) resolve(line);
    });
    fixture!.once('exit', (code) => reject(new Error(`traffic fixture exited (${code}): ${fixtureStderr}`)));
  });
  const { scrapePort } = (JSON.parse(firstLine) as { fixture: { scrapePort: number } }).fixture;
  const instance = `127.0.0.1:${scrapePort}`;
  vars = {
    __rate_interval: '10s',
    __interval: '2s',
    __range: '1m',
    environment: id,
    service: 'authlens',
    instance: instance.replaceAll('.', '\\\\.'),
  };
  const exampleInstance = `127.0.0.1:${example.prometheusPort}`;
  exampleVars = { ...vars, instance: exampleInstance.replaceAll('.', '\\\\.') };
  // The collector's own metrics port is another target, not in this environment (collector panels
  // are not filtered by it, and its target_info must not join this service's variables).
  const collector = `127.0.0.1:${gateway.ports.metrics}`;
  await writeFile(
    targetFile,
    JSON.stringify([
      { targets: [instance, exampleInstance], labels: { deployment_environment_name: id } },
      { targets: [collector], labels: { collector_e2e: id } },
    ]),
  );
  // The SLI recording rules as shipped, evaluated every 2 s and labelled so they cannot collide.
  const sli = ruleGroups.find((g) => g.name === 'authlens-sli')!;
  const rules = sli.rules.map((r) => ({ ...r, labels: { authlens_e2e: id } }));
  await writeFile(rulesFile, stringify({ groups: [{ name: `authlens-sli-${id}`, interval: '2s', rules }] }));
  const reload = await fetch(new URL('/-/reload', services.prometheusUrl), { method: 'POST' });
  expect(reload.ok, 'Prometheus reload').toBe(true);

  // A little OTLP through the gateway: metrics, traces (one with an error) and logs, then a few
  // log records every second so the collector's counters keep moving.
  const otlp = { AUTHLENS_FIXTURE_OTLP_ENDPOINT: gateway.otlpHttp, AUTHLENS_FIXTURE_SERVICE: `svc-${id}` };
  await runFixture('emit.ts', { ...otlp, AUTHLENS_FIXTURE_FAST_TRACES: '3' });
  let seq = 0;
  otlpTimer = setInterval(() => void postLogs(gateway!.otlpHttp, `svc-${id}`, [++seq, ++seq]), 1000);

  // Wait until Prometheus scrapes the fixture, the example service and the collector.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await prom('query', {
      query: `count(up{deployment_environment_name="${id}"} == 1) + count(up{collector_e2e="${id}"} == 1)`,
    });
    if (up.data?.result[0]?.value?.[1] === '3') break;
    if (Date.now() > deadline)
      throw new Error(
        `Prometheus did not scrape ${instance}, ${exampleInstance} and ${collector} within 30 s`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }

  // The demo's traffic script once (every flow), then, every second, what keeps rates and latency
  // quantiles defined: good logins, an MFA login, an OAuth login and a failed OAuth callback, a
  // GDPR export, and failed logins for unknown accounts from one address (credential stuffing).
  const client = createClient(example.url);
  await traffic(client);
  const health = await fetch(`${example.url}/monitoring/health/detailed/`, {
    headers: { authorization: `Bearer ${exampleKey}` },
  });
  expect(health.status, 'example health report').toBeLessThan(500);
  const password = 'correct horse battery staple';
  const frank = 'frank@example.com';
  expect((await client.register(frank, password)).status).toBe(201);
  const { secret } = await client.enableMfa((await client.login(frank, password)).body.accessToken ?? '');
  // Credential stuffing: one address failing against more distinct accounts than the detector
  // allows (10).
  const stuffer = createClient(example.url, { 'x-forwarded-for': '203.0.113.7' });
  const accounts = Array.from({ length: 11 }, (_, i) => `stuffed-${i}@example.com`);
  for (const account of accounts) expect((await client.register(account, password)).status).toBe(201);
  for (const account of accounts) await stuffer.login(account, 'leaked-elsewhere');
  let round = 0;
  exampleTimer = setInterval(() => {
    round++;
    void Promise.allSettled([
      client.login('alice@example.com', password).then((r) => client.gdprExport(r.body.accessToken ?? '')),
      client.login(frank, password).then((r) => client.verifyMfa(r.body.mfaToken ?? '', totp(secret))),
      client.oauthLogin('erin@example.com'),
      client.call('GET', `/auth/oauth/local/callback?code=bogus&state=unknown-${round}`),
      stuffer.login(`nobody-${round}@example.com`, `guess-${round}`),
    ]);
  }, 1000);
}, 120_000);

afterAll(async () => {
  clearInterval(otlpTimer);
  clearInterval(exampleTimer);
  await stopChild(example?.child);
  if (exampleLog) await rm(path.dirname(exampleLog), { recursive: true, force: true });
  await gateway?.stop();
  if (fixture && fixture.exitCode === null) {
    const exited = new Promise((r) => fixture!.once('exit', r));
    fixture.stdin.end();
    fixture.kill('SIGTERM');
    await exited;
  }
  await rm(targetFile, { force: true });
  await rm(rulesFile, { force: true });
  await fetch(new URL('/-/reload', services.prometheusUrl), { method: 'POST' }).catch(() => undefined);
});

const key = (e: Expression) => e.where.replace(/^dashboard /, '');

/**
 * Polls every panel's PromQL with the template variables `values` until every query not in
 * `exempt` has data (or 45 s), then expects: no query errors, data for all but `exempt`, and no
 * data for any of `exempt` (a stale exemption fails). Returns how many queries had data.
 */
async function expectPanelData(
  values: Record<string, string>,
  exempt: Readonly<Record<string, string>>,
  log: () => string,
): Promise<number> {
  const panels = dashboardModules.flatMap((m) => dashboardExpressions(m.meta.name, m.build()));
  const promql = panels.filter((e) => e.language === 'promql');
  for (const k of Object.keys(exempt)) expect(promql.map(key), k).toContain(k);

  // Counters need two scrapes inside the rate window and recording rules a few evaluations: poll.
  let outcomes = new Map<Expression, Outcome>();
  const deadline = Date.now() + 45_000;
  for (;;) {
    const pending = promql.filter((e) => !outcomes.get(e)?.hasData);
    const results = await Promise.all(pending.map(async (e) => [e, await runQuery(e, values)] as const));
    outcomes = new Map([...outcomes, ...results]);
    const stillMissing = promql.filter((e) => !outcomes.get(e)!.hasData && !(key(e) in exempt));
    if (stillMissing.length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 2000));
  }

  const errors = promql.flatMap((e) =>
    outcomes.get(e)!.error ? [`${e.where}: ${outcomes.get(e)!.error}`] : [],
  );
  expect(errors).toEqual([]);
  const missing = promql.filter((e) => !outcomes.get(e)!.hasData);
  const unexpected = missing.filter((e) => !(key(e) in exempt)).map(key);
  expect(unexpected, `panels without data (log: ${log().slice(-800)})`).toEqual([]);
  // An exemption holds only while its panel really has no data (collector panels: from this
  // test's collector, see `onlyCollector`).
  const stale = promql.filter((e) => key(e) in exempt && outcomes.get(e)!.hasData).map(key);
  expect(stale, 'exempted panel queries that have data: remove them from no-data-expected.ts').toEqual([]);
  return promql.length - missing.length;
}

describe('dashboards against a real Prometheus', () => {
  it("limits every collector series of a panel query to this test's collector", () => {
    expect(
      onlyCollector(
        'sum by (exporter) (rate(otelcol_exporter_send_failed_spans_total[5m])) / sum(up{job="x"}) + sum(otelcol_exporter_queue_size{exporter="otlp"})',
        'c1',
      ),
    ).toBe(
      'sum by (exporter) (rate(otelcol_exporter_send_failed_spans_total{collector_e2e="c1"}[5m])) / sum(up{job="x"}) + sum(otelcol_exporter_queue_size{collector_e2e="c1", exporter="otlp"})',
    );
  });

  it('template variable queries find this fixture', async () => {
    const values = async (label: string, match: string) =>
      (await prom(`label/${label}/values`, { 'match[]': interpolate(match, vars) }))
        .data as unknown as string[];
    expect(await values('deployment_environment_name', 'target_info')).toContain(id);
    expect(await values('job', `target_info{deployment_environment_name=~"$environment"}`)).toEqual([
      'authlens',
    ]);
    expect(
      await values('instance', 'target_info{job=~"$service", deployment_environment_name=~"$environment"}'),
    ).toEqual([vars.instance!, exampleVars.instance!].map((i) => i.replaceAll('\\', '')).sort());
  });

  it('with the fixture, every panel query runs without error and has data except the listed ones', async () => {
    const withData = await expectPanelData(vars, NO_DATA_EXPECTED, () => fixtureStderr);
    expect(withData).toBeGreaterThanOrEqual(80);
  }, 90_000);

  it("with the example service's instance, every panel its traffic exercises has data", async () => {
    const withData = await expectPanelData(exampleVars, EXAMPLE_NO_DATA_EXPECTED, () => tailLog(exampleLog));
    expect(withData).toBeGreaterThanOrEqual(60);
  }, 90_000);

  it("this test's collector feeds the collector panels: accepted, exported and failed items", async () => {
    const value = async (query: string) => {
      const body = await prom('query', { query });
      return Number(body.data?.result[0]?.value?.[1] ?? Number.NaN);
    };
    const mine = `collector_e2e="${id}"`;
    expect(await value(`sum(otelcol_receiver_accepted_log_records_total{${mine}})`)).toBeGreaterThan(0);
    expect(await value(`sum(otelcol_receiver_accepted_spans_total{${mine}})`)).toBeGreaterThan(0);
    expect(
      await value(`sum(otelcol_exporter_sent_log_records_total{${mine}, exporter="otlp_http/loki"})`),
    ).toBeGreaterThan(0);
    for (const failed of ['log_records', 'spans', 'metric_points'])
      expect(
        await value(`sum(otelcol_exporter_send_failed_${failed}_total{${mine}})`),
        failed,
      ).toBeGreaterThan(0);
    expect(await value(`count(otelcol_exporter_queue_capacity{${mine}})`)).toBeGreaterThan(0);
    expect(await value(`sum(otelcol_processor_incoming_items_total{${mine}})`)).toBeGreaterThan(0);
  });

  it('every rule expression runs without error', async () => {
    const errors: string[] = [];
    for (const e of ruleExpressions()) {
      const body = await prom('query', { query: e.expr });
      if (body.status !== 'success') errors.push(`${e.where}: ${body.error}`);
    }
    expect(errors).toEqual([]);
  });
});
