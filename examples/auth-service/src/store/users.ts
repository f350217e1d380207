/**
 * Users and data-subject requests: SQLite (`node:sqlite`) by default, PostgreSQL (`pg`) when a
 * `DATABASE_URL` is given. Both implement the same small async interface.
 */
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';

export interface User {
  id: string;
  email: string;
  name: string | null;
  passwordHash: string | null;
  mfaEnabled: boolean;
  totpSecret: string | null;
  totpPendingSecret: string | null;
  /** Last accepted TOTP step: a code is never accepted twice. */
  totpLastStep: number | null;
  oauthProvider: string | null;
  oauthSubject: string | null;
  createdAt: string;
}

export interface NewUser {
  id: string;
  email: string;
  name?: string | null;
  passwordHash?: string | null;
  oauthProvider?: string | null;
  oauthSubject?: string | null;
}

export type DsrType = 'access' | 'erasure' | 'portability' | 'rectification';
export type DsrStatus = 'received' | 'in_progress' | 'completed' | 'rejected';

export interface DsrRequest {
  id: string;
  userId: string;
  regulation: 'gdpr' | 'ccpa';
  type: DsrType;
  status: DsrStatus;
  receivedAt: string;
  completedAt: string | null;
}

export class DuplicateEmailError extends Error {
  constructor() {
    super('email already registered');
    this.name = 'DuplicateEmailError';
  }
}

