/**
 * `bash scripts/demo --stack` as a user runs it (the getting-started page's command), with the
 * real collector binary and Debian's Prometheus: it must print where to look, and every printed
 * URL must answer on the Prometheus it runs; the service's login counter must reach Prometheus
 * both through the collector and by the direct scrape, with logins after the first scrape so
 * that the Authentication dashboard's panels have data; and Ctrl-C (SIGINT to the process group,
 * as a terminal sends it) must end it — every child process included — within 5 s, exit 0 with
 * no pnpm noise, and remove its temp directory.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, requireCollector } from '../../../test/support/services.ts';
import { type DemoProcess, demoScript, startDemo } from './demo-process.ts';

/** Variables that would pin a port of the stack; the test wants every port free. */
const PORT_OVERRIDES = [
  'DEMO_PROMETHEUS_PORT',
  'OTEL_EXPORTER_PROMETHEUS_PORT',
  'OTLP_HTTP_ENDPOINT',
  'OTLP_GRPC_ENDPOINT',
  'HEALTH_CHECK_ENDPOINT',
  'PPROF_ENDPOINT',
  'ZPAGES_ENDPOINT',
  'PROMETHEUS_EXPORTER_ENDPOINT',
  'OTELCOL_METRICS_PORT',
  'LOKI_OTLP_ENDPOINT',
  'SENTRY_OTLP_ENDPOINT',
  'OTEL_SERVICE_NAME',
];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    await new Promise((r) => setTimeout(r, 500));
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
};

