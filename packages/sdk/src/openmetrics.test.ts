import { TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { acceptsOpenMetrics, serializeOpenMetrics } from './openmetrics.ts';
import { withUnitSuffixes } from './pipelines/metrics.ts';
import { RequestDurationHistogram } from './request-duration.ts';

class Reader extends MetricReader {
  protected override async onForceFlush() {}
  protected override async onShutdown() {}
}

const resource = resourceFromAttributes({ 'service.name': 'om-test', 'service.version': '1.2.3' });
const sampled = (n: number) => ({
  traceId: n.toString(16).padStart(32, '0'),
  spanId: n.toString(16).padStart(16, '0'),
  traceFlags: TraceFlags.SAMPLED,
});

async function scrape(record: (h: RequestDurationHistogram, provider: MeterProvider) => void) {
  const histogram = new RequestDurationHistogram({
    name: 'http.server.request.duration',
    unit: 's',
    description: 'Duration of inbound HTTP requests.',
    boundaries: [0.1, 0.5],
    resource,
    scope: { name: '@authlens/sdk', version: undefined, schemaUrl: undefined },
  });
  const reader = new Reader({ metricProducers: [histogram] });
  const provider = new MeterProvider({ resource, readers: [reader] });
  record(histogram, provider);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return serializeOpenMetrics(withUnitSuffixes(resourceMetrics));
}

describe('serializeOpenMetrics', () => {
  it('writes the latest sampled exemplar of each bucket and none for unsampled requests', async () => {
    const text = await scrape((h) => {
      h.record(0.05, 'POST', '/login', 200, 'http', undefined, sampled(1));
      h.record(0.07, 'POST', '/login', 200, 'http', undefined, sampled(2)); // replaces 1 in bucket le=0.1
      h.record(0.08, 'POST', '/login', 200, 'http', undefined); // unsampled: keeps 2
      h.record(0.3, 'POST', '/login', 200, 'http', undefined); // unsampled only: no exemplar on le=0.5
      h.record(2, 'POST', '/login', 200, 'http', undefined, sampled(3));
    });
    const labels =
      'http_request_method="POST",http_route="/login",http_response_status_code="200",url_scheme="http",otel_scope_name="@authlens/sdk"';
    const lines = text.split('\n').filter((l) => l.startsWith('http_server_request_duration_seconds'));
    expect(lines[0]).toMatch(
      new RegExp(
        `^http_server_request_duration_seconds_bucket\\{${labels},le="0.1"\\} 3 # \\{trace_id="0{31}2",span_id="0{15}2"\\} 0.07 \\d{10}\\.\\d{3}$`,
      ),
    );
    expect(lines[1]).toBe(`http_server_request_duration_seconds_bucket{${labels},le="0.5"} 4`);
    expect(lines[2]).toMatch(
      /^http_server_request_duration_seconds_bucket\{.*,le="\+Inf"\} 5 # \{trace_id="0{31}3",span_id="0{15}3"\} 2 \d+\.\d{3}$/,
    );
    expect(lines[3]).toBe(`http_server_request_duration_seconds_count{${labels}} 5`);
    expect(lines[4]).toMatch(/^http_server_request_duration_seconds_sum\{.*\} 2\.5/);
    // The exemplar timestamp is now, in seconds.
    const ts = Number(/ (\d+\.\d{3})$/.exec(lines[0] ?? '')?.[1]);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(60);
  });

  it('names counters with _total on the samples only, declares units and ends with # EOF', async () => {
    const text = await scrape((h, provider) => {
      h.record(0.2, 'GET', 'other', 404, 'http', undefined);
      const meter = provider.getMeter('@authlens/sdk');
      meter
        .createCounter('auth.login.attempts', {
          unit: '{attempt}',
          description: 'Login "attempts"\nby result.',
        })
        .add(2, { 'auth.success': 'false' });
      meter.createUpDownCounter('auth.sessions.active', { unit: '{session}' }).add(3);
      meter.createHistogram('auth.login.duration', { unit: 's' }).record(0.2);
    });
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text.match(/# EOF/g)).toHaveLength(1);
    expect(text).toContain(
      '# TYPE auth_login_attempts counter\n# HELP auth_login_attempts Login \\"attempts\\"\\nby result.\n' +
        'auth_login_attempts_total{auth_success="false",otel_scope_name="@authlens/sdk"} 2\n',
    );
    expect(text).toContain(
      '# TYPE auth_sessions_active gauge\nauth_sessions_active{otel_scope_name="@authlens/sdk"} 3\n',
    );
    expect(text).toContain(
      '# TYPE http_server_request_duration_seconds histogram\n# UNIT http_server_request_duration_seconds seconds\n',
    );
    expect(text).toContain(
      '# TYPE auth_login_duration_seconds histogram\n# UNIT auth_login_duration_seconds seconds\n',
    );
    expect(text).toMatch(
      /^# TYPE target info\n# HELP target Target metadata\ntarget_info\{service_name="om-test",service_version="1\.2\.3"[^}]*\} 1\n/,
    );
    // No exemplar without a sampled request; each family is declared once.
    expect(text).not.toContain('trace_id');
    expect(text.match(/# TYPE http_server_request_duration_seconds /g)).toHaveLength(1);
  });
});

describe('acceptsOpenMetrics', () => {
  it('follows the Accept header Prometheus sends, and refuses q=0 or its absence', () => {
    expect(
      acceptsOpenMetrics(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
    ).toBe(true);
    expect(acceptsOpenMetrics('text/plain;version=0.0.4')).toBe(false);
    expect(acceptsOpenMetrics(undefined)).toBe(false);
    expect(acceptsOpenMetrics('application/openmetrics-text; q=0, text/plain')).toBe(false);
  });
});
