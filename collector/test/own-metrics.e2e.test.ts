/**
 * The collectors' own metrics, as the rules and dashboards read them, from BOTH tiers: the real
 * binary runs collector/agent.yaml → collector/gateway.yaml, the real Prometheus scrapes each
 * one's telemetry endpoint (file_sd targets with a job per tier), and
 *
 * - every `otelcol_*_total` name the dashboards and rules use (the catalogue's external names)
 *   is what both tiers expose, in Prometheus and in the text a `curl …/metrics` shows: no tier
 *   exposes the name without `_total`;
 * - every collector alert rule of dashboards/rules/authlens.rules.yml, its threshold lowered to
 *   `>= 0` (the signal, not the alert), answers for the agent's job and the gateway's job: the
 *   refused counters from the first batch; send_failed, enqueue_failed and the queue gauges
 *   after failures the test causes — a Loki outage behind the gateway (its small Loki queue
 *   fills, its retries give up) and a second agent whose gateway does not answer.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { externalMetrics } from '../../dashboards/src/catalogue.ts';
import {
  prometheusTargetsDir,
  repoRoot,
  requireCollector,
  requirePrometheus,
} from '../../test/support/services.ts';
import { type Chain, promQuery, runFixture, startChain } from './support/chain.ts';
import {
  type CollectorProcess,
  collectorPorts,
  freePort,
  portEnv,
  postLogs,
  startCollector,
  waitFor,
} from './support/harness.ts';

const id = randomBytes(4).toString('hex');
const jobs = { agent: `otelcol-agent-${id}`, gateway: `otelcol-gateway-${id}` };
const targetFile = path.join(prometheusTargetsDir(), `own-metrics-${id}.json`);
let chain: Chain | undefined;
/** A second agent whose gateway does not answer: its queue fills, sends fail. */
let lostAgent: CollectorProcess | undefined;

interface Rule {
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
}
const rules = (
  parse(readFileSync(path.join(repoRoot, 'dashboards/rules/authlens.rules.yml'), 'utf8')) as {
    groups: { rules: Rule[] }[];
  }
).groups
  .flatMap((g) => g.rules)
  .filter((r) => r.alert && r.labels?.category === 'collector' && r.expr.includes('otelcol_'));

/** The collector rules this test knows; each one's signal must answer for both tiers. */
const known = [
  'AuthlensCollectorRefusingData',
  'AuthlensCollectorExportFailing',
  'AuthlensCollectorDroppingData',
  'AuthlensCollectorQueueNearlyFull',
];

/** The rule's signal: its expression with every `> threshold` comparison turned into `>= 0`. */
export const signalOf = (expr: string) => expr.replace(/>\s*\d+(\.\d+)?/g, '>= 0');

const jobsOf = async (query: string) => new Set((await promQuery(query)).map((s) => s.metric.job ?? ''));

beforeAll(async () => {
  const bin = requireCollector();
  await requirePrometheus();
  chain = await startChain(bin, {
    TAIL_SAMPLING_DECISION_WAIT: '1s',
    // Small enough that the outage below fills the Loki queue and gives up retrying at once.
    LOKI_QUEUE_SIZE: '1000', // the smallest the config allows (its batches take up to 1000)
    EXPORT_RETRY_INITIAL_INTERVAL: '500ms',
    EXPORT_RETRY_MAX_INTERVAL: '1s',
    EXPORT_RETRY_MAX_ELAPSED: '6s',
  });
  const lostPorts = await collectorPorts();
  lostAgent = await startCollector({
    bin,
    name: 'agent without a gateway',
    config: 'agent.yaml',
    healthPort: lostPorts.health,
    metricsPort: lostPorts.metrics,
    env: {
      ...portEnv(lostPorts),
      GATEWAY_ENDPOINTS: `[127.0.0.1:${await freePort()}]`,
      AGENT_QUEUE_SIZE: '2',
      BATCH_TIMEOUT: '100ms',
      EXPORT_RETRY_INITIAL_INTERVAL: '200ms',
      EXPORT_RETRY_MAX_INTERVAL: '500ms',
      EXPORT_RETRY_MAX_ELAPSED: '2s',
    },
  });
  const port = (url: string) => new URL(url).port;
  writeFileSync(
    targetFile,
    JSON.stringify([
      {
        targets: [`127.0.0.1:${port(chain.agent.metricsUrl)}`, `127.0.0.1:${port(lostAgent.metricsUrl)}`],
        labels: { job: jobs.agent },
      },
      { targets: [`127.0.0.1:${port(chain.gateway.metricsUrl)}`], labels: { job: jobs.gateway } },
    ]),
  );
  await runFixture('emit.ts', {
    AUTHLENS_FIXTURE_OTLP_ENDPOINT: chain.agentOtlpHttp,
    AUTHLENS_FIXTURE_SERVICE: `own-metrics-${id}`,
    AUTHLENS_FIXTURE_FAST_TRACES: '5',
  });
  // rate() needs two samples of each tier after the traffic (scrape interval 1 s).
  await waitFor(
    'rate(otelcol_receiver_accepted_spans_total) for both tiers',
    async () => {
      const seen = await jobsOf(
        `sum by (job) (rate(otelcol_receiver_accepted_spans_total{job=~"${jobs.agent}|${jobs.gateway}"}[1m]))`,
      );
      return seen.has(jobs.agent) && seen.has(jobs.gateway) ? true : undefined;
    },
    30_000,
    500,
  );
  // A Loki outage on the gateway, log records straight to it: first one batch for each of the
  // Loki exporter's 4 consumers (each flushed after 1 s, then retried for 6 s), then more than
  // its queue holds while they retry (enqueue_failed), until the retries give up (send_failed).
  await chain.loki.down();
  const gatewayOtlp = `http://127.0.0.1:${chain.gatewayPorts.http}`;
  let seq = 0;
  const post = (n: number) =>
    postLogs(
      gatewayOtlp,
      `own-metrics-${id}`,
      Array.from({ length: n }, () => seq++),
    );
  for (let i = 0; i < 4; i++) {
    await post(100);
    await new Promise((r) => setTimeout(r, 1300));
  }
  for (let i = 0; i < 8; i++) await post(200);
  // The lost agent: more batches than its queue holds, none of them deliverable.
  const lostOtlp = `http://127.0.0.1:${lostPorts.http}`;
  for (let i = 0; i < 10; i++) {
    await postLogs(lostOtlp, `own-metrics-${id}`, [i]);
    await new Promise((r) => setTimeout(r, 150));
  }
  await waitFor(
    'every collector rule to answer for both tiers (two samples of each failure series)',
    async () => {
      const seen = await Promise.all(rules.map((r) => jobsOf(signalOf(r.expr))));
      return seen.every((jobsSeen) => jobsSeen.has(jobs.gateway) && jobsSeen.has(jobs.agent))
        ? true
        : undefined;
    },
    30_000,
    500,
  );
}, 120_000);

