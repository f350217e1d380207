/**
 * Built-in checks against real servers: each passes, then fails when its server goes away,
 * within its timeout and without holding up the other checks. The shared PostgreSQL and
 * Redis are never stopped: stop tests use a throwaway PostgreSQL cluster (initdb + pg_ctl)
 * and a throwaway redis-server of our own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, requirePostgres, requireRedis, services } from '../../../test/support/services.ts';
import {
  bullmqCheck,
  collectorCheck,
  createHealthRegistry,
  type HealthRegistry,
  httpCheck,
  postgresCheck,
  processCheck,
  redisCheck,
  smtpCheck,
} from '../src/index.ts';
import { freePort, startPostgresCluster } from './support/health-support.ts';

const TIMEOUT = 1500;
const unique = `authlens-health-${process.pid}-${Date.now()}`;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A throwaway redis-server on a free port (no persistence); `stop()` kills it. */
async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const bin = requireBinary('redis-server', 'redis-server');
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  cleanups.push(stop);
  const deadline = Date.now() + 5000;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error('throwaway redis-server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}

async function runOne(registry: HealthRegistry, name: string) {
  const report = await registry.run({ fresh: true, names: [name] });
  return report.checks[0]!;
}

beforeAll(async () => {
  await requirePostgres();
  await requireRedis();
});

describe('PostgreSQL check', () => {
  it('passes with latency and pool stats, then fails when its server is stopped', async () => {
    const cluster = await startPostgresCluster();
    cleanups.push(() => cluster.destroy());
    const check = postgresCheck({ connectionString: cluster.url, timeoutMs: TIMEOUT });
    const registry = createHealthRegistry({ checks: [check, processCheck()] });
    cleanups.push(() => registry.close());

    const up = await runOne(registry, 'postgres');
    expect(up.status).toBe('pass');
    expect(up.observations?.find((o) => o.measurement === 'responseTime')?.observedValue).toBeGreaterThan(0);
    expect(up.details).toMatchObject({ poolTotal: 1, poolIdle: 1, poolWaiting: 0 });

    await cluster.stop();
    const started = performance.now();
    const report = await registry.run({ fresh: true });
    const down = report.checks.find((c) => c.name === 'postgres')!;
    expect(down.status).toBe('fail');
    expect(down.error).toBeTruthy();
    expect(down.durationMs).toBeLessThanOrEqual(TIMEOUT + 100);
    expect(performance.now() - started).toBeLessThan(TIMEOUT + 300);
    expect(report.status).toBe('fail');
    const proc = report.checks.find((c) => c.name === 'process')!;
    expect(proc.status).toBe('pass');
    expect(proc.durationMs).toBeLessThan(100);
  });

  it('fails at its timeout when the server hangs, while a concurrent check answers at once', async () => {
    // accepts connections and never answers: a wedged database
    const sockets = new Set<net.Socket>();
    const blackhole = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => blackhole.close(r));
    });
    const { port } = blackhole.address() as AddressInfo;
    const registry = createHealthRegistry({
      timeoutMs: TIMEOUT,
      checks: [
        postgresCheck({ connectionString: `postgres://u@127.0.0.1:${port}/db`, name: 'wedged-db' }),
        postgresCheck({ connectionString: services.postgresUrl, name: 'real-db' }),
      ],
    });
    cleanups.push(() => registry.close());
    const started = performance.now();
    const report = await registry.run({ fresh: true });
    const elapsed = performance.now() - started;
    const wedged = report.checks.find((c) => c.name === 'wedged-db')!;
    const real = report.checks.find((c) => c.name === 'real-db')!;
    expect(wedged).toMatchObject({ status: 'fail', error: `timed out after ${TIMEOUT} ms` });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT - 10);
    expect(elapsed).toBeLessThan(TIMEOUT + 300);
    expect(real.status).toBe('pass');
    expect(real.durationMs).toBeLessThan(500);
  });

  it('borrows an application pool without closing it', async () => {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: services.postgresUrl, max: 3 });
    const registry = createHealthRegistry({ checks: [postgresCheck({ pool, name: 'app-db' })] });
    expect((await runOne(registry, 'app-db')).status).toBe('pass');
    await registry.close();
    expect((await pool.query('SELECT 2 AS two')).rows[0].two).toBe(2);
    await pool.end();
  });
});

describe('Redis check', () => {
  it('passes on the shared Redis with ping latency, memory and clients', async () => {
    const registry = createHealthRegistry({ checks: [redisCheck({ url: services.redisUrl })] });
    const result = await runOne(registry, 'redis');
    await registry.close();
    expect(result.status).toBe('pass');
    expect(result.details?.usedMemoryBytes).toBeGreaterThan(0);
    expect(result.details?.connectedClients).toBeGreaterThanOrEqual(1);
  });

  it('fails within its timeout when its server is stopped, without blocking other checks', async () => {
    const own = await startRedis();
    const registry = createHealthRegistry({
      timeoutMs: TIMEOUT,
      checks: [
        redisCheck({ url: own.url, name: 'cache' }),
        redisCheck({ url: services.redisUrl, name: 'shared' }),
      ],
    });
    cleanups.push(() => registry.close());
    expect((await registry.run({ fresh: true })).status).toBe('pass');

    await own.stop();
    const started = performance.now();
    const report = await registry.run({ fresh: true });
    const elapsed = performance.now() - started;
    const cache = report.checks.find((c) => c.name === 'cache')!;
    const shared = report.checks.find((c) => c.name === 'shared')!;
    expect(cache.status).toBe('fail');
    expect(cache.durationMs).toBeLessThanOrEqual(TIMEOUT + 100);
    expect(elapsed).toBeLessThan(TIMEOUT + 300);
    expect(shared.status).toBe('pass');
    expect(shared.durationMs).toBeLessThan(200);
    expect(report.status).toBe('fail');
  });
});

