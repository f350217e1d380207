/**
 * The agent → gateway chain of the end-to-end tests: the real binary with collector/agent.yaml
 * and collector/gateway.yaml on free loopback ports, exporting to the real Prometheus (remote
 * write) and to local receivers speaking Loki's and Sentry's OTLP endpoints.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { services } from '../../../test/support/services.ts';
import { sentryOtlpEnv } from '../../sentry-env.ts';
import {
  type CollectorPorts,
  type CollectorProcess,
  collectorDir,
  collectorPorts,
  type OtlpSink,
  portEnv,
  startCollector,
  startOtlpSink,
} from './harness.ts';

const run = promisify(execFile);

export const SENTRY_PROJECT = '4242';

export interface Chain {
  loki: OtlpSink;
  sentry: OtlpSink;
  sentryKey: string;
  gateway: CollectorProcess;
  gatewayPorts: CollectorPorts;
  agent: CollectorProcess;
  /** OTLP/HTTP base URL of the agent, for the SDK. */
  agentOtlpHttp: string;
  stop(): Promise<void>;
}

/** A gateway (collector/gateway.yaml) with local Loki and Sentry receivers and its own storage. */
export interface Gateway {
  loki: OtlpSink;
  sentry: OtlpSink;
  sentryKey: string;
  ports: CollectorPorts;
  /** OTLP/HTTP base URL of the gateway. */
  otlpHttp: string;
  /** The running gateway process (a new one after `restart`). */
  readonly process: CollectorProcess;
  /** Stops the gateway with `signal` and starts it again on the same file_storage directory. */
  restart(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the gateway and the receivers, and removes the storage directory. */
  stop(): Promise<void>;
}

/**
 * Starts Loki and Sentry receivers and a gateway exporting to them and to the real Prometheus;
 * `env` adds or overrides the gateway's variables. The Sentry settings come from a DSN, as an
 * operator derives them, and the Sentry receiver refuses any other `x-sentry-auth`.
 */
export async function startGateway(bin: string, env: Record<string, string> = {}): Promise<Gateway> {
  const storageDir = mkdtempSync(path.join(os.tmpdir(), 'authlens-gw-'));
  const sinks: OtlpSink[] = [];
  let current: CollectorProcess | undefined;
  const stop = async () => {
    await current?.stop();
    for (const sink of sinks.reverse()) await sink.close();
    rmSync(storageDir, { recursive: true, force: true });
  };
  try {
    const loki = await startOtlpSink({ logsPath: '/otlp/v1/logs' });
    sinks.push(loki);
    const sentryKey = randomBytes(16).toString('hex');
    const base = `/api/${SENTRY_PROJECT}/integration/otlp`;
    const sentry = await startOtlpSink({
      logsPath: `${base}/v1/logs`,
      tracesPath: `${base}/v1/traces`,
      requiredHeader: { name: 'x-sentry-auth', value: `sentry sentry_key=${sentryKey}` },
    });
    sinks.push(sentry);
    const ports = await collectorPorts();
    const options = {
      bin,
      name: 'gateway',
      config: 'gateway.yaml',
      healthPort: ports.health,
      metricsPort: ports.metrics,
      env: {
        ...portEnv(ports),
        OTELCOL_STORAGE_DIR: storageDir,
        PROMETHEUS_REMOTE_WRITE_URL: new URL('/api/v1/write', services.prometheusUrl).href,
        LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${loki.port}/otlp`,
        ...sentryOtlpEnv(`http://${sentryKey}@127.0.0.1:${sentry.port}/${SENTRY_PROJECT}`),
        MEMORY_LIMIT_MIB: '256',
        MEMORY_SPIKE_LIMIT_MIB: '64',
        ...env,
      },
    };
    current = await startCollector(options);
    return {
      loki,
      sentry,
      sentryKey,
      ports,
      otlpHttp: `http://127.0.0.1:${ports.http}`,
      get process() {
        return current as CollectorProcess;
      },
      async restart(signal = 'SIGTERM') {
        await current?.stop(signal);
        current = undefined;
        current = await startCollector(options);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Starts a gateway (see `startGateway`) and an agent forwarding to it; `gatewayEnv` goes to the gateway. */
export async function startChain(bin: string, gatewayEnv: Record<string, string> = {}): Promise<Chain> {
  const gateway = await startGateway(bin, gatewayEnv);
  try {
    const agentPorts = await collectorPorts();
    const agent = await startCollector({
      bin,
      name: 'agent',
      config: 'agent.yaml',
      healthPort: agentPorts.health,
      metricsPort: agentPorts.metrics,
      env: {
        ...portEnv(agentPorts),
        GATEWAY_ENDPOINTS: `[127.0.0.1:${gateway.ports.grpc}]`,
        BATCH_TIMEOUT: '200ms',
      },
    });
    return {
      loki: gateway.loki,
      sentry: gateway.sentry,
      sentryKey: gateway.sentryKey,
      gateway: gateway.process,
      gatewayPorts: gateway.ports,
      agent,
      agentOtlpHttp: `http://127.0.0.1:${agentPorts.http}`,
      async stop() {
        await agent.stop();
        await gateway.stop();
      },
    };
  } catch (err) {
    await gateway.stop();
    throw err;
  }
}

/** Runs a fixture under `collector/test/fixtures/` with Node 24 and parses its JSON line. */
export async function runFixture<T>(file: string, env: Record<string, string>): Promise<T> {
  const { stdout } = await run(
    process.execPath,
    ['--conditions=authlens-source', path.join(collectorDir, 'test/fixtures', file)],
    { env: { ...process.env, ...env }, timeout: 30_000 },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as T;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Instant PromQL query against the real Prometheus. */
export async function promQuery(query: string): Promise<PromSample[]> {
  const url = new URL('/api/v1/query', services.prometheusUrl);
  url.searchParams.set('query', query);
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { status: string; data: { result: PromSample[] } };
  if (body.status !== 'success') throw new Error(`PromQL ${query} failed: ${JSON.stringify(body)}`);
  return body.data.result;
}
