/**
 * Every dashboard panel's PromQL through a real Prometheus, with data. A fixture process records
 * every catalogue instrument (through the SDK's recorders and a real OpenTelemetry Prometheus
 * exporter); the shared Prometheus scrapes it via a file_sd target labelled with a unique
 * environment; the SLI recording rules are loaded (alerting rules are not: the shared
 * Alertmanager must not be paged). Each query runs with the template variables set to this
 * fixture's environment, service and instance.
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
import {
  prometheusRulesDir,
  prometheusTargetsDir,
  requirePrometheus,
  services,
} from '../../test/support/services.ts';
import { dashboardModules } from '../src/dashboards/index.ts';
import { dashboardExpressions, type Expression, interpolate, ruleExpressions } from '../src/expressions.ts';
import { ruleGroups } from '../src/rules.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const id = `dashboards-e2e-${randomUUID().slice(0, 8)}`;
const targetFile = path.join(prometheusTargetsDir(), `${id}.json`);
const rulesFile = path.join(prometheusRulesDir(), `${id}.yml`);

const EVENT_LOOP_DELAY =
  'nodejs.eventloop.delay.*: the SDK runs the runtime instrumentation with monitoringPrecision 5000 ms, and it reports only after 5 samples (25 s) between two collections; with a 1 s scrape it never reports';

/** Panels whose metrics this traffic cannot produce, and why. */
const NO_DATA_EXPECTED: Readonly<Record<string, string>> = {
  'system_overview / Collector: refused by receivers':
    'collector self-metrics (otelcol_*): no collector runs in this test (the collector issue tests its pipelines)',
  'system_overview / Collector: export failures':
    'collector self-metrics (otelcol_*): no collector runs in this test',
  'system_overview / Collector: sending queue fill':
    'collector self-metrics (otelcol_*): no collector runs in this test',
  'system_overview / Collector: processor throughput':
    'collector self-metrics (otelcol_*): no collector runs in this test',
  'system_overview / Event loop delay p99': EVENT_LOOP_DELAY,
  'performance / Event loop delay p99': EVENT_LOOP_DELAY,
  'security_monitoring / Firing security alerts':
    'ALERTS exists only while alerting rules fire; this test loads only the recording rules so the shared Alertmanager is not paged',
};

let fixture: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
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
  await writeFile(
    targetFile,
    JSON.stringify([{ targets: [instance], labels: { deployment_environment_name: id } }]),
  );
  // The SLI recording rules as shipped, evaluated every 2 s and labelled so they cannot collide.
  const sli = ruleGroups.find((g) => g.name === 'authlens-sli')!;
  const rules = sli.rules.map((r) => ({ ...r, labels: { authlens_e2e: id } }));
  await writeFile(rulesFile, stringify({ groups: [{ name: `authlens-sli-${id}`, interval: '2s', rules }] }));
  const reload = await fetch(new URL('/-/reload', services.prometheusUrl), { method: 'POST' });
  expect(reload.ok, 'Prometheus reload').toBe(true);

  // Wait until Prometheus scrapes the fixture.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await prom('query', { query: `up{deployment_environment_name="${id}"} == 1` });
    if ((up.data?.result ?? []).length > 0) break;
    if (Date.now() > deadline) throw new Error(`Prometheus did not scrape ${instance} within 30 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}, 60_000);

afterAll(async () => {
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
    const key = (e: Expression) => `${e.dashboard} / ${e.panel}`;
    for (const k of Object.keys(NO_DATA_EXPECTED))
      expect(
        promql.some((e) => key(e) === k),
        k,
      ).toBe(true);

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
    expect(promql.length - missing.length).toBeGreaterThanOrEqual(80);
  }, 90_000);

  it('every rule expression runs without error', async () => {
    const errors: string[] = [];
    for (const e of ruleExpressions()) {
      const body = await prom('query', { query: e.expr });
      if (body.status !== 'success') errors.push(`${e.where}: ${body.error}`);
    }
    expect(errors).toEqual([]);
  });
});