describe('BullMQ check', () => {
  it('reports workers and job counts on real BullMQ; warns without workers', async () => {
    const connection = { url: services.redisUrl };
    const name = `${unique}-emails`;
    const queue = new Queue(name, { connection });
    cleanups.push(async () => {
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
    });
    await queue.addBulk([
      { name: 'a', data: {} },
      { name: 'b', data: {} },
      { name: 'c', data: {}, opts: { delay: 60_000 } },
    ]);
    const check = bullmqCheck({ queues: [queue], name: 'jobs', timeoutMs: TIMEOUT });
    const registry = createHealthRegistry({ checks: [check] });

    const idle = await runOne(registry, 'jobs');
    expect(idle.status).toBe('warn');
    expect(idle.message).toContain('no workers');
    expect(idle.details).toMatchObject({
      [`${name}.waiting`]: 2,
      [`${name}.delayed`]: 1,
      [`${name}.workers`]: 0,
    });

    const worker = new Worker(name, async () => {}, {
      connection: { ...connection, maxRetriesPerRequest: null },
    });
    cleanups.push(() => worker.close());
    await worker.waitUntilReady();
    const deadline = Date.now() + 5000;
    let busy = await runOne(registry, 'jobs');
    while ((busy.details?.[`${name}.waiting`] !== 0 || busy.status !== 'pass') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      busy = await runOne(registry, 'jobs');
    }
    expect(busy.status).toBe('pass');
    expect(busy.details).toMatchObject({
      [`${name}.workers`]: 1,
      [`${name}.waiting`]: 0,
      [`${name}.delayed`]: 1,
    });
    await registry.close();
  });

  it('fails within its timeout when the queue server is stopped', async () => {
    const own = await startRedis();
    const client = new Redis(own.url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    client.on('error', () => {});
    await client.connect();
    const queue = new Queue(`${unique}-sms`, { connection: client });
    queue.on('error', () => {});
    cleanups.push(() => client.disconnect());
    const registry = createHealthRegistry({
      timeoutMs: TIMEOUT,
      checks: [bullmqCheck({ queues: [queue], requireWorkers: false }), processCheck()],
    });
    cleanups.push(() => registry.close());
    expect((await runOne(registry, 'queues')).status).toBe('pass');
    await own.stop();
    const started = performance.now();
    const report = await registry.run({ fresh: true });
    const queues = report.checks.find((c) => c.name === 'queues')!;
    expect(queues.status).toBe('fail');
    expect(performance.now() - started).toBeLessThan(TIMEOUT + 300);
    // non-critical by default: the service degrades, it does not fail
    expect(report.status).toBe('warn');
  });
});

describe('SMTP check', () => {
  it('connects and gets an EHLO answer, then fails when the server stops', async () => {
    const server = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.server.address() as AddressInfo;
    const registry = createHealthRegistry({
      timeoutMs: TIMEOUT,
      checks: [smtpCheck({ host: '127.0.0.1', port, displayName: 'E-mail' })],
    });
    cleanups.push(() => registry.close());
    const up = await runOne(registry, 'smtp');
    expect(up.status).toBe('pass');
    await new Promise<void>((r) => server.close(() => r()));
    const down = await runOne(registry, 'smtp');
    expect(down.status).toBe('fail');
    expect(down.error).toMatch(/ECONNREFUSED/);
  });
});

describe('HTTP dependency and collector checks', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 3000).unref();
        return;
      }
      if (req.url === '/down') {
        res.statusCode = 503;
        return res.end('maintenance');
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ status: 'Server available' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    });
  });

  it('reports status code and latency; fails on 5xx and on timeout, concurrently', async () => {
    const registry = createHealthRegistry({
      timeoutMs: 500,
      checks: [
        httpCheck({ name: 'oauth-google', url: `${base}/ok` }),
        httpCheck({ name: 'sms-api', url: `${base}/down` }),
        httpCheck({ name: 'email-api', url: `${base}/slow` }),
        collectorCheck({ url: `${base}/` }),
      ],
    });
    const started = performance.now();
    const report = await registry.run();
    expect(performance.now() - started).toBeLessThan(800);
    const by = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(by['oauth-google']).toMatchObject({ status: 'pass', details: { statusCode: 200 } });
    expect(by['sms-api']).toMatchObject({ status: 'fail', details: { statusCode: 503 } });
    expect(by['email-api']).toMatchObject({ status: 'fail', error: 'timed out after 500 ms' });
    expect(by['otel-collector']).toMatchObject({ status: 'pass', critical: false });
    // all non-critical: degraded, not failed
    expect(report.status).toBe('warn');
    await registry.close();
  });

  it('fails at once with ECONNREFUSED when the dependency server is closed', async () => {
    const gone = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/`;
    const registry = createHealthRegistry({
      timeoutMs: TIMEOUT,
      checks: [httpCheck({ name: 'sms-api', url, critical: true })],
    });
    cleanups.push(() => registry.close());
    expect((await runOne(registry, 'sms-api')).status).toBe('pass');
    await new Promise((r) => gone.close(r));
    const started = performance.now();
    const report = await registry.run({ fresh: true });
    const down = report.checks[0]!;
    expect(down.status).toBe('fail');
    expect(down.error).toMatch(/ECONNREFUSED/);
    expect(performance.now() - started).toBeLessThan(500);
    expect(report.status).toBe('fail');
  });
});
