/** Health checks of HTTP dependencies (OAuth providers, SMS and e-mail APIs) and the OTel collector. */
import { type CommonCheckOptions, common, elapsed, latencyStatus } from './check-options.ts';
import type { HealthCheck, HealthStatus } from './types.ts';

export interface HttpCheckOptions extends CommonCheckOptions {
  url: string;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Which status codes count as up. Default: below 400. */
  isUp?: (status: number) => boolean;
}

/** Status code and latency of an HTTP dependency. */
export function httpCheck(options: HttpCheckOptions): HealthCheck {
  const degradedMs = options.degradedMs ?? 1000;
  const isUp = options.isUp ?? ((status: number) => status < 400);
  const url = new URL(options.url);
  return {
    ...common(options, {
      name: url.hostname,
      displayName: 'External service',
      componentType: 'http',
      critical: false,
    }),
    async check(signal) {
      const started = performance.now();
      const res = await fetch(url, {
        method: options.method ?? 'GET',
        headers: options.headers,
        signal,
        redirect: 'manual',
      }).catch((err: unknown) => {
        // undici says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is in `cause`.
        const code = ((err as Error).cause as { code?: unknown } | undefined)?.code;
        throw typeof code === 'string' ? new Error(`request failed: ${code}`, { cause: err }) : err;
      });
      await res.body?.cancel();
      const ms = elapsed(started);
      const up = isUp(res.status);
      const status: HealthStatus = up ? latencyStatus(ms, degradedMs) : 'fail';
      return {
        status,
        message: up ? `HTTP ${res.status}` : `unexpected HTTP ${res.status}`,
        observations: [
          { measurement: 'responseTime', observedValue: ms, observedUnit: 'ms' },
          { measurement: 'statusCode', observedValue: res.status },
        ],
        details: { statusCode: res.status },
      };
    },
  };
}

export interface CollectorCheckOptions extends Omit<HttpCheckOptions, 'url'> {
  /** The collector's `health_check` extension. Default `http://127.0.0.1:13133/`. */
  url?: string;
}

/** The OpenTelemetry Collector's `health_check` extension (non-critical: telemetry never takes the service down). */
export function collectorCheck(options: CollectorCheckOptions = {}): HealthCheck {
  return httpCheck({
    name: 'otel-collector',
    displayName: 'Telemetry pipeline',
    critical: false,
    ...options,
    url: options.url ?? 'http://127.0.0.1:13133/',
  });
}
