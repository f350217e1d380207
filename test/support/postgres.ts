/** A throwaway PostgreSQL database per test file, on the server from `scripts/services`. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requirePostgres, services } from './services.ts';

export interface TempDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Drops the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: services.postgresUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates a database with a random name (`<prefix>_<hex>`); fails loudly if PostgreSQL is down. */
export async function createTempDatabase(prefix: string): Promise<TempDatabase> {
  await requirePostgres();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(services.postgresUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