describe('bash scripts/demo --stack', () => {
  let demo: DemoProcess;
  const pids: Record<string, number> = {};
  const field = (label: string) => demo.field(label);

  beforeAll(async () => {
    requireCollector();
    requireBinary('prometheus', 'prometheus');
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', NODE_OPTIONS: '' };
    for (const name of PORT_OVERRIDES) delete env[name];
    demo = await startDemo(demoScript('--stack'), env, 70_000);
    // "Processes:  prometheus 123, collector 124, service 125"
    const line = demo.output.match(/^\s+Processes:(.*)$/m)?.[1] ?? '';
    for (const [, role, pid] of line.matchAll(/([a-z]+) (\d+)/g)) pids[role as string] = Number(pid);
  }, 80_000);

  afterAll(async () => {
    await demo?.kill();
    // Only if the demo failed to stop them: never leave the stack running.
    for (const pid of Object.values(pids)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('drives the traffic script and prints every URL and the child PIDs', () => {
    expect(demo.output).not.toContain('✗');
    expect(demo.output).toContain('second burst');
    expect(demo.output).toContain('logins after the first scrape');
    for (const label of [
      'Service',
      'Status page',
      'Detailed health',
      'Metrics',
      'Alerts',
      'Collector health',
      'Collector metrics',
      'Prometheus',
      'Prometheus query',
      'Prometheus alerts',
      'Prometheus targets',
    ]) {
      expect(field(label), label).toMatch(/^http:\/\/127\.0\.0\.1:\d+(\/|$)/);
    }
    expect(decodeURIComponent(field('Prometheus query'))).toContain('auth_login_attempts_total');
    expect(Object.keys(pids).sort()).toEqual(['collector', 'prometheus', 'service']);
    for (const pid of Object.values(pids)) expect(isAlive(pid)).toBe(true);
  });

  it('prints Prometheus pages that this Prometheus serves, and the datasource URL for Grafana', async () => {
    for (const label of ['Prometheus alerts', 'Prometheus targets', 'Prometheus query']) {
      const res = await fetch(field(label), { redirect: 'manual' });
      expect(res.status, `${label}: ${field(label)}`).toBe(200);
      expect(await res.text(), label).toMatch(/<html/i);
    }
    expect(field('Grafana datasource')).toBe(`PROMETHEUS_URL=${field('Prometheus')}`);
  });

  it("gives the getting-started page's Authentication panels data (logins after the first scrape)", async () => {
    const prom = field('Prometheus');
    const job = 'auth-service-demo';
    // The panels' own shapes: success ratio, attempts by method and outcome, failures by reason.
    const panels = {
      'Login success rate': `sum(rate(auth_login_attempts_total{job="${job}",auth_outcome="success"}[5m])) / sum(rate(auth_login_attempts_total{job="${job}"}[5m]))`,
      'Login attempts by method and outcome': `sum by (auth_method, auth_outcome) (rate(auth_login_attempts_total{job="${job}"}[5m]))`,
      'Why logins fail': `sum by (auth_failure_reason) (increase(auth_login_attempts_total{job="${job}",auth_outcome="failure"}[5m]))`,
    };
    for (const [panel, expr] of Object.entries(panels)) {
      const value = await until(`${panel} to have a value > 0`, async () => {
        const body = (await (
          await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`)
        ).json()) as {
          data: { result: { value: [number, string] }[] };
        };
        const values = body.data.result.map((r) => Number(r.value[1]));
        return values.some((v) => v > 0) ? values : undefined;
      });
      expect(value.length, panel).toBeGreaterThan(0);
    }
  });

  it('serves the auth service and its monitoring endpoints', async () => {
    expect((await fetch(field('Status page'))).status).toBe(200);
    const key = field('API key \\(write\\)');
    const detailed = await fetch(field('Detailed health'), { headers: { authorization: `Bearer ${key}` } });
    expect(detailed.status).toBe(200);
  });

  it("answers the collector's health check and exposes its own metrics", async () => {
    const health = await fetch(field('Collector health'));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'Server available' });
    // The service's first metric export (every 2 s) shows in the collector's intake counter.
    await until('metric points accepted by the collector', async () => {
      const own = await (await fetch(field('Collector metrics'))).text();
      return /^otelcol_receiver_accepted_metric_points_total\{[^}]*\} [1-9]/m.test(own) ? true : undefined;
    });
  });

  it('shows the login counter in Prometheus, through the collector and by the direct scrape, equal', async () => {
    const prom = field('Prometheus');
    const query = async (q: string) => {
      const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      return body.data.result;
    };
    const byJob = await until('auth_login_attempts_total from both paths, equal and > 0', async () => {
      const result = await query('sum by (job) (auth_login_attempts_total{auth_outcome="failure"})');
      const values = Object.fromEntries(result.map((r) => [r.metric.job, Number(r.value[1])]));
      const viaCollector = values['auth-service-demo'] ?? 0;
      const direct = values['auth-service-direct'] ?? 0;
      return viaCollector > 0 && viaCollector === direct ? values : undefined;
    });
    // 2 bad passwords + 12 brute-force tries + 1 wrong MFA code all count as failures.
    expect(byJob['auth-service-demo']).toBeGreaterThanOrEqual(14);
    // The collector's own metrics are scraped too, and the repo's rules are loaded.
    const up = await query('up{job="otelcol"}');
    expect(up.map((r) => r.value[1])).toEqual(['1']);
    const rules = (await (await fetch(`${prom}/api/v1/rules`)).json()) as {
      data: { groups: { name: string; file: string; rules: { name: string }[] }[] };
    };
    const alerts = rules.data.groups.find((g) => g.name === 'authlens-alerts');
    expect(alerts?.file).toMatch(/dashboards\/rules\/authlens\.rules\.yml$/);
    expect(alerts?.rules.map((r) => r.name)).toContain('AuthlensBruteForceSuspected');
  });

  it("fires the repository's AuthlensBruteForceSuspected rule in that Prometheus", async () => {
    const prom = field('Prometheus');
    const firing = await until('AuthlensBruteForceSuspected firing', async () => {
      const body = (await (await fetch(`${prom}/api/v1/alerts`)).json()) as {
        data: { alerts: { labels: Record<string, string>; state: string }[] };
      };
      const jobs = body.data.alerts
        .filter((a) => a.labels.alertname === 'AuthlensBruteForceSuspected' && a.state === 'firing')
        .map((a) => a.labels.job);
      return jobs.includes('auth-service-demo') ? jobs : undefined;
    });
    expect(firing).toContain('auth-service-demo');
  });

  it('delivers logs to the local Loki and Sentry sinks (nothing retries in a loop)', async () => {
    const received = await until('logs at the Loki sink', async () => {
      const counts = (await (await fetch(field('Loki/Sentry sink'))).json()) as Record<
        string,
        { requests: number }
      >;
      return (counts['/loki/otlp/v1/logs']?.requests ?? 0) > 0 ? counts : undefined;
    });
    expect(received['/sentry/api/1/integration/otlp/v1/logs']?.requests).toBeGreaterThan(0);
  });

  it('stops every child within 5 s of SIGINT and removes its temp directory', async () => {
    const logs = field('Logs');
    const workDir = path.dirname(logs);
    expect(existsSync(workDir)).toBe(true);
    const started = Date.now();
    demo.signalGroup('SIGINT');
    const result = await demo.exit;
    const elapsed = Date.now() - started;
    expect(result).toEqual({ code: 0, signal: null });
    expect(demo.output).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
    expect(elapsed).toBeLessThan(5000);
    for (const [role, pid] of Object.entries(pids)) expect(isAlive(pid), `${role} (pid ${pid})`).toBe(false);
    expect(existsSync(workDir)).toBe(false);
    await expect(fetch(field('Prometheus'), { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    await expect(fetch(field('Collector health'), { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });
});
