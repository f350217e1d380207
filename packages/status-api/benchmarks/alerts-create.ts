/**
 * Alert creation through the HTTP API: throughput and latency percentiles on SQLite and on
 * PostgreSQL, empty and with 10,000 open alerts, plus the idempotent repeat path.
 * The real monitoring plugin is mounted (API key check, security headers, body limit, problem
 * answers; rate limit off), with a signed webhook channel routed for the created severity to a
 * local receiver that answers 200: each create commits its alert and its outbox row, and the
 * manager's own workers deliver them while the load runs.
 * Short and bounded: each scenario runs `DURATION_MS` after a warm-up, 16 concurrent clients,
 * load generator, server and receiver in one process on 127.0.0.1.
 *
 *   node --conditions=authlens-source packages/status-api/benchmarks/alerts-create.ts
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { createAlertManager } from '../src/alerts/index.ts';
import monitoring from '../src/index.ts';
import { openDatabase } from '../src/store/index.ts';
import { startReceiver, type TempStore, tempPostgres, tempSqlite } from '../test/alerts-support.ts';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const WARMUP_MS = 500;
const CONCURRENCY = 16;
const OPEN_ALERTS = 10_000;
const API_KEY = randomUUID();

interface Result {
  scenario: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** Outbox rows the measured and warm-up creates committed, and how many were sent by the end. */
  outbox: number;
  sent: number;
}

async function scenario(
  label: string,
  make: () => Promise<TempStore>,
  opts: { seed?: number; repeat?: boolean },
): Promise<Result> {
  const temp = await make();
  const receiver = await startReceiver({ status: 200, body: 'ok' });
  const manager = await createAlertManager({
    storeUrl: temp.url,
    env: {},
    channels: [{ name: 'hook', type: 'webhook', url: `${receiver.url}/hook`, secret: 'bench-secret' }],
    routing: { routes: [{ matchers: ['severity=high'], channels: ['hook'] }] },
    pollIntervalMs: 1000,
  });
  try {
    if (opts.seed) {
      const now = Date.now();
      await manager.store.transaction(async (repo) => {
        for (let i = 0; i < opts.seed!; i++) {
          await repo.upsertAlert({
            id: randomUUID(),
            fingerprint: `seed-${i}`,
            name: `seed_${i % 50}`,
            severity: 'medium',
            message: 'seeded open alert',
            source: 'bench',
            labels: { i: String(i) },
            annotations: {},
            now,
          });
        }
      });
    }
    const app = Fastify();
    await app.register(monitoring, {
      prefix: '/monitoring',
      apiKeys: `bench:${API_KEY}:write`,
      rateLimitPerMinute: false,
      env: {},
      alerts: { manager },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/monitoring/alerts/create/`;
    let n = 0;
    const post = () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
        body: JSON.stringify({
          name: opts.repeat ? 'bench_repeat' : `bench_${n++}`,
          severity: 'high',
          message: 'benchmark alert',
          source: 'bench',
          labels: { service: 'auth', region: 'eu' },
          annotations: { runbook: 'https://runbooks/bench' },
        }),
      });
    const latencies: number[] = [];
    let errors = 0;
    let measuring = false;
    const end = performance.now() + WARMUP_MS + DURATION_MS;
    setTimeout(() => {
      measuring = true;
    }, WARMUP_MS);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) {
          const t0 = performance.now();
          const res = await post();
          await res.arrayBuffer();
          const dt = performance.now() - t0;
          if (res.status !== 201 && res.status !== 200) errors++;
          else if (measuring) latencies.push(dt);
        }
      }),
    );
    await app.close();
    // Let the workers drain what the load queued (bounded), then count the outbox.
    const drainUntil = Date.now() + 30_000;
    while ((await manager.store.pendingDeliveries()) > 0 && Date.now() < drainUntil) await manager.runDue();
    const db = openDatabase(temp.url);
    const [counts] = await db.query<{ outbox: number | string; sent: number | string }>(
      `SELECT COUNT(*) AS outbox, COUNT(*) FILTER (WHERE state = 'sent') AS sent FROM alert_deliveries`,
    );
    await db.close();
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
    return {
      scenario: label,
      requests: latencies.length,
      perSecond: latencies.length / (DURATION_MS / 1000),
      p50: pct(0.5),
      p99: pct(0.99),
      errors,
      outbox: Number(counts?.outbox ?? 0),
      sent: Number(counts?.sent ?? 0),
    };
  } finally {
    await manager.close();
    await receiver.close();
    await temp.drop();
  }
}

const results: Result[] = [];
// Untimed warm-up (JIT, module loading) so the first reported scenario is not penalised.
await scenario('warm-up', tempSqlite, {});
results.push(await scenario('SQLite, empty store', tempSqlite, {}));
results.push(
  await scenario(`SQLite, ${OPEN_ALERTS.toLocaleString('en')} open alerts`, tempSqlite, {
    seed: OPEN_ALERTS,
  }),
);
results.push(await scenario('SQLite, repeat of one open alert (dedup)', tempSqlite, { repeat: true }));
results.push(await scenario('PostgreSQL, empty store', tempPostgres, {}));
results.push(
  await scenario(`PostgreSQL, ${OPEN_ALERTS.toLocaleString('en')} open alerts`, tempPostgres, {
    seed: OPEN_ALERTS,
  }),
);
results.push(await scenario('PostgreSQL, repeat of one open alert (dedup)', tempPostgres, { repeat: true }));

const base = results[0]!.perSecond;
console.log(
  `\nAlert creation via POST /monitoring/alerts/create/ — ${CONCURRENCY} clients, ${DURATION_MS} ms per scenario\n`,
);
console.log('| scenario | requests | alerts/s | ratio | p50 ms | p99 ms | errors | outbox rows | sent |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.scenario} | ${r.requests} | ${r.perSecond.toFixed(0)} | ${(r.perSecond / base).toFixed(2)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${r.outbox} | ${r.sent} |`,
  );
}
