/**
 * Fault test with the real gateway (collector/gateway.yaml): the Loki backend (a local receiver
 * speaking Loki's OTLP endpoint) is down for 30 s while log traffic flows, and the gateway is
 * killed (SIGKILL) and restarted on the same file_storage directory in the middle of the outage.
 * Every log record the gateway accepted (HTTP 200) must reach Loki once it is back.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCollector } from '../../test/support/services.ts';
import { type Gateway, startGateway } from './support/chain.ts';
import { metricValues, postLogs, sleep, waitFor } from './support/harness.ts';

const OUTAGE_MS = 30_000;
const BATCH = 20;

const serviceName = `collector-fault-${randomBytes(4).toString('hex')}`;
let gw: Gateway | undefined;

beforeAll(async () => {
  gw = await startGateway(requireCollector(), {
    EXPORT_RETRY_INITIAL_INTERVAL: '200ms',
    EXPORT_RETRY_MAX_INTERVAL: '1s',
  });
});

afterAll(async () => {
  await gw?.stop();
});

describe('gateway persistent queue', () => {
  it('loses no accepted log record while Loki is down for 30 s and the gateway restarts', async () => {
    const { loki, otlpHttp } = gw as Gateway;
    const accepted = new Set<number>();
    let next = 0;
    let sending = true;
    let refusedRequests = 0;
    const sender = (async () => {
      while (sending) {
        const seqs = Array.from({ length: BATCH }, () => next++);
        const status = await postLogs(otlpHttp, serviceName, seqs);
        if (status === 200) for (const s of seqs) accepted.add(s);
        else refusedRequests++;
        await sleep(100);
      }
    })();
    const received = () =>
      new Set(
        loki.logs
          .filter((l) => l.resource['service.name'] === serviceName)
          .map((l) => Number(l.attributes.seq)),
      );

    await sleep(3000);
    expect(received().size).toBeGreaterThan(0);
    await loki.down();
    const acceptedBeforeOutage = accepted.size;
    const outageStart = Date.now();

    // Mid-outage: the queue on disk holds what the gateway accepted; kill it hard and restart.
    await sleep(OUTAGE_MS / 2 - 3000);
    const metrics = await (await fetch(gw?.process.metricsUrl ?? '')).text();
    const queued = metricValues(metrics, 'otelcol_exporter_queue_size').find((m) =>
      m.labels.includes('exporter="otlp_http/loki"'),
    );
    expect(queued?.value ?? 0).toBeGreaterThan(0);
    // The exporter keeps retrying (send_failed counts only batches it gives up on).
    expect(gw?.process.output()).toMatch(/Exporting failed\. Will retry[^\n]*otlp_http\/loki/);
    if (process.env.DEBUG_COLLECTOR)
      console.log(
        metrics
          .split('\n')
          .filter((l) => /^otelcol_(exporter|receiver)/.test(l))
          .join('\n'),
      );
    await gw?.restart('SIGKILL');

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStart)));
    const acceptedDuringOutage = accepted.size - acceptedBeforeOutage;
    expect(acceptedDuringOutage).toBeGreaterThan(0);
    await loki.up();
    await sleep(2000);
    sending = false;
    await sender;

    const missing = await waitFor(
      'every accepted record at the Loki receiver',
      () => {
        const got = received();
        const lost = [...accepted].filter((s) => !got.has(s));
        return lost.length === 0 ? lost : undefined;
      },
      30_000,
      500,
    ).catch(() => [...accepted].filter((s) => !received().has(s)));
    expect(missing.slice(0, 20), `${missing.length} of ${accepted.size} accepted records lost`).toEqual([]);
    console.info(
      `fault test: ${accepted.size} records accepted (${acceptedDuringOutage} during the 30 s outage), ` +
        `${refusedRequests} requests refused while the gateway restarted, ${received().size} distinct at Loki, ` +
        `${loki.logs.length} deliveries (at least once)`,
    );
  }, 100_000);
});
