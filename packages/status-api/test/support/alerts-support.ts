import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { onRequestHookHandler } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { createTempDatabase } from '../../../../test/support/postgres.ts';
import { replyProblem } from '../../src/errors.ts';
import { type AlertStore, createAlertStore } from '../../src/store/index.ts';

export interface TempStore {
  url: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL database with a random name (dropped by `drop`). */
export const tempPostgres = (): Promise<TempStore> => createTempDatabase('authlens_alerts');

/** A SQLite file in a fresh temp directory (removed by `drop`). */
export async function tempSqlite(): Promise<TempStore> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'authlens-alerts-'));
  return {
    url: `sqlite:${path.join(dir, 'alerts.db')}`,
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const backends = [
  { name: 'sqlite', make: tempSqlite },
  { name: 'postgres', make: tempPostgres },
] as const;

/** Bearer token that the test authorize accepts as the write role (Alertmanager can only send this). */
export const TEST_WRITE_TOKEN = 'test-write-token';

/** Role checks as the monitoring plugin would supply: `x-role: read|write` (or the test Bearer token). */
export const headerAuthorize: { read: onRequestHookHandler; write: onRequestHookHandler } = {
  read: (req, reply, done) => {
    const role = req.headers['x-role'];
    if (role === 'read' || role === 'write' || req.headers.authorization === `Bearer ${TEST_WRITE_TOKEN}`)
      return done();
    replyProblem(reply, 'missing_api_key', { detail: 'send x-role: read|write' });
  },
  write: (req, reply, done) => {
    if (req.headers['x-role'] === 'write' || req.headers.authorization === `Bearer ${TEST_WRITE_TOKEN}`)
      return done();
    replyProblem(reply, 'insufficient_role', { detail: 'send x-role: write' });
  },
};

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** Answers queued in order; when empty, `fallback` answers. */
  answers: Answer[];
  fallback: Answer;
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(fallback: Answer = { status: 200, body: 'ok' }): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<http.ServerResponse>();
  const receiver: Receiver = {
    url: '',
    received,
    answers: [],
    fallback,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver got ${received.length} of ${count} requests`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const answer = receiver.answers.shift() ?? receiver.fallback;
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function eventually<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await sleep(25);
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

export interface ServerProcess {
  url: string;
  child: import('node:child_process').ChildProcess;
  /** Stops it: SIGKILL when `hard`, else SIGTERM; resolves when it has exited. */
  stop(hard?: boolean): Promise<void>;
}

/**
 * Starts `test/support/alerts-server.ts` in a Node subprocess with the given environment (`node`: the
 * Node binary, default this process's).
 */
export async function startServerProcess(
  env: Record<string, string>,
  node: string = process.execPath,
): Promise<ServerProcess> {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const entry = fileURLToPath(new URL('./alerts-server.ts', import.meta.url));
  const child = spawn(node, ['--conditions=authlens-source', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    async stop(hard = false) {
      if (child.exitCode === null && child.signalCode === null) child.kill(hard ? 'SIGKILL' : 'SIGTERM');
      await exited;
    },
  };
}

/** A fresh store of one back end, opened before the tests of the enclosing describe and dropped after. */
export function useTempStore(make: () => Promise<TempStore>): { store(): AlertStore; url(): string } {
  let temp: TempStore | undefined;
  let store: AlertStore | undefined;
  beforeAll(async () => {
    temp = await make();
    store = await createAlertStore(temp.url);
  });
  afterAll(async () => {
    await store?.close();
    await temp?.drop();
  });
  const opened = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('useTempStore: the store is opened in beforeAll');
    return v;
  };
  return { store: () => opened(store), url: () => opened(temp).url };
}
