/**
 * Built-in health checks. Each factory returns a `HealthCheck`; checks given a URL own their
 * connection (closed by `registry.close()`), checks given a client/pool only borrow it.
 */
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import tls from 'node:tls';
import v8 from 'node:v8';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { HealthCheck, HealthCheckOutcome, HealthObservation, HealthStatus } from './types.ts';

interface CommonCheckOptions {
  /** Check name (also the `health.check` metric attribute); shown on authenticated endpoints only. */
  name?: string;
  critical?: boolean;
  /** Name on the public status page. Default: a generic label per kind (`Database`, `Cache`, …), never the name or a host. */
  displayName?: string;
  timeoutMs?: number;
  /** Latency above which the check reports `warn`. Default 1000 ms. */
  degradedMs?: number;
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 100) / 100;
const latencyStatus = (ms: number, degradedMs: number): HealthStatus => (ms > degradedMs ? 'warn' : 'pass');

/**
 * Fields every built-in check shares. The public status page shows `displayName` only, so its
 * default is a generic label: a name (e.g. `httpCheck`'s host name, or `postgres`) would tell
 * the public what runs inside.
 */
function common(
  options: CommonCheckOptions,
  defaults: { name: string; displayName: string; componentType: string; critical: boolean },
) {
  return {
    name: options.name ?? defaults.name,
    critical: options.critical ?? defaults.critical,
    componentType: defaults.componentType,
    displayName: options.displayName ?? defaults.displayName,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

export interface PostgresCheckOptions extends CommonCheckOptions {
  /** An existing pool (borrowed). */
  pool?: pg.Pool;
  /** Or a connection string: the check opens a small pool of its own. */
  connectionString?: string;
}

/** `SELECT 1` round trip; pool total/idle/waiting clients. */
export function postgresCheck(options: PostgresCheckOptions): HealthCheck {
  const degradedMs = options.degradedMs ?? 1000;
  const owned = options.pool === undefined;
  if (owned && !options.connectionString)
    throw new TypeError('postgresCheck: pool or connectionString is required');
  const timeout = options.timeoutMs ?? 5000;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: 2,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: timeout,
      query_timeout: timeout,
      application_name: 'authlens-health',
    });
  // A pool emits 'error' when an idle client loses its server; the next check reports it.
  if (owned) pool.on('error', () => {});
  return {
    ...common(options, {
      name: 'postgres',
      displayName: 'Database',
      componentType: 'datastore',
      critical: true,
    }),
    async check() {
      const started = performance.now();
      await pool.query('SELECT 1');
      const ms = elapsed(started);
      const status = latencyStatus(ms, degradedMs);
      const observations: HealthObservation[] = [
        { measurement: 'responseTime', observedValue: ms, observedUnit: 'ms' },
        { measurement: 'connections', observedValue: pool.totalCount, observedUnit: 'connections' },
      ];
      return {
        status,
        message: status === 'pass' ? 'database reachable' : 'database slow',
        observations,
        details: { poolTotal: pool.totalCount, poolIdle: pool.idleCount, poolWaiting: pool.waitingCount },
      };
    },
    async close() {
      if (owned) await pool.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Redis

export interface RedisCheckOptions extends CommonCheckOptions {
  /** An existing ioredis client (borrowed). */
  client?: Redis;
  /** Or a URL: the check opens a client of its own. */
  url?: string;
}

function infoField(info: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** PING latency, memory used and connected clients (`INFO`). */
export function redisCheck(options: RedisCheckOptions): HealthCheck {
  const degradedMs = options.degradedMs ?? 1000;
  const owned = options.client === undefined;
  if (owned && !options.url) throw new TypeError('redisCheck: client or url is required');
  const client =
    options.client ??
    new Redis(options.url ?? '', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: options.timeoutMs ?? 5000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
      connectionName: 'authlens-health',
    });
  // Connection errors surface through the commands below; keep ioredis from logging them.
  if (owned) client.on('error', () => {});
  return {
    ...common(options, { name: 'redis', displayName: 'Cache', componentType: 'datastore', critical: true }),
    async check() {
      if (client.status === 'wait') await client.connect();
      const started = performance.now();
      await client.ping();
      const ms = elapsed(started);
      const info = await client.info();
      const usedMemory = infoField(info, 'used_memory') ?? 0;
      const clients = infoField(info, 'connected_clients') ?? 0;
      const status = latencyStatus(ms, degradedMs);
      return {
        status,
        message: status === 'pass' ? 'cache reachable' : 'cache slow',
        observations: [
          { measurement: 'responseTime', observedValue: ms, observedUnit: 'ms' },
          { measurement: 'memory', observedValue: usedMemory, observedUnit: 'bytes' },
          { measurement: 'clients', observedValue: clients, observedUnit: 'connections' },
        ],
        details: { usedMemoryBytes: usedMemory, connectedClients: clients },
      };
    },
    async close() {
      if (owned) client.disconnect();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// BullMQ

/**
 * The part of a BullMQ `Queue` the check reads (a structural type: `bullmq` is an optional
 * peer, so neither the code nor its declarations import it).
 */
export interface BullmqQueueLike {
  readonly name: string;
  getJobCounts(...types: Array<'waiting' | 'active' | 'delayed' | 'failed'>): Promise<Record<string, number>>;
  getWorkersCount(): Promise<number>;
}

export interface BullmqCheckOptions extends CommonCheckOptions {
  /** The queues to watch (borrowed BullMQ `Queue`s). */
  queues: BullmqQueueLike[];
  /** `warn` when a queue has no worker connected. Default true. */
  requireWorkers?: boolean;
  /** `warn` when waiting jobs exceed this. Default 1000. */
  maxWaiting?: number;
  /** `warn` when failed jobs exceed this. Default 100. */
  maxFailed?: number;
}

/** Workers connected and waiting/active/delayed/failed job counts for each queue. */
export function bullmqCheck(options: BullmqCheckOptions): HealthCheck {
  const requireWorkers = options.requireWorkers ?? true;
  const maxWaiting = options.maxWaiting ?? 1000;
  const maxFailed = options.maxFailed ?? 100;
  if (options.queues.length === 0) throw new TypeError('bullmqCheck: queues must not be empty');
  return {
    ...common(options, {
      name: 'queues',
      displayName: 'Background jobs',
      componentType: 'component',
      critical: false,
    }),
    async check() {
      const per = await Promise.all(
        options.queues.map(async (queue) => {
          const [counts, workers] = await Promise.all([
            queue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
            queue.getWorkersCount(),
          ]);
          return { name: queue.name, workers, counts };
        }),
      );
      const observations: HealthObservation[] = [];
      const details: Record<string, number> = {};
      const problems: string[] = [];
      for (const q of per) {
        const waiting = q.counts.waiting ?? 0;
        const failed = q.counts.failed ?? 0;
        const noWorkers = requireWorkers && q.workers === 0;
        if (noWorkers) problems.push(`${q.name}: no workers`);
        if (waiting > maxWaiting) problems.push(`${q.name}: ${waiting} waiting`);
        if (failed > maxFailed) problems.push(`${q.name}: ${failed} failed`);
        observations.push({
          measurement: `${q.name}.workers`,
          observedValue: q.workers,
          observedUnit: 'workers',
          status: noWorkers ? 'warn' : 'pass',
        });
        for (const state of ['waiting', 'active', 'delayed', 'failed'] as const) {
          const value = q.counts[state] ?? 0;
          details[`${q.name}.${state}`] = value;
          observations.push({
            measurement: `${q.name}.${state}`,
            observedValue: value,
            observedUnit: 'jobs',
          });
        }
        details[`${q.name}.workers`] = q.workers;
      }
      return {
        status: problems.length > 0 ? 'warn' : 'pass',
        message: problems.length > 0 ? problems.join('; ') : 'queues processing',
        observations,
        details,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP dependencies (OAuth providers, SMS and e-mail APIs) and the OTel collector

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

// ---------------------------------------------------------------------------------------------
// SMTP

export interface SmtpCheckOptions extends CommonCheckOptions {
  host: string;
  port: number;
  /** Implicit TLS (port 465). */
  secure?: boolean;
  /** Name sent with EHLO. Default `authlens-health`. */
  clientName?: string;
}

/** Connects, reads the 220 greeting, sends EHLO and expects 250, then QUIT. */
export function smtpCheck(options: SmtpCheckOptions): HealthCheck {
  const degradedMs = options.degradedMs ?? 1000;
  return {
    ...common(options, {
      name: 'smtp',
      displayName: 'E-mail delivery',
      componentType: 'component',
      critical: false,
    }),
    check(signal) {
      const started = performance.now();
      return new Promise<HealthCheckOutcome>((resolve, reject) => {
        const socket = options.secure
          ? tls.connect({ host: options.host, port: options.port, servername: options.host })
          : net.connect({ host: options.host, port: options.port });
        let buffer = '';
        let stage: 'greeting' | 'ehlo' = 'greeting';
        const finish = (err?: Error, outcome?: HealthCheckOutcome) => {
          signal.removeEventListener('abort', onAbort);
          socket.destroy();
          if (err) reject(err);
          else if (outcome) resolve(outcome);
        };
        const onAbort = () => finish(new Error('aborted'));
        signal.addEventListener('abort', onAbort, { once: true });
        socket.setEncoding('utf8');
        socket.on('error', (err) => finish(err));
        socket.on('close', () => finish(new Error('connection closed before EHLO completed')));
        socket.on('data', (chunk: string) => {
          buffer += chunk;
          // A reply is complete when a line has a space after the code ("250 ok", not "250-…").
          const lines = buffer.split('\r\n');
          const last = lines.findLast((l) => /^\d{3} /.test(l));
          if (!last) return;
          buffer = '';
          const code = Number(last.slice(0, 3));
          if (stage === 'greeting') {
            if (code !== 220) return finish(new Error(`SMTP greeting ${code}`));
            stage = 'ehlo';
            socket.write(`EHLO ${options.clientName ?? 'authlens-health'}\r\n`);
            return;
          }
          if (code !== 250) return finish(new Error(`SMTP EHLO answered ${code}`));
          socket.end('QUIT\r\n');
          const ms = elapsed(started);
          const status = latencyStatus(ms, degradedMs);
          finish(undefined, {
            status,
            message: 'SMTP server accepts EHLO',
            observations: [{ measurement: 'responseTime', observedValue: ms, observedUnit: 'ms' }],
          });
        });
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The process itself

export interface ProcessCheckOptions extends Omit<CommonCheckOptions, 'degradedMs'> {
  /** `warn` above this p99 event-loop delay since the last check. Default 200 ms. */
  maxEventLoopDelayMs?: number;
  /** `warn` above this share of the heap limit. Default 0.9. */
  maxHeapRatio?: number;
}

/**
 * Event-loop delay (p99 between two runs) and heap use against the heap limit. Delay sampling
 * starts at the first run, so start-up work (module loading, warm-up) is not counted; the first
 * run reports heap only.
 */
export function processCheck(options: ProcessCheckOptions = {}): HealthCheck {
  const maxDelay = options.maxEventLoopDelayMs ?? 200;
  const maxHeap = options.maxHeapRatio ?? 0.9;
  const histogram = monitorEventLoopDelay({ resolution: 20 });
  let sampling = false;
  return {
    ...common(options, {
      name: 'process',
      displayName: 'Application',
      componentType: 'system',
      critical: false,
    }),
    async check() {
      const p99 = histogram.count > 0 ? Math.round((histogram.percentile(99) / 1e6) * 100) / 100 : undefined;
      histogram.reset();
      if (!sampling) {
        histogram.enable();
        sampling = true;
      }
      const heapUsed = process.memoryUsage().heapUsed;
      const limit = v8.getHeapStatistics().heap_size_limit;
      const ratio = Math.round((heapUsed / limit) * 1000) / 1000;
      const delayStatus: HealthStatus = p99 !== undefined && p99 > maxDelay ? 'warn' : 'pass';
      const heapStatus: HealthStatus = ratio > maxHeap ? 'warn' : 'pass';
      const observations: HealthObservation[] = [];
      if (p99 !== undefined) {
        observations.push({
          measurement: 'eventLoopDelayP99',
          observedValue: p99,
          observedUnit: 'ms',
          status: delayStatus,
        });
      }
      return {
        status: delayStatus === 'pass' && heapStatus === 'pass' ? 'pass' : 'warn',
        message: 'process running',
        observations: [
          ...observations,
          { measurement: 'heapUsed', observedValue: heapUsed, observedUnit: 'bytes', status: heapStatus },
          { measurement: 'heapUsedRatio', observedValue: ratio, observedUnit: 'ratio', status: heapStatus },
        ],
        details: { uptimeSeconds: Math.round(process.uptime()) },
      };
    },
    close() {
      histogram.disable();
    },
  };
}

/** A custom check from a plain function, mirroring the brief's `HealthCheck` class. */
export function defineHealthCheck(
  name: string,
  run: (signal: AbortSignal) => Promise<HealthCheckOutcome>,
  options: Omit<HealthCheck, 'name' | 'check'> = {},
): HealthCheck {
  return { ...options, name, check: run };
}

/** Checks for `DATABASE_URL` and `REDIS_URL` when no checks are given explicitly. */
export function checksFromEnv(env: Record<string, string | undefined>): HealthCheck[] {
  const checks: HealthCheck[] = [];
  const databaseUrl = env.DATABASE_URL?.trim();
  const redisUrl = env.REDIS_URL?.trim();
  if (databaseUrl) checks.push(postgresCheck({ connectionString: databaseUrl }));
  if (redisUrl) checks.push(redisCheck({ url: redisUrl }));
  return checks;
}
