/** Shared helpers for the auth-service tests: per-file PostgreSQL databases and HTTP flow steps. */
import { randomBytes } from 'node:crypto';
import { createTempDatabase } from '../../../test/support/postgres.ts';

/** Creates a database with a random name; `drop()` removes it (terminating leftover connections). */
export const createTestDatabase = (prefix = 'authsvc') => createTempDatabase(prefix);

export const randomEmail = (who: string) => `${who}.${randomBytes(4).toString('hex')}@example.com`;
export const PASSWORD = 'correct horse battery staple';
