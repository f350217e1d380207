/** The user store on PostgreSQL (`pg`), used when a `DATABASE_URL` is given. */
import pg from 'pg';
import { DuplicateEmailError, type UserStore } from './users.ts';
import { COUNTS, countsOf, INSERT_USER, newUserRow, type Row, SCHEMA, toDsr, toUser } from './users-sql.ts';

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
