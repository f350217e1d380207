/**
 * Alert ingest side by side: Debian's Alertmanager 0.25 (in memory) and `authlens serve` (the real
 * CLI, key checked, no channels, rate limit on with an unreachable budget) on SQLite and on
 * PostgreSQL, all started in one run and driven by the same load generator (`load.ts`) with the
 * same connections, scenario by scenario, one server after the other:
 *
 * - new alerts: one new alert per request (`POST /monitoring/alerts/create/`; Alertmanager:
 *   `POST /api/v2/alerts` with one alert);
 * - repeats of one open alert (the same alert every request);
 * - Alertmanager-webhook batches of 64 (`POST /monitoring/alerts/webhooks/alertmanager/`, a
 *   version-4 payload as Alertmanager sends it; Alertmanager: `POST /api/v2/alerts` with 64).
 *
 * Prints alerts/s, p50/p99, CPU ms per 1000 alerts of the server process, ratios against
 * Alertmanager's rate for the same scenario (webhook batches also against its single-alert rate),
 * the CPU-time ratio (Alertmanager's CPU per alert over ours: steadier than rates on a loaded
 * machine; PostgreSQL's own CPU is not counted), and RSS idle and after 100,000 alerts. Every authlens 2xx is a committed transaction (durable).
 *
 *   node --conditions=authlens-source packages/status-api/benchmarks/alerts-create.ts
 *
 * authlens runs as users run it: the built dist/ (built first, incrementally), no type stripping.
 * BENCH_FROM=sources runs the TypeScript sources instead (the variant flag
 * `--conditions=authlens-source` does the same for one server, to compare both in one run).
 *
 * Settings: BENCH_DURATION_MS (default 5000 per scenario and server), BENCH_CONNECTIONS (50),
 * BENCH_FILL (100000 alerts before reading RSS), BENCH_CPU_PROF=<dir> (authlens with --cpu-prof,
 * profiles written there on exit), BENCH_BACKENDS=sqlite,postgres, BENCH_SCENARIOS=new,repeat,batch64,
 * BENCH_VARIANTS (A/B in one run: `|`-separated sets of Node flags and `NAME=value` environment
 * settings, one authlens server per set and back end, e.g. `|--max-semi-space-size=64`; an empty
 * set is the CLI as shipped).
 */
import { randomUUID } from 'node:crypto';
import { type TempStore, tempPostgres, tempSqlite } from '../test/support/alerts-support.ts';
import { percentile, runLoad } from './load.ts';
import {
  buildDist,
  cpuMs,
  rssMb,
  type ServerUnderTest,
  startAlertmanager,
  startAuthlens,
} from './servers.ts';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const WARMUP_MS = 1000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const FILL = Number(process.env.BENCH_FILL ?? 100_000);
const BATCH = 64;
const API_KEY = randomUUID();
const backends = (process.env.BENCH_BACKENDS ?? 'sqlite,postgres').split(',');
const variants = (process.env.BENCH_VARIANTS ?? '').split('|').map((v) => v.split(' ').filter(Boolean));
const run = randomUUID().slice(0, 8);
const FROM = process.env.BENCH_FROM === 'sources' ? 'sources' : 'dist';

type Kind = 'am' | 'authlens';
interface Target {
  kind: Kind;
  server: ServerUnderTest;
  temp?: TempStore;
  /** Alerts this target was sent and answered 2xx (all scenarios, warm-up included). */
  alerts: number;
  /** RSS before any load (MB). */
  idleRss?: number;
}

type Scenario = 'new' | 'repeat' | 'batch64';
const ALL_SCENARIOS: Array<{ id: Scenario; label: string; perRequest: number }> = [
  { id: 'new', label: 'new alerts', perRequest: 1 },
  { id: 'repeat', label: 'repeats of one open alert', perRequest: 1 },
  { id: 'batch64', label: `webhook batches of ${BATCH}`, perRequest: BATCH },
];
const only = process.env.BENCH_SCENARIOS?.split(',');
const SCENARIOS = ALL_SCENARIOS.filter((s) => !only || only.includes(s.id));