export interface UserStore {
  readonly kind: 'sqlite' | 'postgres';
  createUser(user: NewUser): Promise<User>;
  findById(id: string): Promise<User | undefined>;
  findByEmail(email: string): Promise<User | undefined>;
  findByOAuth(provider: string, subject: string): Promise<User | undefined>;
  setPendingTotp(id: string, secret: string): Promise<void>;
  enableTotp(id: string, secret: string, step: number): Promise<void>;
  setTotpLastStep(id: string, step: number): Promise<void>;
  deleteUser(id: string): Promise<boolean>;
  /**
   * Users in total, users with MFA on (for the MFA adoption gauge) and when the oldest account
   * kept was created (for the retention gauge; null when there is none).
   */
  counts(): Promise<{ users: number; mfa: number; oldestCreatedAt: Date | null }>;
  createDsr(request: DsrRequest): Promise<void>;
  completeDsr(id: string, completedAt: string): Promise<void>;
  listDsr(userId: string): Promise<DsrRequest[]>;
  /** Round trip to the database, for the health check. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT,
    password_hash TEXT,
    mfa_enabled INTEGER NOT NULL DEFAULT 0,
    totp_secret TEXT,
    totp_pending_secret TEXT,
    totp_last_step BIGINT,
    oauth_provider TEXT,
    oauth_subject TEXT,
    created_at TEXT NOT NULL
  )`,
  'CREATE UNIQUE INDEX IF NOT EXISTS users_oauth ON users (oauth_provider, oauth_subject)',
  `CREATE TABLE IF NOT EXISTS dsr_requests (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    regulation TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at TEXT NOT NULL,
    completed_at TEXT
  )`,
];

type Row = Record<string, unknown>;

// created_at is an ISO 8601 UTC string: its minimum is the oldest account.
const COUNTS =
  'SELECT COUNT(*) AS users, COALESCE(SUM(mfa_enabled), 0) AS mfa, MIN(created_at) AS oldest FROM users';
const countsOf = (row: Row) => ({
  users: Number(row.users),
  mfa: Number(row.mfa),
  oldestCreatedAt: row.oldest ? new Date(String(row.oldest)) : null,
});

function toUser(row: Row): User {
  return {
    id: String(row.id),
    email: String(row.email),
    name: row.name == null ? null : String(row.name),
    passwordHash: row.password_hash == null ? null : String(row.password_hash),
    mfaEnabled: Number(row.mfa_enabled) === 1,
    totpSecret: row.totp_secret == null ? null : String(row.totp_secret),
    totpPendingSecret: row.totp_pending_secret == null ? null : String(row.totp_pending_secret),
    totpLastStep: row.totp_last_step == null ? null : Number(row.totp_last_step),
    oauthProvider: row.oauth_provider == null ? null : String(row.oauth_provider),
    oauthSubject: row.oauth_subject == null ? null : String(row.oauth_subject),
    createdAt: String(row.created_at),
  };
}

function toDsr(row: Row): DsrRequest {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    regulation: String(row.regulation) as DsrRequest['regulation'],
    type: String(row.type) as DsrType,
    status: String(row.status) as DsrStatus,
    receivedAt: String(row.received_at),
    completedAt: row.completed_at == null ? null : String(row.completed_at),
  };
}

function newUserRow(user: NewUser): unknown[] {
  return [
    user.id,
    user.email.toLowerCase(),
    user.name ?? null,
    user.passwordHash ?? null,
    user.oauthProvider ?? null,
    user.oauthSubject ?? null,
    new Date().toISOString(),
  ];
}

const INSERT_USER =
  'INSERT INTO users (id, email, name, password_hash, oauth_provider, oauth_subject, created_at) VALUES ';

// ---------------------------------------------------------------- SQLite

export function createSqliteUserStore(path: string): UserStore {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
  for (const statement of SCHEMA) db.exec(statement);
  type SqlValue = string | number | null;
  const one = (sql: string, ...params: SqlValue[]) => {
    const row = db.prepare(sql).get(...params) as Row | undefined;
    return row ? toUser(row) : undefined;
  };
  const run = (sql: string, ...params: SqlValue[]) => db.prepare(sql).run(...params);
  return {
    kind: 'sqlite',
    async createUser(user) {
      try {
        run(`${INSERT_USER}(?, ?, ?, ?, ?, ?, ?)`, ...(newUserRow(user) as SqlValue[]));
      } catch (err) {
        if (err instanceof Error && /UNIQUE constraint failed: users\.email/.test(err.message)) {
          throw new DuplicateEmailError();
        }
        throw err;
      }
      return one('SELECT * FROM users WHERE id = ?', user.id)!;
    },
    async findById(id) {
      return one('SELECT * FROM users WHERE id = ?', id);
    },
    async findByEmail(email) {
      return one('SELECT * FROM users WHERE email = ?', email.toLowerCase());
    },
    async findByOAuth(provider, subject) {
      return one('SELECT * FROM users WHERE oauth_provider = ? AND oauth_subject = ?', provider, subject);
    },
    async setPendingTotp(id, secret) {
      run('UPDATE users SET totp_pending_secret = ? WHERE id = ?', secret, id);
    },
    async enableTotp(id, secret, step) {
      run(
        'UPDATE users SET totp_secret = ?, totp_pending_secret = NULL, mfa_enabled = 1, totp_last_step = ? WHERE id = ?',
        secret,
        step,
        id,
      );
    },
    async setTotpLastStep(id, step) {
      run('UPDATE users SET totp_last_step = ? WHERE id = ?', step, id);
    },
    async deleteUser(id) {
      return Number(run('DELETE FROM users WHERE id = ?', id).changes) > 0;
    },
    async counts() {
      const row = db.prepare(COUNTS).get() as Row;
      return countsOf(row);
    },
    async createDsr(r) {
      run(
        'INSERT INTO dsr_requests (id, user_id, regulation, type, status, received_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        r.id,
        r.userId,
        r.regulation,
        r.type,
        r.status,
        r.receivedAt,
        r.completedAt,
      );
    },
    async completeDsr(id, completedAt) {
      run("UPDATE dsr_requests SET status = 'completed', completed_at = ? WHERE id = ?", completedAt, id);
    },
    async listDsr(userId) {
      return (
        db.prepare('SELECT * FROM dsr_requests WHERE user_id = ? ORDER BY received_at').all(userId) as Row[]
      ).map(toDsr);
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (db.isOpen) db.close();
    },
  };
}

// ---------------------------------------------------------------- PostgreSQL

export async function createPostgresUserStore(connectionString: string): Promise<UserStore> {
  const pool = new pg.Pool({ connectionString, max: 5 });
  // Concurrent `CREATE … IF NOT EXISTS` can still race on the catalog; one advisory lock serialises it.
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(424242)');
    for (const statement of SCHEMA) await client.query(statement);
  } finally {
    await client.query('SELECT pg_advisory_unlock(424242)').catch(() => {});
    client.release();
  }
  const one = async (sql: string, params: unknown[]) => {
    const result = await pool.query(sql, params);
    return result.rows[0] ? toUser(result.rows[0] as Row) : undefined;
  };
  let closed = false;
  return {
    kind: 'postgres',
    async createUser(user) {
      try {
        await pool.query(`${INSERT_USER}($1, $2, $3, $4, $5, $6, $7)`, newUserRow(user));
      } catch (err) {
        if ((err as { code?: string }).code === '23505' && /email/.test(String((err as Error).message))) {
          throw new DuplicateEmailError();
        }
        throw err;
      }
      return (await one('SELECT * FROM users WHERE id = $1', [user.id]))!;
    },
    findById: (id) => one('SELECT * FROM users WHERE id = $1', [id]),
    findByEmail: (email) => one('SELECT * FROM users WHERE email = $1', [email.toLowerCase()]),
    findByOAuth: (provider, subject) =>
      one('SELECT * FROM users WHERE oauth_provider = $1 AND oauth_subject = $2', [provider, subject]),
    async setPendingTotp(id, secret) {
      await pool.query('UPDATE users SET totp_pending_secret = $1 WHERE id = $2', [secret, id]);
    },
    async enableTotp(id, secret, step) {
      await pool.query(
        'UPDATE users SET totp_secret = $1, totp_pending_secret = NULL, mfa_enabled = 1, totp_last_step = $2 WHERE id = $3',
        [secret, step, id],
      );
    },
    async setTotpLastStep(id, step) {
      await pool.query('UPDATE users SET totp_last_step = $1 WHERE id = $2', [step, id]);
    },
    async deleteUser(id) {
      const result = await pool.query('DELETE FROM users WHERE id = $1', [id]);
      return (result.rowCount ?? 0) > 0;
    },
    async counts() {
      const result = await pool.query(COUNTS);
      const row = result.rows[0] as Row;
      return countsOf(row);
    },
    async createDsr(r) {
      await pool.query(
        'INSERT INTO dsr_requests (id, user_id, regulation, type, status, received_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [r.id, r.userId, r.regulation, r.type, r.status, r.receivedAt, r.completedAt],
      );
    },
    async completeDsr(id, completedAt) {
      await pool.query("UPDATE dsr_requests SET status = 'completed', completed_at = $1 WHERE id = $2", [
        completedAt,
        id,
      ]);
    },
    async listDsr(userId) {
      const result = await pool.query('SELECT * FROM dsr_requests WHERE user_id = $1 ORDER BY received_at', [
        userId,
      ]);
      return (result.rows as Row[]).map(toDsr);
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
