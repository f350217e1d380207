/** Shared helpers for the auth-service tests: per-file PostgreSQL databases and HTTP flow steps. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { services } from '../../../test/support/services.ts';

/** Creates a database with a random name; `drop()` removes it (terminating leftover connections). */
export async function createTestDatabase(
  prefix = 'authsvc',
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: services.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(services.postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: services.postgresUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const randomEmail = (who: string) => `${who}.${randomBytes(4).toString('hex')}@example.com`;
export const PASSWORD = 'correct horse battery staple';