afterAll(async () => {
  rmSync(targetFile, { force: true });
  await lostAgent?.stop();
  await chain?.stop();
});

describe("the collectors' own metrics (agent and gateway, scraped by the real Prometheus)", () => {
  it('the rule signal keeps the rule and lowers only its thresholds', () => {
    expect(signalOf('sum by (job) (rate(x_total[5m])) > 0 or y > 0.8')).toBe(
      'sum by (job) (rate(x_total[5m])) >= 0 or y >= 0',
    );
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['AuthlensCollectorRefusingData', 'AuthlensCollectorDroppingData']),
    );
  });

  it("both tiers expose the catalogue's otelcol names, never one without `_total`", async () => {
    const names = async (job: string) =>
      new Set(
        (await promQuery(`count by (__name__) ({job="${job}", __name__=~"otelcol_.+"})`)).map(
          (s) => s.metric.__name__ ?? '',
        ),
      );
    const exposed = { agent: await names(jobs.agent), gateway: await names(jobs.gateway) };
    for (const [tier, set] of Object.entries(exposed)) {
      for (const name of externalMetrics.filter((n) => n.startsWith('otelcol_') && n.endsWith('_total'))) {
        expect(set.has(name.slice(0, -'_total'.length)), `${tier} exposes ${name} without _total`).toBe(
          false,
        );
      }
      for (const name of [
        'otelcol_receiver_accepted_spans_total',
        'otelcol_receiver_refused_spans_total',
        'otelcol_receiver_accepted_log_records_total',
        'otelcol_processor_incoming_items_total',
      ]) {
        expect(set.has(name), `${tier} exposes ${name}`).toBe(true);
      }
    }
  });

  it('`curl <tier>/metrics` (text format, what the docs grep) shows the same `_total` names', async () => {
    // Prometheus negotiates OpenMetrics, which appends `_total` to counters on its own; the text
    // format a person (or a text-only scraper) gets shows the names as the collector makes them.
    const totals = externalMetrics.filter((n) => n.startsWith('otelcol_') && n.endsWith('_total'));
    for (const [tier, proc] of [
      ['agent', chain!.agent],
      ['gateway', chain!.gateway],
    ] as const) {
      const text = await (await fetch(proc.metricsUrl)).text();
      const sampleNames = new Set(
        text
          .split('\n')
          .filter((l) => l.startsWith('otelcol_'))
          .map((l) => /^[a-zA-Z_:][\w:]*/.exec(l)![0]),
      );
      expect(sampleNames.has('otelcol_receiver_accepted_spans_total'), `${tier}: ${[...sampleNames]}`).toBe(
        true,
      );
      const bare = totals.filter((n) => sampleNames.has(n.slice(0, -'_total'.length)));
      expect(bare, `${tier} exposes these without _total`).toEqual([]);
    }
  });

  it('knows every collector rule of the rules file', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual([...known].sort());
  });

  it.each(rules.map((r) => [r.alert!, r] as const))(
    '%s: its signal answers for the agent and the gateway',
    async (alert, rule) => {
      const seen = await jobsOf(signalOf(rule.expr));
      expect(seen.has(jobs.agent), `${alert} for ${jobs.agent}`).toBe(true);
      expect(seen.has(jobs.gateway), `${alert} for ${jobs.gateway}`).toBe(true);
    },
  );
});
