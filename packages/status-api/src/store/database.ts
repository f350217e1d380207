/**
 * The two SQL back ends of the alert store behind one tiny interface: `query` and
 * `transaction`. SQL is written once with `$1…$n` placeholders; the SQLite adapter rewrites
 * them to `?1…?n` (numbered parameters) once per statement and caches the prepared statement.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { AuthlensError } from '@authlens/sdk';
import type pg from 'pg';
import { type Checkpointer, startCheckpointer } from './sqlite-checkpointer.ts';

export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface Executor {
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
}

export interface Database extends Executor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs `fn` in one transaction (SQLite: `BEGIN IMMEDIATE`, one writer at a time). */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A malformed `ALERT_STORE_URL` (`invalid_config`, `setting` is the variable). */
export class StoreUrlError extends AuthlensError {
  constructor(message: string) {
    super('invalid_config', `ALERT_STORE_URL: ${message}`, { setting: 'ALERT_STORE_URL' });
    this.name = 'StoreUrlError';
  }

  /** @deprecated Use `setting`. */
  get field(): string {
    return 'ALERT_STORE_URL';
  }
}

/** Parses `sqlite:<path>` / `sqlite::memory:` / `postgres://…` / `postgresql://…`. */
export function openDatabase(url: string): Database {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') throw new StoreUrlError('sqlite: needs a file path, e.g. sqlite:./data/authlens.db');
    return openSqlite(file);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  throw new StoreUrlError('must start with sqlite: or postgres:// (got an unsupported scheme)');
}

function openSqlite(file: string): Database {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new DatabaseSync(file, { timeout: 10_000, enableForeignKeyConstraints: true });
  // WAL: readers never block the writer; NORMAL sync is durable against process crashes
  // (kill -9) because committed pages are in the OS page cache.
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  let closed = false;
  // Checkpoints run in a worker thread, not in the commits on this thread (see the module).
  let checkpointer: Checkpointer | undefined;
  if (file !== ':memory:') {
    db.exec('PRAGMA wal_autocheckpoint = 0');
    checkpointer = startCheckpointer(path.resolve(file), () => {
      if (!closed) db.exec('PRAGMA wal_autocheckpoint = 1000');
    });
  }
  const statements = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let st = statements.get(sql);
    if (!st) {
      st = db.prepare(sql.replace(/\$(\d+)/g, '?$1'));
      statements.set(sql, st);
    }
    return st;
  };
  const run = <T extends Row>(sql: string, params: readonly SqlValue[] = []): T[] =>
    prepare(sql).all(...params) as T[];
  const exec: Executor = { query: async (sql, params) => run(sql, params) };

  // node:sqlite is synchronous, but a transaction body awaits: serialise every use of the
  // connection so nothing else runs inside an open transaction.
  let tail: Promise<unknown> = Promise.resolve();
  const lock = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn, fn);
    tail = next.catch(() => undefined);
    return next;
  };
  return {
    dialect: 'sqlite',
    query: (sql, params) => lock(async () => run(sql, params)),
    transaction: (fn) =>
      lock(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(exec);
          db.exec('COMMIT');
          return result;
        } catch (err) {
          if (db.isTransaction) db.exec('ROLLBACK');
          throw err;
        }
      }),
    close: () =>
      lock(async () => {
        if (closed) return;
        closed = true;
        await checkpointer?.close();
        db.close();
      }),
  };
}

function openPostgres(url: string): Database {
  // The driver is loaded on first use, not at start: a SQLite store never loads it.
  let opened: Promise<pg.Pool> | undefined;
  let closed = false;
  const pool = (): Promise<pg.Pool> => {
    if (closed && !opened) return Promise.reject(new Error('the PostgreSQL alert store is closed'));
    opened ??= import('pg').then(({ default: driver }) => {
      const p = new driver.Pool({ connectionString: url, max: 10 });
      // An idle client that loses its connection must not crash the process.
      p.on('error', () => undefined);
      return p;
    });
    return opened;
  };
  return {
    dialect: 'postgres',
    query: async (sql, params) => (await (await pool()).query(sql, params as SqlValue[])).rows,
    transaction: async (fn) => {
      const client = await (await pool()).connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: async (sql, params) => (await client.query(sql, params as SqlValue[])).rows,
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await (await opened)?.end();
    },
  };
}
