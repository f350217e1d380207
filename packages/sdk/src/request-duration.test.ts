import { resourceFromAttributes } from '@opentelemetry/resources';
import { type HistogramMetricData, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { fuzz } from '../test/support/fuzz.ts';
import { HTTP_DURATION_BUCKETS } from './pipelines/metrics.ts';
import { RequestDurationHistogram } from './request-duration.ts';

class Reader extends MetricReader {
  protected override async onForceFlush() {}
  protected override async onShutdown() {}
}

const resource = resourceFromAttributes({ 'service.name': 'test' });
const scope = { name: '@authlens/sdk', version: undefined, schemaUrl: undefined };

describe('RequestDurationHistogram', () => {
  it('reports what the SDK histogram reports for the same measurements', async () => {
    const mine = new RequestDurationHistogram({
      name: 'http.server.request.duration',
      unit: 's',
      description: 'd',
      boundaries: HTTP_DURATION_BUCKETS,
      resource,
      scope,
    });
    const reader = new Reader();
    const provider = new MeterProvider({ resource, readers: [reader] });
    const sdk = provider.getMeter('x').createHistogram('http.server.request.duration', {
      advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
    });
    // Boundary values (inclusive upper bounds), below the first, above the last, and a mix of keys.
    type Sample = [number, string, string, number, 'http' | 'https', string | undefined];
    const samples: Sample[] = [
      [0.005, 'POST', '/login', 200, 'http', undefined],
      [0.0049, 'POST', '/login', 200, 'http', undefined],
      [0.0051, 'POST', '/login', 200, 'https', undefined],
      [10, 'POST', '/login', 200, 'http', undefined],
      [11, 'POST', '/login', 200, 'http', undefined],
      [0.2, 'POST', '/login', 401, 'http', undefined],
      [0.03, 'GET', 'other', 404, 'http', undefined],
      [0.4, 'GET', 'other', 503, 'http', '503'],
      [0.1, 'GET', 'other', 200, 'http', '_OTHER'],
    ];
    const { seed, random } = fuzz('request duration');
    for (let i = 0; i < 50; i++) samples.push([random() * 3, 'GET', '/users/:id', 200, 'http', undefined]);
    for (const [s, method, route, status, scheme, errorType] of samples) {
      mine.record(s, method, route, status, scheme, errorType);
      sdk.record(s, {
        'http.request.method': method,
        'http.route': route,
        'http.response.status_code': status,
        'url.scheme': scheme,
        ...(errorType === undefined ? {} : { 'error.type': errorType }),
      });
    }
    const expected = (await reader.collect()).resourceMetrics.scopeMetrics[0]
      ?.metrics[0] as HistogramMetricData;
    const got = (await mine.collect()).resourceMetrics.scopeMetrics[0]?.metrics[0] as HistogramMetricData;
    expect(got.descriptor.name).toBe('http.server.request.duration');
    expect(got.dataPointType).toBe(expected.dataPointType);
    expect(got.aggregationTemporality).toBe(expected.aggregationTemporality);
    const key = (p: HistogramMetricData['dataPoints'][number]) =>
      JSON.stringify(Object.entries(p.attributes).sort(([a], [b]) => a.localeCompare(b)));
    const byKey = new Map(expected.dataPoints.map((p) => [key(p), p.value]));
    expect(got.dataPoints).toHaveLength(expected.dataPoints.length);
    for (const p of got.dataPoints) {
      const e = byKey.get(key(p));
      const where = `${key(p)}, AUTHLENS_FUZZ_SEED=${seed}`;
      expect(e, where).toBeDefined();
      expect(p.value.buckets, where).toEqual(e?.buckets);
      expect(p.value.count, where).toBe(e?.count);
      expect(p.value.sum, where).toBeCloseTo(e?.sum ?? Number.NaN, 9);
      expect(p.value.min, where).toBe(e?.min);
      expect(p.value.max, where).toBe(e?.max);
    }
    await provider.shutdown();
  });

  it('reports nothing before the first request', async () => {
    const mine = new RequestDurationHistogram({
      name: 'n',
      unit: 's',
      description: 'd',
      boundaries: [1],
      resource,
      scope,
    });
    expect((await mine.collect()).resourceMetrics.scopeMetrics).toEqual([]);
  });
});