const labels = (name: string) => ({ alertname: name, severity: 'warning', service: 'auth', region: 'eu' });
const annotations = { summary: 'benchmark alert', runbook: 'https://runbooks.example/bench' };
const amAlert = (name: string) => ({
  labels: labels(name),
  annotations,
  generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
});
const webhookAlert = (name: string) => ({
  status: 'firing',
  labels: labels(name),
  annotations,
  startsAt: new Date().toISOString(),
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
  fingerprint: name.slice(-16),
});

/** Path, headers and body of request `i` of a scenario for a kind of server. */
function request(kind: Kind, scenario: Scenario, prefix: string) {
  const name = (i: number) => `${prefix}_${i}`;
  if (kind === 'am') {
    const body =
      scenario === 'new'
        ? (i: number) => JSON.stringify([amAlert(name(i))])
        : scenario === 'repeat'
          ? () => JSON.stringify([amAlert(`${prefix}_repeat`)])
          : (i: number) =>
              JSON.stringify(Array.from({ length: BATCH }, (_, j) => amAlert(name(i * BATCH + j))));
    return { path: '/api/v2/alerts', headers: {}, body };
  }
  const headers = { authorization: `Bearer ${API_KEY}` };
  if (scenario === 'batch64') {
    return {
      path: '/monitoring/alerts/webhooks/alertmanager/',
      headers,
      body: (i: number) =>
        JSON.stringify({
          version: '4',
          groupKey: `{}:{alertname="${prefix}"}`,
          truncatedAlerts: 0,
          status: 'firing',
          receiver: 'authlens',
          groupLabels: { service: 'auth' },
          commonLabels: { service: 'auth', region: 'eu' },
          commonAnnotations: annotations,
          externalURL: 'http://alertmanager:9093',
          alerts: Array.from({ length: BATCH }, (_, j) => webhookAlert(name(i * BATCH + j))),
        }),
    };
  }
  return {
    path: '/monitoring/alerts/create/',
    headers,
    body: (i: number) =>
      JSON.stringify({
        name: scenario === 'repeat' ? `${prefix}_repeat` : name(i),
        severity: 'medium',
        message: 'benchmark alert',
        source: 'bench',
        labels: { service: 'auth', region: 'eu' },
        annotations,
      }),
  };
}

interface Row {
  scenario: Scenario;
  target: string;
  kind: Kind;
  alertsPerSecond: number;
  p50: number;
  p99: number;
  cpuPer1000: number;
  errors: number;
  firstError?: string;
}

async function measure(t: Target, scenario: (typeof SCENARIOS)[number]): Promise<Row> {
  const r = request(t.kind, scenario.id, `bench_${run}_${scenario.id}`);
  const cpu0 = cpuMs(t.server.pid);
  const result = await runLoad({
    port: t.server.port,
    path: r.path,
    headers: r.headers,
    body: r.body,
    connections: CONNECTIONS,
    durationMs: DURATION_MS,
    warmupMs: WARMUP_MS,
  });
  const cpu = cpuMs(t.server.pid) - cpu0;
  // Count every answered request, warm-up included, toward the RSS fill.
  t.alerts += (result.ok + result.errors) * scenario.perRequest;
  const sorted = result.latenciesMs.sort((a, b) => a - b);
  const alerts = result.ok * scenario.perRequest;
  return {
    scenario: scenario.id,
    target: t.server.name,
    kind: t.kind,
    alertsPerSecond: alerts / (result.measuredMs / 1000),
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    // CPU over warm-up + measurement, per alert answered in that whole time.
    cpuPer1000:
      (cpu /
        Math.max(
          1,
          (result.ok / result.measuredMs) * (result.measuredMs + WARMUP_MS) * scenario.perRequest,
        )) *
      1000,
    errors: result.errors,
    firstError: result.firstError,
  };
}

