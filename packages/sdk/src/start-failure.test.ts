/**
 * A start that fails part-way leaves nothing behind: for each start-up step, a failure
 * injected right after it makes `startSdk` reject with no global provider, propagator or
 * context manager registered, the scrape port closed and no patch or subscription left.
 */
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { context, createContextKey, metrics, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { freePort } from '../test/support/ports.ts';
import { normalizeOptions } from './config.ts';
import { createRedactor } from './redaction.ts';
import { type StartStep, startSdk } from './sdk.ts';
import { sdkState } from './state.ts';

const STEPS: StartStep[] = ['resource', 'metrics', 'traces', 'logs', 'instrumentations', 'sentry', 'globals'];

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const key = createContextKey('probe');
const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

describe('startSdk, failing at each step', () => {
  it.each(STEPS)('after %s: rejects and leaves no global, open port or patch', async (failing) => {
    const emits = [http.Server.prototype.emit, https.Server.prototype.emit];
    const processListeners = PROCESS_EVENTS.map((e) => process.listenerCount(e));
    const port = await freePort();
    const config = normalizeOptions({
      serviceName: 'start-failure',
      handleSignals: false,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        // Sentry starts too (nothing is sent: no event happens; the port is closed).
        SENTRY_DSN: 'http://public@127.0.0.1:9/1',
      },
    });
    const reached: StartStep[] = [];
    await expect(
      startSdk(config, createRedactor(), {
        afterStep(step) {
          reached.push(step);
          if (step === failing) throw new Error(`injected failure after ${step}`);
        },
      }),
    ).rejects.toThrow(`injected failure after ${failing}`);
    expect(reached).toEqual(STEPS.slice(0, STEPS.indexOf(failing) + 1));

    // No global: the API answers with its no-op implementations.
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
    expect(propagation.fields()).toEqual([]);
    expect(context.with(ROOT_CONTEXT.setValue(key, 1), () => context.active().getValue(key))).toBeUndefined();
    const counter = metrics.getMeter('x').createCounter('c');
    expect(counter.constructor.name).toMatch(/^Noop/);
    // No open port, no patch, no subscription, no state.
    expect(await portOpen(port)).toBe(false);
    expect([http.Server.prototype.emit, https.Server.prototype.emit]).toEqual(emits);
    // Sentry's uncaught-exception and unhandled-rejection listeners are gone with it.
    expect(PROCESS_EVENTS.map((e) => process.listenerCount(e))).toEqual(processListeners);
    expect(diagnostics.channel('fastify.initialization').hasSubscribers).toBe(false);
    expect(sdkState().withoutWinstonLogSending).toBeUndefined();
    expect(sdkState().emitLog).toBeUndefined();
  });

  it('succeeds when nothing fails (the probes above can see a running SDK)', async () => {
    const port = await freePort();
    const config = normalizeOptions({
      serviceName: 'start-ok',
      handleSignals: false,
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1' },
    });
    const handle = await startSdk(config, createRedactor());
    try {
      expect(propagation.fields()).toContain('traceparent');
      expect(await portOpen(port)).toBe(true);
      expect(diagnostics.channel('fastify.initialization').hasSubscribers).toBe(true);
      expect(context.with(ROOT_CONTEXT.setValue(key, 1), () => context.active().getValue(key))).toBe(1);
    } finally {
      await handle.shutdown();
    }
    expect(await portOpen(port)).toBe(false);
  });
});
