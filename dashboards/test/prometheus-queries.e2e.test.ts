/**
 * Every dashboard panel's PromQL through a real Prometheus, with data. A fixture process records
 * every catalogue instrument (through the SDK's recorders and a real OpenTelemetry Prometheus
 * exporter); a real collector (collector/gateway.yaml, the custom binary) receives a little OTLP
 * and exposes its own metrics; the shared Prometheus scrapes both via file_sd targets labelled
 * with a unique id; the SLI recording rules are loaded (alerting rules are not: the shared
 * Alertmanager must not be paged). Each query runs with the template variables set to this
 * fixture's environment, service and instance. The queries listed in `no-data-expected.ts` must
 * have no data, so an exemption that no longer holds fails the test.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Gateway, runFixture, startGateway } from '../../collector/test/support/chain.ts';
import { freePort, postLogs } from '../../collector/test/support/harness.ts';
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
import { NO_DATA_EXPECTED } from './no-data-expected.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const id = `dashboards-e2e-${randomUUID().slice(0, 8)}`;
const targetFile = path.join(prometheusTargetsDir(), `${id}.json`);
const rulesFile = path.join(prometheusRulesDir(), `${id}.yml`);

let fixture: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
let gateway: Gateway | undefined;
let otlpTimer: NodeJS.Timeout | undefined;
let vars: Record<string, string> = {};
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

async function runQuery(e: Expression): Promise<Outcome> {
  const query = interpolate(e.expr, vars);
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
  // The collector's own metrics port is another target, not in this environment (collector panels
  // are not filtered by it, and its target_info must not join this service's variables).
  const collector = `127.0.0.1:${gateway.ports.metrics}`;
  await writeFile(
    targetFile,
    JSON.stringify([
      { targets: [instance], labels: { deployment_environment_name: id } },
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

  // Wait until Prometheus scrapes the fixture and the collector.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await prom('query', {
      query: `count(up{deployment_environment_name="${id}"} == 1) + count(up{collector_e2e="${id}"} == 1)`,
    });
    if (up.data?.result[0]?.value?.[1] === '2') break;
    if (Date.now() > deadline)
      throw new Error(`Prometheus did not scrape ${instance} and ${collector} within 30 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}, 90_000);

afterAll(async () => {
  clearInterval(otlpTimer);
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

describe('dashboards against a real Prometheus', () => {
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
    ).toEqual([vars.instance!.replaceAll('\\', '')]);
  });

  it('every panel query runs without error, with data except for the listed panels', async () => {
    const panels = dashboardModules.flatMap((m) => dashboardExpressions(m.meta.name, m.build()));
    const promql = panels.filter((e) => e.language === 'promql');
    const key = (e: Expression) => e.where.replace(/^dashboard /, '');
    for (const k of Object.keys(NO_DATA_EXPECTED)) expect(promql.map(key), k).toContain(k);

    // Counters need two scrapes inside the rate window and recording rules a few evaluations: poll.
    let outcomes = new Map<Expression, Outcome>();
    const deadline = Date.now() + 45_000;
    for (;;) {
      const pending = promql.filter((e) => !outcomes.get(e)?.hasData);
      const results = await Promise.all(pending.map(async (e) => [e, await runQuery(e)] as const));
      outcomes = new Map([...outcomes, ...results]);
      const stillMissing = promql.filter((e) => !outcomes.get(e)!.hasData && !(key(e) in NO_DATA_EXPECTED));
      if (stillMissing.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 2000));
    }

    const errors = promql.flatMap((e) =>
      outcomes.get(e)!.error ? [`${e.where}: ${outcomes.get(e)!.error}`] : [],
    );
    expect(errors).toEqual([]);
    const missing = promql.filter((e) => !outcomes.get(e)!.hasData);
    const unexpected = missing.filter((e) => !(key(e) in NO_DATA_EXPECTED)).map((e) => e.where);
    expect(unexpected, `panels without data (fixture stderr: ${fixtureStderr.slice(0, 500)})`).toEqual([]);
    // An exemption holds only while its panel really has no data.
    const stale = promql.filter((e) => key(e) in NO_DATA_EXPECTED && outcomes.get(e)!.hasData).map(key);
    expect(stale, 'exempted panels that have data: remove them from NO_DATA_EXPECTED').toEqual([]);
    expect(promql.length - missing.length).toBeGreaterThanOrEqual(80);
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
    expect(
      await value(
        `sum(otelcol_exporter_send_failed_log_records_total{${mine}, exporter="otlp_http/sentry"})`,
      ),
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