/** Sends webhook batches (Alertmanager: /api/v2/alerts batches) until `FILL` alerts, then reads RSS. */
async function fill(t: Target): Promise<number> {
  const r = request(t.kind, 'batch64', `fill_${run}`);
  let i = 0;
  while (t.alerts < FILL) {
    const res = await fetch(`http://127.0.0.1:${t.server.port}${r.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...r.headers },
      body: r.body(i++),
    });
    await res.arrayBuffer();
    if (res.status >= 300) throw new Error(`${t.server.name}: fill answered ${res.status}`);
    t.alerts += BATCH;
  }
  await new Promise((r) => setTimeout(r, 1000));
  return rssMb(t.server.pid);
}

const targets: Target[] = [];
if (FROM === 'dist') buildDist();
try {
  targets.push({ kind: 'am', server: await startAlertmanager(), alerts: 0 });
  for (const backend of backends) {
    for (const flags of variants) {
      const temp = backend === 'postgres' ? await tempPostgres() : await tempSqlite();
      const prof = process.env.BENCH_CPU_PROF;
      const server = await startAuthlens({
        name: `authlens ${backend === 'postgres' ? 'PostgreSQL' : 'SQLite'}${flags.length ? ` ${flags.join(' ')}` : ''}`,
        storeUrl: temp.url,
        apiKey: API_KEY,
        from: FROM,
        nodeFlags: [
          ...flags.filter((f) => f.startsWith('-')),
          ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []),
        ],
        env: {
          // Room for a 64-alert webhook payload until the receiver has its own body limit.
          MONITORING_BODY_LIMIT_BYTES: String(4 * 1024 * 1024),
          ...Object.fromEntries(
            flags
              .filter((f) => !f.startsWith('-'))
              .map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]),
          ),
        },
      });
      targets.push({ kind: 'authlens', server, temp, alerts: 0 });
    }
  }
  for (const t of targets) t.idleRss = rssMb(t.server.pid);
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    for (const t of targets) {
      const logBefore = t.server.logBytes();
      const row = await measure(t, scenario);
      rows.push(row);
      process.stderr.write(
        `${scenario.label} · ${t.server.name}: ${row.alertsPerSecond.toFixed(0)} alerts/s, p99 ${row.p99.toFixed(1)} ms, ` +
          `${row.errors} errors${row.firstError ? ` (${row.firstError})` : ''}, log ${t.server.logBytes() - logBefore} B\n`,
      );
    }
  }
  const rss = new Map<string, number>();
  for (const t of targets) rss.set(t.server.name, await fill(t));

  const am = (s: Scenario) => rows.find((r) => r.kind === 'am' && r.scenario === s)!;
  console.log(
    `\nAlert ingest, side by side — ${CONNECTIONS} connections, ${DURATION_MS} ms per scenario and server (after ${WARMUP_MS} ms warm-up)\n`,
  );
  console.log(
    '| scenario | server | alerts/s | × Alertmanager | p50 ms | p99 ms | p99 × AM | CPU ms / 1000 alerts | CPU × AM | errors |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of SCENARIOS) {
    const base = am(s.id);
    const single = rows.find((r) => r.kind === 'am' && r.scenario === 'new') ?? base;
    for (const r of rows.filter((x) => x.scenario === s.id)) {
      const ratio =
        r.kind === 'am'
          ? '1.00'
          : s.id === 'batch64'
            ? `${(r.alertsPerSecond / base.alertsPerSecond).toFixed(2)} (${(r.alertsPerSecond / single.alertsPerSecond).toFixed(2)} of AM single)`
            : (r.alertsPerSecond / base.alertsPerSecond).toFixed(2);
      console.log(
        `| ${s.label} | ${r.target} | ${r.alertsPerSecond.toFixed(0)} | ${ratio} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${(r.p99 / base.p99).toFixed(2)} | ${r.cpuPer1000.toFixed(0)} | ${(base.cpuPer1000 / r.cpuPer1000).toFixed(2)} | ${r.errors} |`,
      );
    }
  }
  console.log(
    `\nRSS idle, and after ${FILL.toLocaleString('en')} alerts (authlens from ${FROM === 'dist' ? 'the built dist/' : 'the TypeScript sources'}):`,
  );
  for (const t of targets)
    console.log(`- ${t.server.name}: ${t.idleRss?.toFixed(0)} MB, ${rss.get(t.server.name)?.toFixed(0)} MB`);
} finally {
  for (const t of targets) {
    await t.server.stop().catch(() => undefined);
    await t.temp?.drop().catch(() => undefined);
  }
}
