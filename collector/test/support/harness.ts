/**
 * Test harness for the real collector binary: free loopback ports, collector processes with
 * their logs kept for failure messages, local receivers that speak Loki's and Sentry's OTLP
 * endpoints, and a polling helper.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  decodeLogs,
  decodeTraces,
  type ReceivedLog,
  type ReceivedSpan,
} from '../../../test/support/otlp-proto.ts';
import { freePort } from '../../../test/support/ports.ts';
import { repoRoot } from '../../../test/support/services.ts';

export { freePort };

export const collectorDir = path.join(repoRoot, 'collector');

export interface CollectorPorts {
  grpc: number;
  http: number;
  health: number;
  metrics: number;
  pprof: number;
  zpages: number;
}

/** One free port for each listener of a collector. */
export async function collectorPorts(): Promise<CollectorPorts> {
  const [grpc = 0, http = 0, health = 0, metrics = 0, pprof = 0, zpages = 0] = await Promise.all(
    Array.from({ length: 6 }, freePort),
  );
  return { grpc, http, health, metrics, pprof, zpages };
}

/** The environment that puts a collector's listeners on `ports` (all on 127.0.0.1). */
export function portEnv(ports: CollectorPorts): Record<string, string> {
  return {
    OTLP_GRPC_ENDPOINT: `127.0.0.1:${ports.grpc}`,
    OTLP_HTTP_ENDPOINT: `127.0.0.1:${ports.http}`,
    PPROF_ENDPOINT: `127.0.0.1:${ports.pprof}`,
    ZPAGES_ENDPOINT: `127.0.0.1:${ports.zpages}`,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined, or fails naming `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
}

export interface CollectorProcess {
  readonly name: string;
  readonly healthUrl: string;
  readonly metricsUrl: string;
  /** The collector's stderr so far (its own log). */
  output(): string;
  /** Stops the process (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface CollectorOptions {
  bin: string;
  name: string;
  config: string;
  /** Overlays merged on top of `config`, in order (each a second `--config`, e.g. `debug.yaml`). */
  extraConfigs?: string[];
  env: Record<string, string>;
  healthPort: number;
  metricsPort: number;
}

/** Starts the collector with `config` and waits until its health_check says ready. */
export async function startCollector(opts: CollectorOptions): Promise<CollectorProcess> {
  let log = '';
  const args = [opts.config, ...(opts.extraConfigs ?? [])].flatMap((c) => [
    '--config',
    path.join(collectorDir, c),
  ]);
  const child: ChildProcess = spawn(opts.bin, args, {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...opts.env,
      HEALTH_CHECK_ENDPOINT: `127.0.0.1:${opts.healthPort}`,
      OTELCOL_METRICS_HOST: '127.0.0.1',
      OTELCOL_METRICS_PORT: String(opts.metricsPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const append = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const healthUrl = `http://127.0.0.1:${opts.healthPort}/`;
  const proc: CollectorProcess = {
    name: opts.name,
    healthUrl,
    metricsUrl: `http://127.0.0.1:${opts.metricsPort}/metrics`,
    output: () => log,
    async stop(signal = 'SIGTERM') {
      if (gone) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitFor(
      `${opts.name} collector to become healthy`,
      async () => {
        if (gone) throw new Error(`${opts.name} exited`);
        const res = await fetch(healthUrl, { signal: AbortSignal.timeout(1000) });
        return res.ok ? true : undefined;
      },
      20_000,
    );
  } catch (err) {
    await proc.stop('SIGKILL');
    throw new Error(`${opts.name} collector did not start:\n${log.slice(-4000)}`, { cause: err });
  }
  return proc;
}

/** Reads one sample value of a metric from a Prometheus text exposition. */
export function metricValues(text: string, name: string): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const labels = rest[0] === '{' ? rest.slice(1, rest.indexOf('}')) : '';
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    out.push({ labels, value });
  }
  return out;
}

export interface OtlpSink {
  readonly port: number;
  readonly logs: ReceivedLog[];
  readonly spans: ReceivedSpan[];
  /** Requests refused (wrong path or auth), as `status path`. */
  readonly refused: string[];
  /** Closes the listener and every open connection: the backend is down. */
  down(): Promise<void>;
  /** Listens again on the same port: the backend is back. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export interface SinkOptions {
  /** Path of the logs endpoint, e.g. `/otlp/v1/logs` for Loki. */
  logsPath?: string;
  /** Path of the traces endpoint. */
  tracesPath?: string;
  /** Header that must be present with this exact value, else 401. */
  requiredHeader?: { name: string; value: string };
}

/**
 * A local HTTP receiver for OTLP/HTTP protobuf exports at fixed paths: Loki's native OTLP
 * endpoint (`/otlp/v1/logs`) or Sentry's (`/api/<project>/integration/otlp/v1/{traces,logs}`,
 * with the `x-sentry-auth` header). Records what arrived, decoded.
 */
export async function startOtlpSink(opts: SinkOptions): Promise<OtlpSink> {
  const logs: ReceivedLog[] = [];
  const spans: ReceivedSpan[] = [];
  const refused: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      const reply = (status: number) => {
        if (status !== 200) refused.push(`${status} ${req.method} ${url}`);
        res.writeHead(status, { 'content-type': 'application/x-protobuf' });
        res.end();
      };
      if (req.method !== 'POST') return reply(405);
      const kind = url === opts.logsPath ? 'logs' : url === opts.tracesPath ? 'traces' : undefined;
      if (kind === undefined) return reply(404);
      if (opts.requiredHeader && req.headers[opts.requiredHeader.name] !== opts.requiredHeader.value) {
        return reply(401);
      }
      if (req.headers['content-type'] !== 'application/x-protobuf') return reply(415);
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        if (kind === 'logs') logs.push(...decodeLogs(body));
        else spans.push(...decodeTraces(body));
      } catch {
        return reply(400);
      }
      reply(200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let listening = true;
  const down = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };
  return {
    port,
    logs,
    spans,
    refused,
    down,
    async up() {
      if (listening) return;
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      listening = true;
    },
    close: down,
  };
}

/** Posts OTLP/HTTP JSON log records (one per sequence number) and returns the HTTP status. */
export async function postLogs(
  otlpHttpBase: string,
  serviceName: string,
  seqs: number[],
  bodyBytes = 64,
): Promise<number> {
  const now = `${Date.now()}000000`;
  const padding = 'x'.repeat(bodyBytes);
  const payload = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
        scopeLogs: [
          {
            scope: { name: 'authlens-collector-test' },
            logRecords: seqs.map((seq) => ({
              timeUnixNano: now,
              severityNumber: 9,
              severityText: 'INFO',
              body: { stringValue: `record ${seq} ${padding}` },
              attributes: [{ key: 'seq', value: { intValue: String(seq) } }],
            })),
          },
        ],
      },
    ],
  };
  try {
    const res = await fetch(`${otlpHttpBase}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
