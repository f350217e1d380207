/**
 * Burst test with the real gateway (collector/gateway.yaml): 8 concurrent 4 MB OTLP/JSON log
 * requests for 8 s; the Go heap, read from the collector's own metrics every 100 ms while the
 * burst runs, stays under the memory_limiter's limit_mib. The gateway runs with GOMEMLIMIT at
 * 80 % of limit_mib, as the deploy examples set it: without it, the heap reached 152 MiB against a
 * 128 MiB limit here, because the limiter checks once a second and request decoding happens
 * before it (see docs/collector.md, Sizing).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCollector } from '../../test/support/services.ts';
import { type Gateway, startGateway } from './support/chain.ts';
import { metricValues, sleep, waitFor } from './support/harness.ts';

const LIMIT_MIB = 128;
const SPIKE_MIB = 32;
const BURST_MS = 8000;
const CONCURRENCY = 8;
const RECORDS_PER_REQUEST = 2000;
const MiB = 1024 * 1024;

let gw: Gateway | undefined;

beforeAll(async () => {
  gw = await startGateway(requireCollector(), {
    MEMORY_LIMIT_MIB: String(LIMIT_MIB),
    MEMORY_SPIKE_LIMIT_MIB: String(SPIKE_MIB),
    LOKI_QUEUE_SIZE: '20000',
    SENTRY_QUEUE_SIZE: '20000',
    OTELCOL_LOG_LEVEL: 'error',
    GOMEMLIMIT: `${Math.floor(LIMIT_MIB * 0.8)}MiB`,
  });
});

afterAll(async () => {
  await gw?.stop();
});

describe('gateway under a burst', () => {
  it('keeps the heap under the memory_limiter bound', async () => {
    const serviceName = `collector-burst-${randomBytes(4).toString('hex')}`;
    const padding = 'y'.repeat(2048);
    const body = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
          scopeLogs: [
            {
              logRecords: Array.from({ length: RECORDS_PER_REQUEST }, (_, i) => ({
                severityNumber: 9,
                body: { stringValue: `burst ${i} ${padding}` },
              })),
            },
          ],
        },
      ],
    });
    const statuses = new Map<number, number>();
    const deadline = Date.now() + BURST_MS;
    let maxHeap = 0;
    let maxRss = 0;
    const metricsUrl = gw?.process.metricsUrl ?? '';
    const sample = async () => {
      const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) })).text();
      maxHeap = Math.max(
        maxHeap,
        metricValues(text, 'otelcol_process_runtime_heap_alloc_bytes')[0]?.value ?? 0,
      );
      maxRss = Math.max(maxRss, metricValues(text, 'otelcol_process_memory_rss_bytes')[0]?.value ?? 0);
      return text;
    };
    const sampler = (async () => {
      while (Date.now() < deadline + 1000) {
        await sample().catch(() => undefined);
        await sleep(100);
      }
    })();
    const senders = Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) {
        const status = await fetch(`${gw?.otlpHttp}/v1/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(15_000),
        })
          .then(async (res) => {
            await res.arrayBuffer();
            return res.status;
          })
          .catch(() => 0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    });
    await Promise.all([...senders, sampler]);
    // On a loaded machine the first scrape after the burst can take longer than a sample's 2 s.
    const text = await waitFor("the gateway's metrics after the burst", () => sample(), 20_000, 500);
    const sum = (name: string) => metricValues(text, name).reduce((a, m) => a + m.value, 0);
    const accepted = sum('otelcol_receiver_accepted_log_records_total');
    const refused = sum('otelcol_receiver_refused_log_records_total');
    console.info(
      `burst: ${JSON.stringify(Object.fromEntries(statuses))} (HTTP status → requests), ` +
        `${accepted} records accepted, ${refused} refused; max heap ${(maxHeap / MiB).toFixed(1)} MiB, ` +
        `max RSS ${(maxRss / MiB).toFixed(1)} MiB (limit ${LIMIT_MIB} MiB, spike ${SPIKE_MIB} MiB)`,
    );
    expect(accepted).toBeGreaterThan(0);
    expect(maxHeap).toBeGreaterThan(0);
    expect(maxHeap).toBeLessThan(LIMIT_MIB * MiB);
    // The gateway is still healthy after the burst.
    const health = await fetch(gw?.process.healthUrl ?? '');
    expect(health.status).toBe(200);
  }, 60_000);
});
