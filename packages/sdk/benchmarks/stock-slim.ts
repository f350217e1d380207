/**
 * The benchmark's slim stock baseline: `@opentelemetry/sdk-node` with the same curated
 * instrumentations as authlens (HTTP, undici, pg, ioredis, winston, runtime metrics — not the
 * ~40 auto-instrumentations), the same exporters (OTLP/HTTP protobuf traces, metrics and logs,
 * plus a Prometheus pull endpoint) and the same sampler (`parentbased_traceidratio` from
 * `OTEL_TRACES_SAMPLER_ARG`), all configured through the standard `OTEL_*` environment.
 * The HTTP instrumentation's server side stands in for authlens's own server instrumentation.
 * `BENCH_FASTIFY_OTEL=1` adds `@fastify/otel` (the Fastify project's instrumentation), as a
 * user of stock OpenTelemetry on Fastify would.
 *
 *   node --import ./benchmarks/stock-slim.ts app.js
 */
import { register } from 'node:module';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { WinstonInstrumentation } from '@opentelemetry/instrumentation-winston';
import { NodeSDK } from '@opentelemetry/sdk-node';

// ESM imports of instrumented modules (winston is imported by the app's logger module).
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const instrumentations: Instrumentation[] = [
  new HttpInstrumentation(),
  new UndiciInstrumentation(),
  new PgInstrumentation({ requireParentSpan: true }),
  new IORedisInstrumentation({ requireParentSpan: true }),
  new WinstonInstrumentation(),
  new RuntimeNodeInstrumentation(),
];
if (process.env.BENCH_FASTIFY_OTEL === '1') {
  const { FastifyOtelInstrumentation } = await import('@fastify/otel');
  // @fastify/otel is built against its own OTel instrumentation line (0.222 / core 2.x).
  instrumentations.push(
    new FastifyOtelInstrumentation({ registerOnInitialization: true }) as unknown as Instrumentation,
  );
}

const sdk = new NodeSDK({ instrumentations });
sdk.start();
